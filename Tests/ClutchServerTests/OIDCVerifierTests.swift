import ClutchCore
import Foundation
import JWTKit
import Synchronization
import Testing

@testable import ClutchServer

/// The ID token checks of single sign-on, with keys the test makes: jwt-kit checks the
/// signature against the JWKS, ``OIDCTokenVerifier`` the issuer, audience, expiry and nonce on the
/// server's clock; the JWKS is kept and read again for a key id it does not hold.
@Suite struct OIDCVerifierTests {
    static let issuer = "https://id.example.com"
    static let clientID = "clutch"

    /// A provider's signing key and the JWKS that publishes it.
    struct ProviderKey {
        let key = ES256PrivateKey()
        let kid: String

        var jwk: String {
            let parameters = key.parameters!
            return #"{"kty":"EC","crv":"P-256","use":"sig","alg":"ES256","kid":"\#(kid)","x":"\#(parameters.x)","y":"\#(parameters.y)"}"#
        }

        func sign(_ claims: [String: Value]) async throws -> String {
            let keys = await JWTKeyCollection().add(ecdsa: key, kid: JWKIdentifier(string: kid))
            return try await keys.sign(OIDCIDTokenClaims(claims: claims), kid: JWKIdentifier(string: kid))
        }
    }

    /// The JWKS a test's provider serves now, and how often it was read.
    final class KeySet: Sendable {
        private let state: Mutex<[String]>

        init(_ keys: [ProviderKey]) {
            state = Mutex(keys.map(\.jwk))
        }

        func publish(_ keys: [ProviderKey]) {
            state.withLock { $0 = keys.map(\.jwk) }
        }

        var json: String { #"{"keys":[\#(state.withLock { $0 }.joined(separator: ","))]}"# }
    }

    static func verifier(_ keySet: KeySet, clock: TestClock) -> OIDCTokenVerifier {
        OIDCTokenVerifier(
            issuer: issuer, clientID: clientID, groupsClaim: "groups", clock: clock,
            loadKeySet: { () async throws(OIDCError) -> String in keySet.json })
    }

    /// Claims a provider would send for alice, issued now on `clock`, with `changes` applied.
    static func claims(clock: TestClock, nonce: String = "n-1", _ changes: [String: Value?] = [:]) -> [String: Value] {
        let now = Int64(clock.now().timeIntervalSince1970)
        var claims: [String: Value] = [
            "iss": .string(issuer), "aud": .string(clientID), "sub": "alice-sub", "email": "Alice@Example.com",
            "name": "Alice Liddell", "groups": .array(["staff", "clutch-editors"]), "nonce": .string(nonce),
            "iat": .integer(now), "exp": .integer(now + 300),
        ]
        for (name, value) in changes { claims[name] = value }
        return claims
    }

    static func refusal(_ verifier: OIDCTokenVerifier, _ token: String, nonce: String = "n-1") async -> String? {
        do {
            _ = try await verifier.verify(token, nonce: nonce)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func aTokenSignedByTheProvidersKeyGivesTheIdentityWithItsGroups() async throws {
        let clock = TestClock()
        let key = ProviderKey(kid: "k1")
        let verifier = Self.verifier(KeySet([key]), clock: clock)
        let identity = try await verifier.verify(try await key.sign(Self.claims(clock: clock)), nonce: "n-1")
        #expect(identity == OIDCIdentity(subject: "alice-sub", email: "alice@example.com", name: "Alice Liddell", groups: ["staff", "clutch-editors"]))
    }

    @Test func aTokenForAnotherSignInsNonceIsRefused() async throws {
        let clock = TestClock()
        let key = ProviderKey(kid: "k1")
        let verifier = Self.verifier(KeySet([key]), clock: clock)
        let token = try await key.sign(Self.claims(clock: clock, nonce: "someone-elses"))
        #expect(await Self.refusal(verifier, token) == "the ID token does not carry this sign-in's nonce")
        let noNonce = try await key.sign(Self.claims(clock: clock, ["nonce": nil]))
        #expect(await Self.refusal(verifier, noNonce) == "the ID token does not carry this sign-in's nonce")
    }

    @Test func aTokenForAnotherAudienceOrIssuerIsRefused() async throws {
        let clock = TestClock()
        let key = ProviderKey(kid: "k1")
        let verifier = Self.verifier(KeySet([key]), clock: clock)
        let otherAudience = try await key.sign(Self.claims(clock: clock, ["aud": "another-app"]))
        #expect(await Self.refusal(verifier, otherAudience) == "the ID token is not meant for this client (aud)")
        let shared = try await key.sign(Self.claims(clock: clock, ["aud": .array(["another-app", "clutch"]), "azp": "another-app"]))
        #expect(await Self.refusal(verifier, shared) == "the ID token has several audiences and was not issued to this client (azp)")
        let otherIssuer = try await key.sign(Self.claims(clock: clock, ["iss": "https://evil.example.com"]))
        #expect(await Self.refusal(verifier, otherIssuer) == "the ID token was issued by https://evil.example.com, not \(Self.issuer)")
    }

    @Test func anExpiredTokenIsRefusedOnTheServersClock() async throws {
        let clock = TestClock()
        let key = ProviderKey(kid: "k1")
        let verifier = Self.verifier(KeySet([key]), clock: clock)
        let token = try await key.sign(Self.claims(clock: clock))
        #expect(await Self.refusal(verifier, token) == nil)
        // Five minutes of validity, one of allowed clock skew: six minutes later it is refused.
        clock.advance(by: .seconds(6 * 60))
        #expect(await Self.refusal(verifier, token) == "the ID token has expired")
    }

    @Test func aTokenSignedByAnotherKeyUnderTheProvidersKeyIDIsRefused() async throws {
        let clock = TestClock()
        let published = ProviderKey(kid: "k1")
        let forger = ProviderKey(kid: "k1")
        let verifier = Self.verifier(KeySet([published]), clock: clock)
        let forged = try await forger.sign(Self.claims(clock: clock))
        #expect(await Self.refusal(verifier, forged) == "the ID token's signature does not match the provider's key")
        // Claims changed after signing: the signature no longer holds.
        let genuine = try await published.sign(Self.claims(clock: clock))
        let parts = genuine.split(separator: ".")
        let altered = ConsoleSessions.base64URL(
            try JSONEncoder().encode(Self.claims(clock: clock, ["email": "mallory@example.com"])))
        #expect(await Self.refusal(verifier, "\(parts[0]).\(altered).\(parts[2])") == "the ID token's signature does not match the provider's key")
    }

    @Test func theKeySetIsKeptAndReadAgainForAnUnknownKeyID() async throws {
        let clock = TestClock()
        let old = ProviderKey(kid: "k1")
        let keySet = KeySet([old])
        let verifier = Self.verifier(keySet, clock: clock)
        _ = try await verifier.verify(try await old.sign(Self.claims(clock: clock)), nonce: "n-1")
        _ = try await verifier.verify(try await old.sign(Self.claims(clock: clock)), nonce: "n-1")
        #expect(await verifier.keySetLoads == 1)

        // The provider rotates to a new key: the first token signed with it reads the JWKS again.
        let new = ProviderKey(kid: "k2")
        keySet.publish([new])
        clock.advance(by: .seconds(OIDCTokenVerifier.refreshInterval))
        let identity = try await verifier.verify(try await new.sign(Self.claims(clock: clock)), nonce: "n-1")
        #expect(identity.email == "alice@example.com")
        #expect(await verifier.keySetLoads == 2)

        // A made-up key id right after: refused without asking the provider again.
        let stranger = ProviderKey(kid: "k3")
        #expect(
            await Self.refusal(verifier, try await stranger.sign(Self.claims(clock: clock)))
                == "the ID token is signed with a key the provider does not list")
        #expect(await verifier.keySetLoads == 2)
    }

    @Test func anUnverifiedEmailOrNoEmailIsRefused() async throws {
        let clock = TestClock()
        let key = ProviderKey(kid: "k1")
        let verifier = Self.verifier(KeySet([key]), clock: clock)
        let unverified = try await key.sign(Self.claims(clock: clock, ["email_verified": .bool(false)]))
        #expect(await Self.refusal(verifier, unverified) == "the provider has not verified the email address alice@example.com")
        let none = try await key.sign(Self.claims(clock: clock, ["email": nil]))
        #expect(await Self.refusal(verifier, none) == "the provider sent no email address for alice-sub")
    }

    @Test func pkceChallengesAreTheVerifiersSHA256InBase64URLWithoutPadding() {
        // As Python computes it: base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=").
        #expect(PKCE.challenge(for: "dBjftJeZ4CVP-mJ92K9qp1mUSEb5t2Pdn5u8ODLQlHw") == "6EHLW9EBfOiRCYZWC4kIjehMpQq9ellTdVWzwbV5saQ")
    }

    @Test func aSignInsStateIsTakenOnceAndExpiresOnTheServersClock() {
        let clock = TestClock()
        let pending = OIDCPendingSignIns(clock: clock)
        let (state, started) = pending.start(redirectURI: "http://127.0.0.1/ui/oidc/callback")
        #expect(started.nonce != started.codeVerifier)
        #expect(pending.take(state: state) == started)
        #expect(pending.take(state: state) == nil)

        let (late, _) = pending.start(redirectURI: "http://127.0.0.1/ui/oidc/callback")
        clock.advance(by: OIDCPendingSignIns.lifetime)
        #expect(pending.take(state: late) == nil)
    }
}
