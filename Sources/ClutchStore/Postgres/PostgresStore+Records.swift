import ClutchCore
import Foundation
import PostgresNIO

/// The audit log and console sessions: records that are not changes to flags (no revision, no
/// version bump), kept as ``FlagStore`` keeps them. (Usage is written once: SQLStore+Usage.swift.)
extension PostgresStore {
    // MARK: Audit

    public func auditEvents(since: Date?, flag: String?, limit: Int) async throws -> [AuditEvent] {
        // The console's filtered page, with no actor, end or cursor: one query for both.
        guard limit > 0 else { return [] }
        return try await auditPage(flag: flag, actor: nil, since: since, until: nil, before: nil, limit: limit).events
    }

    static func auditEvent(_ row: PostgresRandomAccessRow) throws -> AuditEvent {
        AuditEvent(
            id: try row.get("id"), at: try row.get("at"), actor: try row.get("actor"), action: try row.get("action"),
            entity: try row.get("entity"), key: try row.get("key"), environment: try row.get("environment"),
            revision: try row.get("revision"), message: try row.get("message"))
    }

    // MARK: Console sessions

    public func createConsoleSession(hash: String, record: ConsoleSessionRecord) async throws {
        try await unlocked { session in
            try await session.execute(
                """
                INSERT INTO console_session (hash, principal, role, csrf_hash, created_at, last_seen)
                VALUES (\(hash), \(record.principal), \(record.role), \(record.csrfHash), \(record.createdAt), \(record.lastSeen))
                """)
        }
    }

    public func touchConsoleSession(hash: String, now: Date, idleLimit: TimeInterval) async throws -> ConsoleSessionRecord? {
        let cutoff = now.addingTimeInterval(-idleLimit)
        return try await unlocked { session -> ConsoleSessionRecord? in
                try await session.execute("DELETE FROM console_session WHERE last_seen < \(cutoff)")
                guard let row = try await session.row(
                    "UPDATE console_session SET last_seen = \(now) WHERE hash = \(hash) RETURNING principal, role, csrf_hash, created_at")
                else { return nil }
                return ConsoleSessionRecord(
                    principal: try row.get("principal"), role: try row.get("role"), csrfHash: try row.get("csrf_hash"),
                    createdAt: try row.get("created_at"), lastSeen: now)
        }
    }

    public func deleteConsoleSession(hash: String) async throws {
        try await unlocked { session in try await session.execute("DELETE FROM console_session WHERE hash = \(hash)") }
    }
}

extension PostgresStore: ClutchStoring {}
