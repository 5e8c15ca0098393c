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
}

extension PostgresStore: ClutchStoring {}
