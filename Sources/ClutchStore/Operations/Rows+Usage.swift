import ClutchCore
import Foundation

/// Usage rows (`usage`, `usage_hourly`, `usage_variant_hourly`), written once for both databases. Usage is no change to
/// a flag: it is written in ``SQLStore/unlocked(_:)`` transactions, every statement an upsert
/// that is safe beside a concurrent one, and sums saturate (``SQLDialect/saturatingSum(_:_:limit:)``).
extension Rows {
    /// Adds each entry's counts to its flag, environment and variant, at its
    /// ``UsageEntry/receivedAt`` (else `at`); entries of flags that do not exist are skipped.
    static func addUsage(_ session: any SQLSession, _ entries: [UsageEntry], at: Date) async throws {
        let dialect = session.dialect
        for entry in entries {
            try await session.execute(
                """
                INSERT INTO usage (flag, environment, variant, count, errors, last_evaluated)
                SELECT \(entry.flag), \(entry.environment), \(entry.variant), \(entry.count), \(entry.errors), \(entry.time(written: at))
                WHERE EXISTS (SELECT 1 FROM flag WHERE key = \(entry.flag))
                ON CONFLICT (flag, environment, variant) DO UPDATE SET
                    count = \(raw: dialect.saturatingSum("usage.count", "excluded.count")),
                    errors = \(raw: dialect.saturatingSum("usage.errors", "excluded.errors")),
                    last_evaluated = \(raw: dialect.greatest("usage.last_evaluated", "excluded.last_evaluated"))
                """)
        }
    }

    /// Adds `entries` to their flag's bucket for the hour they were received in (else `at`'s),
    /// and to their variant's, then deletes buckets older than ``UsageHours/retention`` (per
    /// variant: ``UsageHours/variantRetention``); in the caller's transaction, the one writing `usage`.
    static func addHourlyUsage(_ session: any SQLSession, _ entries: [UsageEntry], at: Date) async throws {
        let dialect = session.dialect
        for (key, sums) in HourlySums.of(entries, written: at) {
            try await session.execute(
                """
                INSERT INTO usage_hourly (flag, environment, hour_start, count, rollout)
                SELECT \(key.flag), \(key.environment), \(key.hour), \(sums.count), \(sums.rollout)
                WHERE EXISTS (SELECT 1 FROM flag WHERE key = \(key.flag))
                ON CONFLICT (flag, environment, hour_start) DO UPDATE SET
                    count = \(raw: dialect.saturatingSum("usage_hourly.count", "excluded.count")),
                    rollout = \(raw: dialect.saturatingSum("usage_hourly.rollout", "excluded.rollout"))
                """)
        }
        try await session.execute("DELETE FROM usage_hourly WHERE hour_start < \(UsageHours.pruneBefore(at))")
        // Per variant, evaluations only: an errors-only entry (`count: 0`, a client key's report;
        // the server counted those evaluations itself) adds no row. Many buckets per statement
        // (a batch has as many as entries): both databases name a VALUES list's columns `columnN`.
        let buckets = HourlySums.perVariant(entries, written: at)
        for start in stride(from: 0, to: buckets.count, by: HourlySums.rowsPerStatement) {
            var rows: SQL = ""
            for (i, (key, count)) in buckets[start..<min(start + HourlySums.rowsPerStatement, buckets.count)].enumerated() {
                rows.append(i == 0 ? "" : ", ")
                rows.append("(\(key.flag), \(key.environment), \(key.hour), \(key.variant), \(count))")
            }
            try await session.execute(
                """
                INSERT INTO usage_variant_hourly (flag, environment, hour_start, variant, count)
                SELECT bucket.column1, bucket.column2, bucket.column3, bucket.column4, bucket.column5 FROM (VALUES \(rows)) AS bucket
                WHERE EXISTS (SELECT 1 FROM flag WHERE key = bucket.column1)
                ON CONFLICT (flag, environment, hour_start, variant) DO UPDATE SET
                    count = \(raw: dialect.saturatingSum("usage_variant_hourly.count", "excluded.count"))
                """)
        }
        try await session.execute("DELETE FROM usage_variant_hourly WHERE hour_start < \(UsageHours.variantPruneBefore(at))")
    }

    /// The evaluations of `flag` in `environment` counted in the current hour and the 23 before
    /// it. Counts are read as well as they can be (``SQLRow/lenientCount(_:)``), never an error.
    static func recentUsage(_ session: any SQLSession, flag: String, environment: String, now: Date) async throws -> RecentUsage {
        let start = UsageHours.windowStart(now)
        let rows = try await session.rows(
            """
            SELECT count, rollout FROM usage_hourly
            WHERE flag = \(flag) AND environment = \(environment) AND hour_start >= \(start) AND hour_start <= \(UsageHours.hour(of: now))
            """)
        return HourlySums.recent(rows.map { (count: $0.lenientCount("count"), rollout: $0.lenientCount("rollout")) }, since: start)
    }
}

/// A batch's counts summed per flag, environment and hour (one upsert per bucket), and buckets
/// summed into ``RecentUsage``.
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

    /// Buckets per variant written by one statement: 5 parameters each, far below either
    /// database's limit on parameters.
    static let rowsPerStatement = 500

    /// A bucket of one variant: ``Key`` and the variant.
    struct VariantKey: Hashable {
        var flag: String
        var environment: String
        var hour: Int64
        var variant: String
    }

    /// The evaluations of `entries` summed per flag, environment, hour and variant, in key order
    /// (two writers upsert the same rows in the same order); entries counting none are left out.
    static func perVariant(_ entries: [UsageEntry], written: Date) -> [(key: VariantKey, count: Int64)] {
        var sums: [VariantKey: Int64] = [:]
        for entry in entries where entry.count > 0 {
            let key = VariantKey(
                flag: entry.flag, environment: entry.environment, hour: UsageHours.hour(of: entry.time(written: written)), variant: entry.variant)
            sums[key] = UsageArithmetic.add(sums[key] ?? 0, entry.count)
        }
        return sums.sorted {
            ($0.key.flag, $0.key.environment, $0.key.hour, $0.key.variant) < ($1.key.flag, $1.key.environment, $1.key.hour, $1.key.variant)
        }.map { (key: $0.key, count: $0.value) }
    }

    static func recent(_ buckets: [(count: Int64, rollout: Int64)], since: Int64) -> RecentUsage {
        RecentUsage(
            evaluations: buckets.reduce(0) { UsageArithmetic.add($0, $1.count) },
            rolloutEvaluations: buckets.reduce(0) { UsageArithmetic.add($0, $1.rollout) },
            since: Date(timeIntervalSince1970: TimeInterval(since)))
    }
}

extension Rows {
    /// ``UsageSeries`` of `flag` in `environment` over `window` at `now`: per variant its
    /// evaluations per point (from `usage_variant_hourly`), its running total and when it was last
    /// evaluated (from `usage`). Counts are read as leniently as ``recentUsage(_:flag:environment:now:)``;
    /// an unknown flag or environment is `notFound`.
    static func usageSeries(
        _ session: any SQLSession, flag: String, environment: String, window: UsageWindow, now: Date
    ) async throws -> UsageSeries {
        let record = try await requireFlag(session, flag)
        try await requireEnvironment(session, environment)
        let (start, length, count) = UsageHours.points(window, now: now)
        var points: [String: [Int64]] = [:]
        for row in try await session.rows(
            """
            SELECT variant, hour_start, count FROM usage_variant_hourly
            WHERE flag = \(flag) AND environment = \(environment)
            AND hour_start >= \(start) AND hour_start <= \(UsageHours.hour(of: now))
            """)
        {
            guard let variant = try? row.get("variant", as: String.self), let hour = try? row.get("hour_start", as: Int64.self) else { continue }
            let index = Int((hour - start) / length)
            guard (0..<count).contains(index) else { continue }
            var series = points[variant] ?? Array(repeating: 0, count: count)
            series[index] = UsageArithmetic.add(series[index], row.lenientCount("count"))
            points[variant] = series
        }
        var totals: [String: (count: Int64, last: Date?)] = [:]
        for row in try await session.rows("SELECT variant, count, last_evaluated FROM usage WHERE flag = \(flag) AND environment = \(environment)") {
            guard let variant = try? row.get("variant", as: String.self) else { continue }
            totals[variant] = (row.lenientCount("count"), (try? row.get("last_evaluated", as: Date?.self)) ?? nil)
        }
        let declared = record.flag.variants.map(\.key)
        let others = Set(points.keys).union(totals.keys).subtracting(declared).sorted()
        let variants = (declared + others).map { key -> UsageSeries.Variant in
            let evaluations = points[key] ?? Array(repeating: 0, count: count)
            return UsageSeries.Variant(
                key: key, evaluations: evaluations, total: evaluations.reduce(0, UsageArithmetic.add),
                allTime: totals[key]?.count ?? 0, lastEvaluated: totals[key]?.last)
        }
        let sums = (0..<count).map { index in variants.reduce(0) { UsageArithmetic.add($0, $1.evaluations[index]) } }
        return UsageSeries(
            flag: flag, environment: environment, window: window,
            points: (0..<count).map { Date(timeIntervalSince1970: TimeInterval(start + Int64($0) * length)) },
            pointSeconds: Int(length), totals: sums, variants: variants)
    }
}
