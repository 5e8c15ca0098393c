import Foundation
import GRDB

/// Hourly usage counts (`usage_hourly`, see ``RecentUsage``) in SQLite.
extension Tables {
    /// Adds `entries` to their flag's bucket for the hour they were received in (else `at`'s),
    /// then deletes buckets older than ``UsageHours/retention``; in the caller's transaction, the
    /// one writing `usage`.
    static func addHourlyUsage(_ db: Database, _ entries: [UsageEntry], at: Date) throws {
        let upsert = try db.cachedStatement(sql: """
            INSERT INTO usage_hourly (flag, environment, hour_start, count, rollout)
            SELECT ?1, ?2, ?3, ?4, ?5 WHERE EXISTS (SELECT 1 FROM flag WHERE key = ?1)
            ON CONFLICT (flag, environment, hour_start) DO UPDATE SET
                count = CASE WHEN count > 9223372036854775807 - excluded.count
                             THEN 9223372036854775807 ELSE count + excluded.count END,
                rollout = CASE WHEN rollout > 9223372036854775807 - excluded.rollout
                               THEN 9223372036854775807 ELSE rollout + excluded.rollout END
            """)
        for (key, sums) in HourlySums.of(entries, written: at) {
            try upsert.execute(arguments: [key.flag, key.environment, key.hour, sums.count, sums.rollout])
        }
        try db.execute(sql: "DELETE FROM usage_hourly WHERE hour_start < ?", arguments: [UsageHours.pruneBefore(at)])
    }

    static func recentUsage(_ db: Database, flag: String, environment: String, now: Date) throws -> RecentUsage {
        let start = UsageHours.windowStart(now)
        let rows = try Row.fetchAll(
            db, sql: "SELECT count, rollout FROM usage_hourly WHERE flag = ? AND environment = ? AND hour_start >= ? AND hour_start <= ?",
            arguments: [flag, environment, start, UsageHours.hour(of: now)])
        return HourlySums.recent(rows.map { row in
            (count: UsageArithmetic.count(from: row["count"] as DatabaseValue), rollout: UsageArithmetic.count(from: row["rollout"] as DatabaseValue))
        }, since: start)
    }
}

/// A batch's counts summed per flag, environment and hour (one upsert per bucket), and buckets
/// summed into ``RecentUsage``: both stores use these.
enum HourlySums {
    struct Key: Hashable {
        var flag: String
        var environment: String
        /// The bucket's hour (``UsageHours/hour(of:)``) of when the counts were received.
        var hour: Int64
    }

    /// `written`: the batch's time, for entries that do not say when they were received.
    static func of(_ entries: [UsageEntry], written: Date) -> [(key: Key, sums: (count: Int64, rollout: Int64))] {
        var sums: [Key: (count: Int64, rollout: Int64)] = [:]
        for entry in entries {
            let key = Key(flag: entry.flag, environment: entry.environment, hour: UsageHours.hour(of: entry.time(written: written)))
            var sum = sums[key] ?? (0, 0)
            sum.count = UsageArithmetic.add(sum.count, entry.count)
            if entry.rollout { sum.rollout = UsageArithmetic.add(sum.rollout, entry.count) }
            sums[key] = sum
        }
        return sums.sorted { ($0.key.flag, $0.key.environment, $0.key.hour) < ($1.key.flag, $1.key.environment, $1.key.hour) }
            .map { (key: $0.key, sums: $0.value) }
    }

    static func recent(_ buckets: [(count: Int64, rollout: Int64)], since: Int64) -> RecentUsage {
        RecentUsage(
            evaluations: buckets.reduce(0) { UsageArithmetic.add($0, $1.count) },
            rolloutEvaluations: buckets.reduce(0) { UsageArithmetic.add($0, $1.rollout) },
            since: Date(timeIntervalSince1970: TimeInterval(since)))
    }
}
