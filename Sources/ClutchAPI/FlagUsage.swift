import ClutchCore
import Foundation

/// A flag's usage in one environment.
public struct FlagUsage: Sendable, Hashable, Codable {
    public var lastEvaluated: Date
    /// Variant key → evaluations reported.
    public var variants: [String: Int64]

    public init(lastEvaluated: Date, variants: [String: Int64]) {
        self.lastEvaluated = lastEvaluated
        self.variants = variants
    }
}

/// A stale flag (``FlagStage/stale``): its checks can probably leave the code. What
/// `GET /flags/stale` lists and the `flag.stale` webhook event names.
public struct StaleFlag: Sendable, Hashable, Codable {
    public var key: String
    public var kind: FlagKind
    /// Who should clean it up, when the flag names someone.
    public var owner: String?
    /// Why it is stale, in words (``FlagLifecycle/reason``).
    public var reason: String
    public var lastEvaluated: Date?

    public init(key: String, kind: FlagKind = .release, owner: String? = nil, reason: String, lastEvaluated: Date?) {
        self.key = key
        self.kind = kind
        self.owner = owner
        self.reason = reason
        self.lastEvaluated = lastEvaluated
    }

    /// The flag of `record` if its lifecycle says it is stale.
    public init?(_ record: FlagRecord) {
        guard let lifecycle = record.lifecycle, lifecycle.stage == .stale else { return nil }
        self.init(
            key: record.flag.key, kind: record.flag.kind, owner: record.flag.owner, reason: lifecycle.reason ?? "stale",
            lastEvaluated: lifecycle.lastEvaluated)
    }

    enum CodingKeys: String, CodingKey { case key, kind, owner, reason, lastEvaluated }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(key, forKey: .key)
        try c.encode(kind, forKey: .kind)
        try c.encode(owner, forKey: .owner)
        try c.encode(reason, forKey: .reason)
        try c.encode(lastEvaluated, forKey: .lastEvaluated)
    }
}

/// The span a ``UsageSeries`` covers.
public enum UsageWindow: String, Sendable, Hashable, Codable, CaseIterable {
    /// The current hour and the 23 before it: 24 hourly points.
    case day
    /// The current day (UTC) and the 6 before it: 7 daily points.
    case week

    /// `day` or `week`, as the API, the CLI and the console name them.
    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// A flag's evaluations in one environment per variant over a ``UsageWindow``, from the hourly
/// counts the server keeps per variant, and when each variant was last evaluated: what
/// `GET /flags/{key}/usage`, `clutch usage` and the console's usage chart show.
public struct UsageSeries: Sendable, Hashable, Codable {
    /// One variant's evaluations in the window and overall.
    public struct Variant: Sendable, Hashable, Codable {
        public var key: String
        /// Evaluations per point, aligned with ``UsageSeries/points``.
        public var evaluations: [Int64]
        /// Evaluations in the window (the sum of ``evaluations``, saturating).
        public var total: Int64
        /// Evaluations counted since SDKs first reported the variant.
        public var allTime: Int64
        /// When the variant was last evaluated; `nil`: never.
        public var lastEvaluated: Date?

        public init(key: String, evaluations: [Int64], total: Int64, allTime: Int64, lastEvaluated: Date?) {
            self.key = key
            self.evaluations = evaluations
            self.total = total
            self.allTime = allTime
            self.lastEvaluated = lastEvaluated
        }

        enum CodingKeys: String, CodingKey { case key, evaluations, total, allTime, lastEvaluated }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(key, forKey: .key)
            try c.encode(evaluations, forKey: .evaluations)
            try c.encode(total, forKey: .total)
            try c.encode(allTime, forKey: .allTime)
            try c.encode(lastEvaluated, forKey: .lastEvaluated)
        }
    }

    public var flag: String
    public var environment: String
    public var window: UsageWindow
    /// Each point's start, oldest first; the last one holds `now`.
    public var points: [Date]
    /// How long each point lasts: 3,600 (`day`) or 86,400 (`week`).
    public var pointSeconds: Int
    /// Evaluations per point, every variant together.
    public var totals: [Int64]
    /// The flag's variants in its order, then any other variant with usage, by key.
    public var variants: [Variant]

    public init(
        flag: String, environment: String, window: UsageWindow, points: [Date], pointSeconds: Int, totals: [Int64], variants: [Variant]
    ) {
        self.flag = flag
        self.environment = environment
        self.window = window
        self.points = points
        self.pointSeconds = pointSeconds
        self.totals = totals
        self.variants = variants
    }

    /// Evaluations in the window, every variant (saturating).
    public var total: Int64 {
        totals.reduce(0) { sum, next in
            let (added, overflow) = sum.addingReportingOverflow(next)
            return overflow ? .max : added
        }
    }
}
