import Foundation

/// Web console sign-ins, kept by the hash of their id. Not a change to a flag: each runs in an
/// ``SQLStore/unlocked(_:)`` transaction, so that a page view never waits for the write lock
/// (PostgreSQL), and each statement is safe beside a concurrent one.
extension SQLStore {
    /// Stores a new console session under the hash of its id.
    public func createConsoleSession(hash: String, record: ConsoleSessionRecord) async throws {
        try await unlocked { session -> Void in
            try await session.execute(
                """
                INSERT INTO console_session (hash, principal, role, csrf_hash, created_at, last_seen, person_id, token_hash)
                VALUES (\(hash), \(record.principal), \(record.role), \(record.csrfHash), \(record.createdAt), \(record.lastSeen),
                        \(record.personID), \(record.tokenHash))
                """)
        }
    }

    /// The session stored under `hash` if it was seen within `idleLimit` before `now` and began
    /// within `lifetime` before it; its `last_seen` becomes `now`. An expired session is deleted
    /// and `nil` is returned, so an old cookie never comes back to life. Sessions idle for longer,
    /// or older, are swept at the same time.
    public func touchConsoleSession(
        hash: String, now: Date, idleLimit: TimeInterval, lifetime: TimeInterval
    ) async throws -> ConsoleSessionRecord? {
        let idleCutoff = now.addingTimeInterval(-idleLimit)
        // However busy, a session ends `lifetime` after it began: a stolen cookie kept warm does not last.
        let startCutoff = now.addingTimeInterval(-lifetime)
        return try await unlocked { session -> ConsoleSessionRecord? in
            try await session.execute("DELETE FROM console_session WHERE last_seen < \(idleCutoff) OR created_at < \(startCutoff)")
            // One statement finds and refreshes the session: a sweep beside it cannot delete it in between.
            guard let row = try await session.row(
                """
                UPDATE console_session SET last_seen = \(now) WHERE hash = \(hash)
                RETURNING principal, role, csrf_hash, created_at, person_id, token_hash
                """)
            else { return nil }
            return ConsoleSessionRecord(
                principal: try row.get("principal"), role: try row.get("role"), csrfHash: try row.get("csrf_hash"),
                createdAt: try row.get("created_at"), lastSeen: now, personID: try row.get("person_id"), tokenHash: try row.get("token_hash"))
        }
    }

    /// Deletes the session stored under `hash` (signing out); deleting it again changes nothing.
    public func deleteConsoleSession(hash: String) async throws {
        try await unlocked { session -> Void in try await session.execute("DELETE FROM console_session WHERE hash = \(hash)") }
    }
}
