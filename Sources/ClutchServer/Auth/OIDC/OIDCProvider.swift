import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Why a single sign-on did not succeed, in one line for the log and the refusal page; never
/// holds a code, a token or the client secret.
struct OIDCError: Error, Sendable, Equatable, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}

/// The parts of the provider's discovery document (`/.well-known/openid-configuration`) a sign-in uses.
struct OIDCProviderMetadata: Sendable, Decodable, Equatable {
    let issuer: String
    let authorizationEndpoint: String
    let tokenEndpoint: String
    let jwksURI: String

    enum CodingKeys: String, CodingKey {
        case issuer
        case authorizationEndpoint = "authorization_endpoint"
        case tokenEndpoint = "token_endpoint"
        case jwksURI = "jwks_uri"
    }
}

/// Talks to the OpenID provider over async-http-client: discovery (read once, then kept), the
/// authorization request's URL, the code exchange and the JWKS. No redirects are followed and
/// every request is bounded by ``timeout``.
actor OIDCProvider {
    let settings: OIDCSettings
    /// How long one request to the provider may take.
    static let timeout: TimeAmount = .seconds(10)
    /// The most a provider's answer may hold.
    static let maxBody = 1 << 20

    private var metadata: OIDCProviderMetadata?
    private let http: HTTPClient

    init(settings: OIDCSettings, http: HTTPClient = .shared) {
        self.settings = settings
        self.http = http
    }

    /// The discovery document, fetched on first use; its `issuer` must be the configured one
    /// (OpenID Connect Discovery 1.0 §4.3), or nothing from it is used.
    func discover() async throws(OIDCError) -> OIDCProviderMetadata {
        if let metadata { return metadata }
        let url = settings.normalizedIssuer + "/.well-known/openid-configuration"
        let body = try await get(url, what: "the discovery document")
        let found: OIDCProviderMetadata
        do {
            found = try JSONDecoder().decode(OIDCProviderMetadata.self, from: body)
        } catch {
            throw OIDCError("the provider's discovery document at \(url) could not be read")
        }
        let issuer = found.issuer.hasSuffix("/") ? String(found.issuer.dropLast()) : found.issuer
        guard issuer == settings.normalizedIssuer else {
            throw OIDCError("the provider's discovery document names the issuer \(found.issuer), not \(settings.issuer)")
        }
        metadata = found
        return found
    }

    /// The authorization request (code flow, PKCE S256, state and nonce) to send the browser to.
    func authorizationURL(state: String, pending: OIDCPendingSignIn) async throws(OIDCError) -> String {
        let metadata = try await discover()
        let query = Self.formEncoded([
            ("response_type", "code"), ("client_id", settings.clientID), ("redirect_uri", pending.redirectURI),
            ("scope", "openid email profile"), ("state", state), ("nonce", pending.nonce),
            ("code_challenge", PKCE.challenge(for: pending.codeVerifier)), ("code_challenge_method", "S256"),
        ])
        let separator = metadata.authorizationEndpoint.contains("?") ? "&" : "?"
        return metadata.authorizationEndpoint + separator + query
    }

    /// Redeems `code` at the token endpoint (client_secret_basic, with the PKCE verifier) and
    /// returns the ID token, not yet verified.
    func exchange(code: String, pending: OIDCPendingSignIn) async throws(OIDCError) -> String {
        let metadata = try await discover()
        var request = HTTPClientRequest(url: metadata.tokenEndpoint)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        // RFC 6749 §2.3.1: id and secret form-encoded, then joined and base64-encoded.
        let credentials = Self.formComponent(settings.clientID) + ":" + Self.formComponent(settings.clientSecret)
        request.headers.add(name: "Authorization", value: "Basic " + Data(credentials.utf8).base64EncodedString())
        request.body = .bytes(ByteBuffer(string: Self.formEncoded([
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", pending.redirectURI),
            ("code_verifier", pending.codeVerifier),
        ])))
        let (status, body) = try await send(request, what: "the token endpoint")
        struct TokenAnswer: Decodable {
            let idToken: String?
            let error: String?
            enum CodingKeys: String, CodingKey {
                case idToken = "id_token"
                case error
            }
        }
        let answer = try? JSONDecoder().decode(TokenAnswer.self, from: body)
        guard status == 200, let idToken = answer?.idToken else {
            let reason = answer?.error.map { " (\(Self.printable($0)))" } ?? ""
            throw OIDCError("the provider's token endpoint refused the sign-in code with status \(status)\(reason)")
        }
        return idToken
    }

    /// The provider's JWKS, as JSON text.
    func keySetJSON() async throws(OIDCError) -> String {
        let metadata = try await discover()
        return String(decoding: try await get(metadata.jwksURI, what: "the key set (JWKS)"), as: UTF8.self)
    }

    private func get(_ url: String, what: String) async throws(OIDCError) -> Data {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "application/json")
        let (status, body) = try await send(request, what: what)
        guard status == 200 else { throw OIDCError("the provider answered \(status) for \(what) at \(url)") }
        return body
    }

    private func send(_ request: HTTPClientRequest, what: String) async throws(OIDCError) -> (UInt, Data) {
        do {
            let response = try await http.execute(request, timeout: Self.timeout)
            let body = try await response.body.collect(upTo: Self.maxBody)
            return (response.status.code, Data(buffer: body))
        } catch {
            throw OIDCError("the provider could not be reached for \(what): \(Self.printable("\(error)"))")
        }
    }

    /// `name=value&…` with every byte but RFC 3986's unreserved ones percent-encoded.
    static func formEncoded(_ pairs: [(String, String)]) -> String {
        pairs.map { formComponent($0.0) + "=" + formComponent($0.1) }.joined(separator: "&")
    }

    static func formComponent(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }

    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// At most 200 characters of `text` with control characters dropped: provider text in a log line.
    static func printable(_ text: String) -> String {
        String(text.unicodeScalars.filter { !CharacterSet.controlCharacters.contains($0) }.prefix(200).map(Character.init))
    }
}
