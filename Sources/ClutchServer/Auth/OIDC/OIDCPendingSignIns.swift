import Crypto
import Foundation
import Synchronization

/// What one sign-in started at `/ui/login/oidc` must find again at `/ui/oidc/callback`.
struct OIDCPendingSignIn: Sendable, Equatable {
    /// The ID token must carry it back (`nonce`): a token issued for another sign-in is refused.
    let nonce: String
    /// PKCE's code verifier: only this server can redeem the code the provider sends back.
    let codeVerifier: String
    /// Where the callback was registered (`redirect_uri`), sent again with the code.
    let redirectURI: String
    /// When it stops being accepted, on the server's clock.
    let expires: Date
}

/// Sign-ins under way, by their `state`: each is taken once, and forgotten after
/// ``lifetime`` (a person who takes longer at the provider starts again). In memory: a sign-in
/// ends on the replica it started on, which the state cookie's browser reaches again.
final class OIDCPendingSignIns: Sendable {
    /// How long a person may take at the provider.
    static let lifetime: Duration = .seconds(10 * 60)
    /// At most this many sign-ins wait at once; the oldest go first, so a flood of started and
    /// abandoned sign-ins cannot grow the server's memory.
    static let capacity = 10_000

    private let clock: any ServerClock
    private let pending = Mutex<[String: OIDCPendingSignIn]>([:])

    init(clock: any ServerClock) {
        self.clock = clock
    }

    /// Starts a sign-in: a new random state, nonce and PKCE verifier, remembered under the state.
    func start(redirectURI: String) -> (state: String, pending: OIDCPendingSignIn) {
        let now = clock.now()
        let state = ConsoleSessions.randomID()
        let signIn = OIDCPendingSignIn(
            nonce: ConsoleSessions.randomID(), codeVerifier: ConsoleSessions.randomID(), redirectURI: redirectURI,
            expires: now.addingTimeInterval(Self.lifetime.seconds))
        pending.withLock { pending in
            pending = pending.filter { $0.value.expires > now }
            if pending.count >= Self.capacity, let oldest = pending.min(by: { $0.value.expires < $1.value.expires }) {
                pending[oldest.key] = nil
            }
            pending[state] = signIn
        }
        return (state, signIn)
    }

    /// The sign-in started with `state`, removed so it cannot be used twice; `nil` when there is
    /// none or it expired.
    func take(state: String) -> OIDCPendingSignIn? {
        let now = clock.now()
        guard let signIn = pending.withLock({ $0.removeValue(forKey: state) }), signIn.expires > now else { return nil }
        return signIn
    }
}

/// PKCE (RFC 7636) with `S256`: the authorization request carries the verifier's hash, the code
/// exchange the verifier itself.
enum PKCE {
    static func challenge(for verifier: String) -> String {
        ConsoleSessions.base64URL(Data(SHA256.hash(data: Data(verifier.utf8))))
    }
}
