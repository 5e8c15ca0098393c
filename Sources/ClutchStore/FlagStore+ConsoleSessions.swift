import Foundation
import GRDB

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

extension FlagStore {
    /// Stores a new console session under the hash of its id.
    public func createConsoleSession(hash: String, record: ConsoleSessionRecord) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO console_session (hash, principal, role, csrf_hash, created_at, last_seen)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [hash, record.principal, record.role, record.csrfHash, record.createdAt, record.lastSeen])
        }
    }

    /// The session stored under `hash` if it was seen within `idleLimit` before `now`; its
    /// `last_seen` becomes `now`. An expired session is deleted and `nil` is returned, so an old
    /// cookie never comes back to life. Sessions idle for longer are swept at the same time.
    public func touchConsoleSession(hash: String, now: Date, idleLimit: TimeInterval) async throws -> ConsoleSessionRecord? {
        let cutoff = now.addingTimeInterval(-idleLimit)
        return try await pool.write { db in
            try db.execute(sql: "DELETE FROM console_session WHERE last_seen < ?", arguments: [cutoff])
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM console_session WHERE hash = ?", arguments: [hash]) else {
                return nil
            }
            try db.execute(sql: "UPDATE console_session SET last_seen = ? WHERE hash = ?", arguments: [now, hash])
            return ConsoleSessionRecord(
                principal: try row.decode(String.self, forColumn: "principal"),
                role: try row.decode(String.self, forColumn: "role"),
                csrfHash: try row.decode(String.self, forColumn: "csrf_hash"),
                createdAt: try row.decode(Date.self, forColumn: "created_at"),
                lastSeen: now)
        }
    }

    /// Deletes the session stored under `hash` (signing out); deleting it again changes nothing.
    public func deleteConsoleSession(hash: String) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM console_session WHERE hash = ?", arguments: [hash])
        }
    }
}
