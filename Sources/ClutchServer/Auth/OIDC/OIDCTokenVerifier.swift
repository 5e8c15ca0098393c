import ClutchCore
import Foundation
import JWTKit

/// Who the provider says signed in: what Clutch keeps of an ID token once it is verified.
struct OIDCIdentity: Sendable, Equatable {
    /// The provider's stable id for the person (`sub`).
    let subject: String
    /// Lowercased: a person is found by their email, whichever way the provider spells it.
    let email: String
    /// `name`, when the provider sends one that a person's name may be (1 to 100 characters,
    /// no control characters).
    let name: String?
    /// The groups claim's values (a list of strings, or one string).
    let groups: [String]
}

/// An ID token's claims as they arrive. Every claim is kept (``claims``): the groups claim's
/// name is the operator's choice. jwt-kit checks the signature; the claims are checked by
/// ``OIDCTokenVerifier`` against the server's clock, so `verify(using:)` checks nothing.
struct OIDCIDTokenClaims: JWTPayload {
    let claims: [String: Value]

    init(from decoder: any Decoder) throws {
        claims = try decoder.singleValueContainer().decode([String: Value].self)
    }

    init(claims: [String: Value]) {
        self.claims = claims
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(claims)
    }

    func verify(using algorithm: some JWTAlgorithm) async throws {}

    func string(_ name: String) -> String? {
        if case .string(let text)? = claims[name] { return text }
        return nil
    }

    /// A NumericDate claim (seconds since 1970, integer or not).
    func date(_ name: String) -> Date? {
        switch claims[name] {
        case .integer(let seconds)?: return Date(timeIntervalSince1970: TimeInterval(seconds))
        case .double(let seconds)?: return Date(timeIntervalSince1970: seconds)
        default: return nil
        }
    }

    /// `aud`: one string or a list of them.
    var audiences: [String] {
        switch claims["aud"] {
        case .string(let one)?: return [one]
        case .array(let many)?: return many.compactMap { if case .string(let text) = $0 { text } else { nil } }
        default: return []
        }
    }
}

/// Checks ID tokens: the signature against the provider's JWKS (jwt-kit), then `iss`, `aud`
/// (and `azp` when several audiences), `exp`, `iat` and `nonce`, then reads the identity.
///
/// The JWKS is fetched on first use and kept; a token signed with a key id the cached set does
/// not hold (the provider rotated its keys) fetches it again, at most once per
/// ``refreshInterval``, so tokens with made-up key ids cannot make the server hammer the provider.
actor OIDCTokenVerifier {
    /// How far the provider's clock and this server's may disagree.
    static let clockSkew: TimeInterval = 60
    /// The fewest seconds between two JWKS fetches caused by unknown key ids.
    static let refreshInterval: TimeInterval = 30

    private let issuer: String
    private let clientID: String
    private let groupsClaim: String
    private let clock: any ServerClock
    /// Fetches the provider's JWKS as JSON text.
    private let loadKeySet: @Sendable () async throws(OIDCError) -> String

    private var keys: (collection: JWTKeyCollection, kids: Set<String>)?
    private var lastLoad: Date?
    /// How many times the JWKS was fetched (tests check the cache with it).
    private(set) var keySetLoads = 0

    init(
        issuer: String, clientID: String, groupsClaim: String, clock: any ServerClock,
        loadKeySet: @escaping @Sendable () async throws(OIDCError) -> String
    ) {
        self.issuer = issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer
        self.clientID = clientID
        self.groupsClaim = groupsClaim
        self.clock = clock
        self.loadKeySet = loadKeySet
    }

    /// The identity in `idToken`, once its signature and claims hold and it carries `nonce`.
    func verify(_ idToken: String, nonce: String) async throws(OIDCError) -> OIDCIdentity {
        let claims = try await verifiedClaims(idToken)
        return try check(claims, nonce: nonce)
    }

    private func verifiedClaims(_ idToken: String) async throws(OIDCError) -> OIDCIDTokenClaims {
        var keys = try await currentKeys(forceReload: false)
        // jwt-kit falls back to its default key for a key id it does not hold: the key id is
        // looked up here, so that a rotated key reads the JWKS again and no other key is tried.
        if let kid = Self.keyID(of: idToken), !keys.kids.contains(kid) {
            guard canReload else { throw OIDCError("the ID token is signed with a key the provider does not list") }
            keys = try await currentKeys(forceReload: true)
            guard keys.kids.contains(kid) else { throw OIDCError("the ID token is signed with a key the provider does not list") }
        }
        do {
            return try await keys.collection.verify(idToken, as: OIDCIDTokenClaims.self)
        } catch {
            throw Self.refusal(error)
        }
    }

    private var canReload: Bool {
        guard let lastLoad else { return true }
        return clock.now().timeIntervalSince(lastLoad) >= Self.refreshInterval
    }

    private func currentKeys(forceReload: Bool) async throws(OIDCError) -> (collection: JWTKeyCollection, kids: Set<String>) {
        if let keys, !forceReload { return keys }
        let json = try await loadKeySet()
        keySetLoads += 1
        lastLoad = clock.now()
        let collection = JWTKeyCollection()
        let kids: Set<String>
        do {
            let set = try JSONDecoder().decode(JWKS.self, from: Data(json.utf8))
            try await collection.add(jwks: set)
            kids = Set(set.keys.compactMap { $0.keyIdentifier?.string })
        } catch {
            throw OIDCError("the provider's key set (JWKS) could not be read")
        }
        keys = (collection, kids)
        return (collection, kids)
    }

    /// The `kid` of a token's header, if it names one (the signature is checked later).
    static func keyID(of token: String) -> String? {
        guard let header = token.split(separator: ".", omittingEmptySubsequences: false).first else { return nil }
        var text = header.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        text += String(repeating: "=", count: (4 - text.count % 4) % 4)
        struct Header: Decodable { let kid: String? }
        guard let data = Data(base64Encoded: text) else { return nil }
        return (try? JSONDecoder().decode(Header.self, from: data))?.kid
    }

    /// OpenID Connect Core 1.0 §3.1.3.7, on the server's clock.
    private func check(_ claims: OIDCIDTokenClaims, nonce: String) throws(OIDCError) -> OIDCIdentity {
        let tokenIssuer = claims.string("iss").map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        guard tokenIssuer == issuer else {
            throw OIDCError("the ID token was issued by \(OIDCProvider.printable(claims.string("iss") ?? "nobody")), not \(issuer)")
        }
        let audiences = claims.audiences
        guard audiences.contains(clientID) else { throw OIDCError("the ID token is not meant for this client (aud)") }
        if audiences.count > 1, claims.string("azp") != clientID {
            throw OIDCError("the ID token has several audiences and was not issued to this client (azp)")
        }
        let now = clock.now()
        guard let expires = claims.date("exp") else { throw OIDCError("the ID token has no expiry (exp)") }
        guard now.timeIntervalSince(expires) < Self.clockSkew else { throw OIDCError("the ID token has expired") }
        if let issued = claims.date("iat"), issued.timeIntervalSince(now) > Self.clockSkew {
            throw OIDCError("the ID token was issued in the future (iat)")
        }
        guard let tokenNonce = claims.string("nonce"), ConsoleSessions.constantTimeEqual(tokenNonce, nonce) else {
            throw OIDCError("the ID token does not carry this sign-in's nonce")
        }
        guard let subject = claims.string("sub"), !subject.isEmpty else { throw OIDCError("the ID token names no subject (sub)") }
        guard let email = claims.string("email")?.lowercased(), email.contains("@") else {
            throw OIDCError("the provider sent no email address for \(OIDCProvider.printable(subject))")
        }
        if case .bool(false)? = claims.claims["email_verified"] {
            throw OIDCError("the provider has not verified the email address \(OIDCProvider.printable(email))")
        }
        let groups: [String]
        switch claims.claims[groupsClaim] {
        case .array(let values)?: groups = values.compactMap { if case .string(let text) = $0 { text } else { nil } }
        case .string(let one)?: groups = [one]
        default: groups = []
        }
        let name = claims.string("name").map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { name in
            name.isEmpty || name.count > 100 || name.unicodeScalars.contains { $0.properties.generalCategory == .control } ? nil : name
        }
        return OIDCIdentity(subject: subject, email: email, name: name, groups: groups)
    }

    private static func refusal(_ error: any Error) -> OIDCError {
        if let error = error as? OIDCError { return error }
        if let error = error as? JWTError {
            switch error.errorType {
            case .signatureVerificationFailed: return OIDCError("the ID token's signature does not match the provider's key")
            default: break
            }
        }
        return OIDCError("the ID token could not be verified")
    }
}
