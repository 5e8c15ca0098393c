/// A flag's state in one environment, evaluated top to bottom:
/// `enabled`, then `prerequisites`, then `targets`, then `rules` in order, then `default`.
public struct FlagState: Sendable, Hashable {
    /// When false the flag serves its off variant with reason `DISABLED`: the kill switch.
    public var enabled: Bool
    /// Flags that must serve a given variant, in order; the first that does not makes the flag
    /// serve its off variant with reason `PREREQUISITE_FAILED`. At most one per required flag.
    public var prerequisites: [Prerequisite]
    /// Individual targeting: listed values of one attribute get a given variant.
    public var targets: [Target]
    /// Ordered rules; the first whose clauses all hold decides.
    public var rules: [Rule]
    /// The fallthrough. `nil` means the flag's natural default (`on` for boolean flags).
    public var `default`: Serve?

    public init(
        enabled: Bool = false, prerequisites: [Prerequisite] = [], targets: [Target] = [], rules: [Rule] = [], default: Serve? = nil
    ) {
        self.enabled = enabled
        self.prerequisites = prerequisites
        self.targets = targets
        self.rules = rules
        self.default = `default`
    }
}

extension FlagState: Codable {
    enum CodingKeys: String, CodingKey { case enabled, prerequisites, targets, rules, `default` }

    public init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            enabled: try c.decodeIfPresent(Bool.self, forKey: .enabled) ?? false,
            prerequisites: try c.decodeIfPresent([Prerequisite].self, forKey: .prerequisites) ?? [],
            targets: try c.decodeIfPresent([Target].self, forKey: .targets) ?? [],
            rules: try c.decodeIfPresent([Rule].self, forKey: .rules) ?? [],
            default: try c.decodeIfPresent(Serve.self, forKey: .default)
        )
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(enabled, forKey: .enabled)
        // Omitted when empty, so that documents, revisions and snapshots of flags without
        // prerequisites keep the bytes they had before prerequisites existed.
        if !prerequisites.isEmpty { try c.encode(prerequisites, forKey: .prerequisites) }
        try c.encode(targets, forKey: .targets)
        try c.encode(rules, forKey: .rules)
        try c.encodeIfPresent(self.default, forKey: .default)
    }
}

/// Individual targeting: contexts whose `attribute` equals one of `values` get `variant`.
public struct Target: Sendable, Hashable {
    public var variant: String
    /// The attribute compared, `targetingKey` unless set (`customerId` targets whole customers);
    /// a dotted path reads a nested one (``AttributePath``). Values compare by their UTF-8 bytes.
    public var attribute: String
    public var values: [String]

    public init(variant: String, attribute: String = "targetingKey", values: [String]) {
        self.variant = variant
        self.attribute = attribute
        self.values = values
    }
}

extension Target: Codable {
    enum CodingKeys: String, CodingKey { case variant, attribute, values }

    public init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            variant: try c.decode(String.self, forKey: .variant),
            attribute: try c.decodeIfPresent(String.self, forKey: .attribute) ?? "targetingKey",
            values: try c.decodeIfPresent([String].self, forKey: .values) ?? []
        )
    }
}

/// A targeting rule: when every clause holds, `serve` decides.
public struct Rule: Sendable, Hashable {
    /// Stable identity, so that an instruction written against an older view of the flag still
    /// names the right rule after others were added, removed or moved. The server gives every
    /// rule one when it is written; 1–64 of `a-z A-Z 0-9 - _`.
    public var id: String?
    public var description: String?
    public var clauses: [Clause]
    public var serve: Serve

    public init(id: String? = nil, description: String? = nil, clauses: [Clause], serve: Serve) {
        self.id = id
        self.description = description
        self.clauses = clauses
        self.serve = serve
    }
}

extension Rule: Codable {
    enum CodingKeys: String, CodingKey { case id, description, clauses, serve }

    public init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try c.decodeIfPresent(String.self, forKey: .id),
            description: try c.decodeIfPresent(String.self, forKey: .description),
            clauses: try c.decodeIfPresent([Clause].self, forKey: .clauses) ?? [],
            serve: try c.decode(Serve.self, forKey: .serve)
        )
    }
}

/// One condition of a rule or cohort: either `attribute operator values`, or membership
/// of a cohort. `negate` inverts it, except that an attribute clause never holds on a value
/// its operator cannot compare — a missing or null attribute, one of the wrong kind, or text
/// the operator cannot parse (only `exists` looks at absence) — so "not country in FR" does not
/// select contexts whose country is unknown, nor "not version semver< 2.0.0" ones whose version
/// is "banana".
public struct Clause: Sendable, Hashable {
    /// The attribute compared: a name, or a dotted path into nested objects and arrays
    /// (``AttributePath`` gives the rules).
    public var attribute: String?
    public var `operator`: String?
    public var values: [String]
    public var cohort: String?
    public var negate: Bool

    public init(attribute: String, _ op: Operator, _ values: [String] = [], negate: Bool = false) {
        self.attribute = attribute
        self.operator = op.rawValue
        self.values = values
        self.cohort = nil
        self.negate = negate
    }

    /// A clause that holds for members of `cohort`.
    public static func inCohort(_ cohort: String, negate: Bool = false) -> Clause {
        var clause = Clause(attribute: "", .exists)
        clause.attribute = nil
        clause.operator = nil
        clause.cohort = cohort
        clause.negate = negate
        return clause
    }
}

extension Clause: Codable {
    enum CodingKeys: String, CodingKey { case attribute, `operator`, values, cohort, negate }

    public init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        attribute = try c.decodeIfPresent(String.self, forKey: .attribute)
        self.operator = try c.decodeIfPresent(String.self, forKey: .operator)
        values = try c.decodeIfPresent([String].self, forKey: .values) ?? []
        cohort = try c.decodeIfPresent(String.self, forKey: .cohort)
        negate = try c.decodeIfPresent(Bool.self, forKey: .negate) ?? false
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(attribute, forKey: .attribute)
        try c.encodeIfPresent(self.operator, forKey: .operator)
        if cohort == nil || !values.isEmpty { try c.encode(values, forKey: .values) }
        try c.encodeIfPresent(cohort, forKey: .cohort)
        if negate { try c.encode(negate, forKey: .negate) }
    }
}

/// What a rule or the default serves: one variant, or a sticky percentage rollout.
/// Exactly one of the two is set.
public struct Serve: Sendable, Hashable, Codable {
    public var variant: String?
    public var rollout: Rollout?

    public init(variant: String? = nil, rollout: Rollout? = nil) {
        self.variant = variant
        self.rollout = rollout
    }

    public static func variant(_ key: String) -> Serve { Serve(variant: key) }
    public static func rollout(_ rollout: Rollout) -> Serve { Serve(rollout: rollout) }

    enum CodingKeys: String, CodingKey { case variant, rollout }

    public init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        variant = try c.decodeIfPresent(String.self, forKey: .variant)
        rollout = try c.decodeIfPresent(Rollout.self, forKey: .rollout)
    }
}

/// A sticky percentage split. Weights are integers summing to ``Rollout/totalWeight``
/// (100,000, so 0.001 % steps); a context lands in the same bucket every time for the
/// same salt and `bucketBy` value.
public struct Rollout: Sendable, Hashable {
    /// The weights every rollout sums to: 100 % = 100,000.
    public static let totalWeight = 100_000

    /// The attribute hashed to pick the bucket: `targetingKey` per user, `customerId` per customer;
    /// a dotted path reads a nested one (``AttributePath``).
    public var bucketBy: String
    /// Variants in order; with `[on, off]` raising `on`'s weight only ever adds contexts to it.
    public var weights: [Weight]

    /// The sticky attribute a rollout uses unless told otherwise, the same in the CLI, the console
    /// and the API: the targeting key, OpenFeature's stable identifier of a context (the README's
    /// "The flag model" says so). A rollout per customer names `customerId`.
    public static let defaultBucketBy = "targetingKey"

    public init(bucketBy: String = Rollout.defaultBucketBy, weights: [Weight]) {
        self.bucketBy = bucketBy
        self.weights = weights
    }

    /// One variant's share of a rollout.
    public struct Weight: Sendable, Hashable, Codable {
        public var variant: String
        public var weight: Int

        public init(variant: String, weight: Int) {
            self.variant = variant
            self.weight = weight
        }

        enum CodingKeys: String, CodingKey { case variant, weight }

        public init(from decoder: any Decoder) throws {
            try decoder.refuseUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            variant = try c.decode(String.self, forKey: .variant)
            weight = try c.decode(Int.self, forKey: .weight)
        }
    }

    /// `percent` % of contexts get `variant`, the rest `rest`. `percent` is rounded to 0.001.
    public static func percentage(
        _ percent: Double, of variant: String, rest: String, bucketBy: String = Rollout.defaultBucketBy
    ) -> Rollout {
        let on = Int((max(0, min(100, percent)) * 1000).rounded())
        return Rollout(bucketBy: bucketBy, weights: [
            Weight(variant: variant, weight: on), Weight(variant: rest, weight: totalWeight - on),
        ])
    }
}

extension Rollout: Codable {
    enum CodingKeys: String, CodingKey { case bucketBy, weights }

    public init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            bucketBy: try c.decodeIfPresent(String.self, forKey: .bucketBy) ?? Rollout.defaultBucketBy,
            weights: try c.decode([Weight].self, forKey: .weights)
        )
    }
}

extension FlagState {
    /// The context attributes this state reads, in order of first use, without repeats: targets'
    /// attributes, rules' clauses' attributes and every rollout's sticky attribute (cohorts'
    /// attributes belong to the cohorts).
    public var attributesUsed: [String] {
        var names: [String] = []
        func use(_ name: String?) {
            if let name, !name.isEmpty, !names.contains(name) { names.append(name) }
        }
        for target in targets { use(target.attribute) }
        for rule in rules {
            for clause in rule.clauses { use(clause.attribute) }
            use(rule.serve.rollout?.bucketBy)
        }
        use(self.default?.rollout?.bucketBy)
        return names
    }
}
