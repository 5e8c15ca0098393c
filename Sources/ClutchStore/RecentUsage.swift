import Foundation

/// A flag's evaluations in one environment over the last day, from hourly counts: what the
/// console's Rollout control shows ("in the last day, N evaluations reached the rollout; 10 %
/// would cover about M"). Hourly counts are written with every usage report and kept for
/// ``UsageHours/retention``, so the table holds at most one row per flag, environment and hour.
public struct RecentUsage: Sendable, Hashable, Codable {
    /// All evaluations counted (every variant, every reason).
    public var evaluations: Int64
    /// The evaluations the flag's default rollout decided (reason `SPLIT` from the fallthrough):
    /// those a change of the rollout's percentage redistributes.
    public var rolloutEvaluations: Int64
    /// The start of the oldest hour counted.
    public var since: Date

    public init(evaluations: Int64, rolloutEvaluations: Int64, since: Date) {
        self.evaluations = evaluations
        self.rolloutEvaluations = rolloutEvaluations
        self.since = since
    }

    /// Whether any evaluation was counted in the window.
    public var hasData: Bool { evaluations > 0 }

    /// The evaluations a rollout applies to: those the rollout decided when there were any;
    /// otherwise (no rollout yet, or none reached it) every evaluation, an upper bound, since
    /// targets and rules decide some of them before the rollout (``isUpperBound``).
    public var reachable: Int64 { rolloutEvaluations > 0 ? rolloutEvaluations : evaluations }

    /// Whether ``reachable`` counts every evaluation rather than those the rollout decided.
    public var isUpperBound: Bool { rolloutEvaluations == 0 }

    /// About how many of ``reachable`` a rollout of `percent` % (0–100) covers, rounded.
    public func covered(percent: Double) -> Int64 {
        guard percent.isFinite else { return 0 }
        let share = min(max(percent, 0), 100) / 100
        let covered = (Double(reachable) * share).rounded()
        return covered >= 9.2e18 ? .max : Int64(covered)
    }
}

/// The hourly buckets usage is counted in.
public enum UsageHours {
    /// One bucket's length in seconds.
    public static let bucket: Int64 = 3_600
    /// Buckets ``RecentUsage`` sums: the current hour and the 23 before it.
    public static let window: Int64 = 24
    /// How long buckets are kept: older ones are deleted as new usage is written, which bounds
    /// the table by flags × environments × hours whatever SDKs report.
    public static let retention: Int64 = 72

    /// The start of `date`'s hour, in seconds since 1970 (the bucket key both stores use).
    public static func hour(of date: Date) -> Int64 {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        return seconds - ((seconds % bucket) + bucket) % bucket
    }

    /// The oldest bucket ``RecentUsage`` sums at `now`.
    public static func windowStart(_ now: Date) -> Int64 { hour(of: now) - (window - 1) * bucket }

    /// Buckets older than this are deleted when usage is written at `now`.
    public static func pruneBefore(_ now: Date) -> Int64 { hour(of: now) - retention * bucket }
}

/// A flag's usage in one environment as the console's flag page draws it: evaluations per hour
/// over the last day (every variant, from the hourly counts), and per variant the evaluations
/// counted since SDKs first reported them and when each was last served.
public struct UsageChart: Sendable, Hashable {
    /// One hour's evaluations.
    public struct Hour: Sendable, Hashable {
        public var start: Date
        public var evaluations: Int64
    }

    /// One variant's evaluations and when it was last evaluated.
    public struct Variant: Sendable, Hashable {
        public var key: String
        public var evaluations: Int64
        public var lastEvaluated: Date?
    }

    /// The current hour and the 23 before it (``UsageHours/window``), oldest first; hours without
    /// a count are 0.
    public var hours: [Hour]
    /// Every variant with usage, by key.
    public var variants: [Variant]

    /// Evaluations in the window (sums saturate).
    public var total: Int64 { hours.reduce(0) { UsageArithmetic.add($0, $1.evaluations) } }
    /// Evaluations of every variant since first reported (sums saturate).
    public var variantTotal: Int64 { variants.reduce(0) { UsageArithmetic.add($0, $1.evaluations) } }

    /// Hourly sums (`hour_start` → count) laid out over the window ending at `now`'s hour.
    static func of(hourly: [Int64: Int64], variants: [Variant], now: Date) -> UsageChart {
        let start = UsageHours.windowStart(now)
        let hours = (0..<UsageHours.window).map { index -> Hour in
            let hour = start + index * UsageHours.bucket
            return Hour(start: Date(timeIntervalSince1970: TimeInterval(hour)), evaluations: hourly[hour] ?? 0)
        }
        return UsageChart(hours: hours, variants: variants.sorted { $0.key < $1.key })
    }
}
