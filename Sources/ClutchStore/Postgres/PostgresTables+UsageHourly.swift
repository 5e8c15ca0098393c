import Foundation
import PostgresNIO

/// Hourly usage counts (`usage_hourly`, see ``RecentUsage``) in PostgreSQL, as SQLite keeps them.
extension PostgresTables {
    /// Adds `entries` to their flag's bucket for the hour they were received in (else `at`'s),
    /// then deletes buckets older than ``UsageHours/retention``; in the caller's transaction, the
    /// one writing `usage`.
    static func addHourlyUsage(_ session: PostgresSession, _ entries: [UsageEntry], at: Date) async throws {
        for (key, sums) in HourlySums.of(entries, written: at) {
            // Sums saturate at Int64.max (NUMERIC arithmetic, then capped).
            try await session.execute(
                """
                INSERT INTO usage_hourly (flag, environment, hour_start, count, rollout)
                SELECT \(key.flag), \(key.environment), \(key.hour), \(sums.count), \(sums.rollout)
                WHERE EXISTS (SELECT 1 FROM flag WHERE key = \(key.flag))
                ON CONFLICT (flag, environment, hour_start) DO UPDATE SET
                    count = LEAST(usage_hourly.count::NUMERIC + excluded.count::NUMERIC, 9223372036854775807)::BIGINT,
                    rollout = LEAST(usage_hourly.rollout::NUMERIC + excluded.rollout::NUMERIC, 9223372036854775807)::BIGINT
                """)
        }
        try await session.execute("DELETE FROM usage_hourly WHERE hour_start < \(UsageHours.pruneBefore(at))")
    }

    static func recentUsage(_ session: PostgresSession, flag: String, environment: String, now: Date) async throws -> RecentUsage {
        let start = UsageHours.windowStart(now)
        let rows = try await session.rows(
            """
            SELECT count, rollout FROM usage_hourly
            WHERE flag = \(flag) AND environment = \(environment) AND hour_start >= \(start) AND hour_start <= \(UsageHours.hour(of: now))
            """)
        return HourlySums.recent(try rows.map { (count: try $0.get("count", as: Int64.self), rollout: try $0.get("rollout", as: Int64.self)) }, since: start)
    }
}
