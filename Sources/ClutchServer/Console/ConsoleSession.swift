import ClutchStore
import Crypto
import Foundation

/// Who is signed in to the console. General on purpose: a name and a role, so that roles other
/// than `admin` can come later without changing how sessions work.
public struct ConsolePrincipal: Sendable, Hashable {
    /// What a principal may do. Only admins exist today.
    public enum Role: String, Sendable {
        case admin
    }

    public var name: String
    public var role: Role
}

/// A valid console session for one request: the principal and the CSRF token its forms carry.
struct ConsoleSession: Sendable {
    let principal: ConsolePrincipal
    /// The token every POST of this session must carry in its `csrf` field.
    let csrfToken: String
    /// SHA-256 hex of the session id: the store's key for it.
    let idHash: String

    /// The values the page frame shows (name, sign-out form).
    var templateValues: [String: Any] { ["name": principal.name, "csrf": csrfToken] }
}

/// Console sessions: random ids given to the browser as a cookie, kept in the store only as
/// SHA-256 hashes, ending after a period without requests, ``lifetime`` after they began, or when
/// signed out.
struct ConsoleSessions: Sendable {
    static let cookieName = "clutch_session"
    /// How long a session lasts however busy it is: 12 hours, a working day with room to spare,
    /// so that a stolen cookie kept in use does not open the console for good.
    static let lifetime: Duration = .seconds(12 * 3600)

    let store: any ClutchStoring
    let idleTimeout: Duration
    /// The server's clock: when a session starts, and whether it has been idle too long.
    let clock: any ServerClock

    /// Starts a session for `principal`; returns the id for the cookie (never stored) and the session.
    func create(for principal: ConsolePrincipal) async throws -> (id: String, session: ConsoleSession) {
        let now = clock.now()
        let id = Self.randomID()
        let csrf = Self.csrfToken(forSessionID: id)
        let hash = Secrets.hash(secret: id)
        try await store.createConsoleSession(
            hash: hash,
            record: ConsoleSessionRecord(
                principal: principal.name, role: principal.role.rawValue, csrfHash: Secrets.hash(secret: csrf),
                createdAt: now, lastSeen: now))
        return (id, ConsoleSession(principal: principal, csrfToken: csrf, idHash: hash))
    }

    /// The session whose id the cookie carries, if it exists, has not been idle too long and is
    /// younger than ``lifetime``; using it counts as activity.
    func session(forID id: String) async throws -> ConsoleSession? {
        // A real id is 43 base64url characters; anything else cannot match and is not hashed.
        guard id.utf8.count == 43, id.utf8.allSatisfy(Self.isBase64URL) else { return nil }
        let hash = Secrets.hash(secret: id)
        guard let record = try await store.touchConsoleSession(hash: hash, now: clock.now(), idleLimit: idleTimeout.seconds, lifetime: Self.lifetime.seconds),
            let role = ConsolePrincipal.Role(rawValue: record.role)
        else { return nil }
        let csrf = Self.csrfToken(forSessionID: id)
        // The stored hash ties the token to this session row; a mismatch means the row is not ours.
        guard Self.constantTimeEqual(Secrets.hash(secret: csrf), record.csrfHash) else { return nil }
        return ConsoleSession(principal: ConsolePrincipal(name: record.principal, role: role), csrfToken: csrf, idHash: hash)
    }

    /// Ends the session server-side: its cookie no longer works anywhere.
    func end(_ session: ConsoleSession) async throws {
        try await store.deleteConsoleSession(hash: session.idHash)
    }

    /// 32 random bytes, base64url without padding.
    static func randomID() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return base64URL(Data(bytes))
    }

    /// The session's CSRF token: an HMAC of a fixed label keyed by the session id. Only the
    /// holder of the cookie can compute it, it changes with every session, and it needs no
    /// storage of its own (its hash is stored with the session).
    static func csrfToken(forSessionID id: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array("clutch-console-csrf".utf8), using: SymmetricKey(data: Array(id.utf8)))
        return base64URL(Data(mac))
    }

    /// Compares two strings in time that depends on their length only.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    private static func isBase64URL(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "_"):
            return true
        default:
            return false
        }
    }

    private static func base64URL(_ data: Data) -> String {
        data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}

extension Duration {
    /// The duration in seconds, as a `TimeInterval`.
    var seconds: TimeInterval {
        let parts = components
        return TimeInterval(parts.seconds) + TimeInterval(parts.attoseconds) / 1e18
    }
}
