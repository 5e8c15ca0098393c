/// Evaluations of one flag a client reports: `count` times `variant` since its last report, and
/// `errors` the application attributed to that variant in the same period.
/// One entry of the usage report (`ClutchProtocol.UsageReport`) and what the store records.
///
/// `rollout` marks an entry that counts only evaluations the flag's *default rollout* decided
/// (reason `SPLIT`, not a target or a rule): the evidence a release's guard compares, because
/// both of its sides are served by the same percentage split of the same traffic. A client
/// sends its rollout-decided evaluations in entries with `rollout: true` and the rest in plain
/// entries; usage totals add both. Older clients send no `errors` and no `rollout`: the fields
/// are optional and default to 0 and `false`.
public struct UsageCount: Sendable, Hashable, Codable {
    public var flag: String
    public var variant: String
    public var count: Int64
    /// Errors the application attributed to this variant (``UsageReportLimits/maxCount`` at most).
    public var errors: Int64
    /// Whether the entry counts evaluations decided by the flag's default rollout only.
    public var rollout: Bool

    public init(flag: String, variant: String, count: Int64, errors: Int64 = 0, rollout: Bool = false) {
        self.flag = flag
        self.variant = variant
        self.count = count
        self.errors = errors
        self.rollout = rollout
    }

    enum CodingKeys: String, CodingKey { case flag, variant, count, errors, rollout }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        flag = try c.decode(String.self, forKey: .flag)
        variant = try c.decode(String.self, forKey: .variant)
        count = try c.decode(Int64.self, forKey: .count)
        errors = try c.decodeIfPresent(Int64.self, forKey: .errors) ?? 0
        rollout = try c.decodeIfPresent(Bool.self, forKey: .rollout) ?? false
    }

    /// `errors` and `rollout` only when set, so a report without them reads as it always did.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(flag, forKey: .flag)
        try c.encode(variant, forKey: .variant)
        try c.encode(count, forKey: .count)
        if errors != 0 { try c.encode(errors, forKey: .errors) }
        if rollout { try c.encode(rollout, forKey: .rollout) }
    }
}
