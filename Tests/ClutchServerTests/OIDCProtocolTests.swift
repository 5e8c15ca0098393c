import ClutchCore
import Foundation
import ServerTestSupport
import TestSupport
import Testing

@testable import ClutchServer

/// Single sign-on's protocol against a real OpenID provider (oidc-provider-mock): discovery, the
/// authorization request with PKCE, state and nonce, the provider's sign-in form, the code
/// exchange and the ID token's verification against the provider's JWKS.
@Suite(.enabled(if: OIDCProviderMock.isInstalled, "oidc-provider-mock is not installed (scripts/ensure-deps.sh test)"))
struct OIDCProtocolTests {
    static let redirectURI = "http://127.0.0.1:9/ui/oidc/callback"

    static func signIn(_ provider: OIDCProviderMock, clock: any ServerClock = SystemClock()) -> OIDCSignIn {
        OIDCSignIn(
            settings: OIDCSettings(issuer: provider.issuer, clientID: "clutch", clientSecret: "s3cret", allowedDomains: ["example.com"]),
            clock: clock)
    }

    /// The `code` and `state` of the provider's redirect back to ``redirectURI``.
    static func callback(_ answer: ConsoleClient.Answer) throws -> (code: String, state: String) {
        guard answer.status == 302, let location = answer.location, location.hasPrefix(redirectURI + "?"),
            let items = URLComponents(string: location)?.queryItems,
            let code = items.first(where: { $0.name == "code" })?.value, let state = items.first(where: { $0.name == "state" })?.value
        else { throw TestFailure("the provider did not send the browser back with a code: \(answer.status) \(answer.location ?? answer.body)") }
        return (code, state)
    }

    @Test func aPersonSignedInAtTheProviderComesBackWithTheirVerifiedEmailNameAndGroups() async throws {
        let provider = try await OIDCProviderMock()
        defer { provider.stop() }
        try await provider.setUser("alice", claims: #"{"email": "Alice@Example.com", "name": "Alice", "groups": ["eng", "staging-editors"]}"#)
        let sso = Self.signIn(provider)

        let (state, url) = try await sso.begin(redirectURI: Self.redirectURI)
        let query = try #require(URLComponents(string: url)?.queryItems)
        func item(_ name: String) -> String? { query.first { $0.name == name }?.value }
        #expect(item("state") == state)
        #expect(item("code_challenge_method") == "S256")
        #expect(item("response_type") == "code")
        #expect(item("nonce")?.count == 43)

        let back = try Self.callback(try await provider.signIn(at: url, subject: "alice"))
        #expect(back.state == state)
        let identity = try await sso.finish(state: back.state, code: back.code)
        #expect(identity == OIDCIdentity(subject: "alice", email: "alice@example.com", name: "Alice", groups: ["eng", "staging-editors"]))
    }

    @Test func aCallbackWithAnUnknownOrUsedStateIsRefused() async throws {
        let provider = try await OIDCProviderMock()
        defer { provider.stop() }
        try await provider.setUser("bob", claims: #"{"email": "bob@example.com"}"#)
        let sso = Self.signIn(provider)
        let (_, url) = try await sso.begin(redirectURI: Self.redirectURI)
        let back = try Self.callback(try await provider.signIn(at: url, subject: "bob"))

        await #expect(throws: OIDCError("this sign-in is unknown or took too long; start again")) {
            try await sso.finish(state: "made-up", code: back.code)
        }
        _ = try await sso.finish(state: back.state, code: back.code)
        await #expect(throws: OIDCError("this sign-in is unknown or took too long; start again")) {
            try await sso.finish(state: back.state, code: back.code)
        }
    }
}
