import Foundation

/// A web console sign-in as stored: who signed in, what they signed in with, and the hash of the
/// session's CSRF token. The session id itself is never stored, only its SHA-256 hash. A session
/// is bound to what opened it: it ends when that person is removed or loses rights, or that
/// token is revoked (``Rows/endConsoleSessions(_:personID:)``), and the server takes its rights
/// from them, as they are now, on every request.
public struct ConsoleSessionRecord: Sendable, Hashable {
    /// How the principal was named at sign-in (`alice@example.com`, `ci (service token)`).
    public var principal: String
    /// The principal's role everywhere at sign-in, for the record; rights are read afresh on every request.
    public var role: String
    /// Lowercase SHA-256 hex of the session's CSRF token.
    public var csrfHash: String
    public var createdAt: Date
    public var lastSeen: Date
    /// The person the session acts as (signed in with a password, single sign-on or their
    /// personal token); `nil` for a service token's session.
    public var personID: String?
    /// Lowercase SHA-256 hex of the token that opened the session (as `token.hash`); `nil` when
    /// the person signed in themselves.
    public var tokenHash: String?

    public init(
        principal: String, role: String, csrfHash: String, createdAt: Date, lastSeen: Date, personID: String?, tokenHash: String?
    ) {
        self.principal = principal
        self.role = role
        self.csrfHash = csrfHash
        self.createdAt = createdAt
        self.lastSeen = lastSeen
        self.personID = personID
        self.tokenHash = tokenHash
    }
}
