import Foundation

/// A web console sign-in as stored: who signed in, with which role, and the hash of the
/// session's CSRF token. The session id itself is never stored, only its SHA-256 hash.
public struct ConsoleSessionRecord: Sendable, Hashable {
    /// The principal's name (the admin token's name).
    public var principal: String
    /// The principal's role; `admin` for now, so that narrower roles can come later.
    public var role: String
    /// Lowercase SHA-256 hex of the session's CSRF token.
    public var csrfHash: String
    public var createdAt: Date
    public var lastSeen: Date

    public init(principal: String, role: String, csrfHash: String, createdAt: Date, lastSeen: Date) {
        self.principal = principal
        self.role = role
        self.csrfHash = csrfHash
        self.createdAt = createdAt
        self.lastSeen = lastSeen
    }
}
