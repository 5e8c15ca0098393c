import ClutchAPI
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

    /// How long buckets per variant are kept (8 days): a week's chart (``UsageWindow/week``)
    /// reaches back to the start of the day 6 days before today, at most 7 days and 23 hours.
    public static let variantRetention: Int64 = 8 * 24

    /// Buckets per variant older than this are deleted when usage is written at `now`.
    public static func variantPruneBefore(_ now: Date) -> Int64 { hour(of: now) - variantRetention * bucket }

    /// The points of `window` at `now`: the first point's start (seconds since 1970), each
    /// point's length, and how many there are; the last point holds `now`. A day is 24 hourly
    /// points, a week 7 daily ones (days in UTC).
    public static func points(_ window: UsageWindow, now: Date) -> (start: Int64, length: Int64, count: Int) {
        switch window {
        case .day:
            return (windowStart(now), bucket, Int(UsageHours.window))
        case .week:
            let day: Int64 = 24 * bucket
            let hour = hour(of: now)
            let today = hour - ((hour % day) + day) % day
            return (today - 6 * day, day, 7)
        }
    }
}
