import ClutchCore
import Foundation
import PostgresNIO

/// Usage counts, the audit log and console sessions: records that are not changes to flags
/// (no revision, no version bump), kept as ``FlagStore`` keeps them.
extension PostgresStore {
    // MARK: Usage

    public func recordUsage(environment: String, counts: [UsageCount], at: Date) async throws {
        try UsageLimits.validate(counts)
        try await read { session in try await PostgresTables.requireEnvironment(session, environment) }
        try await recordUsage(counts.map { UsageEntry(environment: environment, count: $0) }, at: at)
    }

    public func recordUsage(_ entries: [UsageEntry], at: Date) async throws {
        try UsageEntry.checkNotNegative(entries)
        guard !entries.isEmpty else { return }
        // Not under the write lock: usage is no change to a flag, and the upsert is atomic per row.
        try await unlocked { session in
                for environment in Set(entries.map(\.environment)) { try await PostgresTables.requireEnvironment(session, environment) }
                for entry in entries {
                    // Sums saturate at Int64.max (NUMERIC arithmetic, then capped).
                    try await session.execute(
                        """
                        INSERT INTO usage (flag, environment, variant, count, errors, last_evaluated)
                        SELECT \(entry.flag), \(entry.environment), \(entry.variant), \(entry.count), \(entry.errors), \(entry.time(written: at))
                        WHERE EXISTS (SELECT 1 FROM flag WHERE key = \(entry.flag))
                        ON CONFLICT (flag, environment, variant) DO UPDATE SET
                            count = LEAST(usage.count::NUMERIC + excluded.count::NUMERIC, 9223372036854775807)::BIGINT,
                            errors = LEAST(usage.errors::NUMERIC + excluded.errors::NUMERIC, 9223372036854775807)::BIGINT,
                            last_evaluated = GREATEST(usage.last_evaluated, excluded.last_evaluated)
                        """)
                }
                // The same transaction hands rollout-decided counts to the running release of the
                // flag; a release turn holds its row locked, so these wait for it and are not lost.
                try await PostgresTables.addReleaseUsage(session, entries.filter(\.rollout), at: at)
                try await PostgresTables.addHourlyUsage(session, entries, at: at)
        }
    }

    public func recentUsage(flag: String, environment: String, now: Date) async throws -> RecentUsage {
        try await read { session in try await PostgresTables.recentUsage(session, flag: flag, environment: environment, now: now) }
    }

    public func usage() async throws -> [String: [String: FlagUsage]] {
        try await read { session in try await PostgresTables.usage(session, flag: nil) }
    }

    public func staleFlags(unusedForDays days: Int, now: Date) async throws -> [StaleFlag] {
        guard days >= 0 else { throw StoreError.badRequest("days cannot be negative, got \(days)", field: "days") }
        let (usage, flags) = try await read { session in
            (try await PostgresTables.usage(session, flag: nil), try await PostgresTables.allFlags(session))
        }
        return FlagStore.staleFlags(flags, usage: usage, unusedForDays: days, now: now)
    }

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
