import ClutchStore
import Crypto
import Foundation

/// A valid console session for one request: who it acts as, with their rights as they are now,
/// and the CSRF token its forms carry.
struct ConsoleSession: Sendable {
    /// The person, or the token, that opened the session, as the credential cache holds them now.
    let principal: Principal
    /// The token every POST of this session must carry in its `csrf` field.
    let csrfToken: String
    /// SHA-256 hex of the session id: the store's key for it.
    let idHash: String

    /// How the policy sees the session (never `nil`: an SDK key cannot open one).
    var subject: AccessSubject { principal.subject ?? AccessSubject(name: "", grants: []) }

    /// How revisions and the audit log name what this session does (`alice@example.com`,
    /// `ci (service token)`).
    var actor: String { subject.name }

    /// How the page frame names who is signed in: the person's name when they gave one.
    var displayName: String {
        if let person = principal.person, principal.token == nil { return person.name ?? person.email }
        return actor
    }

    /// For a page's template: `can<name>` for each action, and when the session may not do it
    /// `why<name>`, the policy's reason, shown where the control would be.
    func permissions(_ actions: [(name: String, action: AccessAction)]) -> [String: Any] {
        var values: [String: Any] = [:]
        for (name, action) in actions {
            let refusal = AccessPolicy.refusal(action, by: subject)
            values["can\(name)"] = refusal == nil
            if let refusal { values["why\(name)"] = "Not shown: \(refusal.message)." }
        }
        return values
    }

    /// The values the page frame shows (name, sign-out form, the "Your tokens" link for a person).
    var templateValues: [String: Any] {
        var values: [String: Any] = ["name": displayName, "csrf": csrfToken]
        if case .person = principal { values["person"] = true }
        return values
    }
}

/// Console sessions: random ids given to the browser as a cookie, kept in the store only as
/// SHA-256 hashes, ending after a period without requests, ``lifetime`` after they began, when
/// signed out, or when what opened them ends: the person removed or their rights lowered, the
/// token revoked or expired. Their rights are those of that person or token on every request.
struct ConsoleSessions: Sendable {
    static let cookieName = "clutch_session"
    /// How long a session lasts however busy it is: 12 hours, a working day with room to spare,
    /// so that a stolen cookie kept in use does not open the console for good.
    static let lifetime: Duration = .seconds(12 * 3600)

    let store: any ClutchStoring
    /// Who the person or token of a session is now.
    let credentials: CredentialLookup
    let idleTimeout: Duration
    /// The server's clock: when a session starts, and whether it has been idle too long.
    let clock: any ServerClock

    /// What opened a session: a person signing in themselves (password, single sign-on), or a
    /// token (the digest of its secret, and the principal it stands for).
    enum Opener: Sendable {
        case person(PersonAccess)
        case token(Principal, digestHex: String)
    }

    /// Starts a session bound to `opener`; returns the id for the cookie (never stored) and the session.
    func create(for opener: Opener) async throws -> (id: String, session: ConsoleSession) {
        let principal: Principal, tokenHash: String?
        switch opener {
        case .person(let person): (principal, tokenHash) = (.person(person), nil)
        case .token(let found, let digestHex): (principal, tokenHash) = (found, digestHex)
        }
        let now = clock.now()
        let id = Self.randomID()
        let csrf = Self.csrfToken(forSessionID: id)
        let hash = Secrets.hash(secret: id)
        let subject = principal.subject ?? AccessSubject(name: "", grants: [])
        try await store.createConsoleSession(
            hash: hash,
            record: ConsoleSessionRecord(
                principal: subject.name, role: subject.role(in: nil).rawValue, csrfHash: Secrets.hash(secret: csrf),
                createdAt: now, lastSeen: now, personID: principal.person?.id, tokenHash: tokenHash))
        return (id, ConsoleSession(principal: principal, csrfToken: csrf, idHash: hash))
    }

    /// The session whose id the cookie carries, if it exists, has not been idle too long, is
    /// younger than ``lifetime`` and what opened it still stands; using it counts as activity.
    func session(forID id: String) async throws -> ConsoleSession? {
        // A real id is 43 base64url characters; anything else cannot match and is not hashed.
        guard id.utf8.count == 43, id.utf8.allSatisfy(Self.isBase64URL) else { return nil }
        let hash = Secrets.hash(secret: id)
        guard let record = try await store.touchConsoleSession(hash: hash, now: clock.now(), idleLimit: idleTimeout.seconds, lifetime: Self.lifetime.seconds)
        else { return nil }
        let csrf = Self.csrfToken(forSessionID: id)
        // The stored hash ties the token to this session row; a mismatch means the row is not ours.
        guard Self.constantTimeEqual(Secrets.hash(secret: csrf), record.csrfHash) else { return nil }
        guard let principal = await principal(of: record) else {
            // What opened it has ended (here, or on a replica that has not deleted the row yet): so does the session.
            try await store.deleteConsoleSession(hash: hash)
            return nil
        }
        return ConsoleSession(principal: principal, csrfToken: csrf, idHash: hash)
    }

    /// The person or token that opened `record`, as they are now; `nil` when it no longer stands
    /// (a token revoked or expired, a person removed, a personal token of another person).
    private func principal(of record: ConsoleSessionRecord) async -> Principal? {
        if let tokenHash = record.tokenHash {
            guard let digest = CredentialCache.Digest(hex: tokenHash), let found = await credentials.principal(for: digest),
                found.token != nil, found.person?.id == record.personID
            else { return nil }
            return found
        }
        guard let personID = record.personID, let person = await credentials.person(id: personID) else { return nil }
        return .person(person)
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

    /// Base64url without padding: ids, tokens and PKCE challenges in URLs and cookies.
    static func base64URL(_ data: Data) -> String {
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
