import Foundation

/// Single sign-on's protocol, start to end: the authorization request to send a browser to, and
/// from the provider's answer the verified identity. Knows nothing of people or sessions: the
/// console's controller turns the identity into a person (``OIDCGrant``) and a session.
struct OIDCSignIn: Sendable {
    let settings: OIDCSettings
    let provider: OIDCProvider
    let pending: OIDCPendingSignIns
    let verifier: OIDCTokenVerifier

    init(settings: OIDCSettings, clock: any ServerClock) {
        let provider = OIDCProvider(settings: settings)
        self.settings = settings
        self.provider = provider
        self.pending = OIDCPendingSignIns(clock: clock)
        self.verifier = OIDCTokenVerifier(
            issuer: settings.issuer, clientID: settings.clientID, groupsClaim: settings.groupsClaim, clock: clock,
            loadKeySet: { () async throws(OIDCError) -> String in try await provider.keySetJSON() })
    }

    /// Starts a sign-in whose answer comes back to `redirectURI`: its `state` (which the browser
    /// must also hold in a cookie) and the provider's URL to send the browser to.
    func begin(redirectURI: String) async throws(OIDCError) -> (state: String, url: String) {
        let (state, signIn) = pending.start(redirectURI: redirectURI)
        return (state, try await provider.authorizationURL(state: state, pending: signIn))
    }

    /// Ends the sign-in started with `state`: redeems `code` and verifies the ID token.
    func finish(state: String, code: String) async throws(OIDCError) -> OIDCIdentity {
        guard let signIn = pending.take(state: state) else {
            throw OIDCError("this sign-in is unknown or took too long; start again")
        }
        let idToken = try await provider.exchange(code: code, pending: signIn)
        return try await verifier.verify(idToken, nonce: signIn.nonce)
    }
}
