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
