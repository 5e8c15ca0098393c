import Testing
import ClutchCore

/// flagd's `fractional` (v2, high-precision: `bucket = (murmur3(input) × totalWeight) >> 32`)
/// against Clutch rollouts (TestbedFlags.fractional explains the rewrite). The v1 (legacy
/// float) and v3 (CBOR-encoded input) example tables hash differently and are not Clutch's; the
/// README lists them.
@Suite struct FractionalConformanceTests {
    static func user(_ name: String) -> [String: Value] { ["user": ["name": .string(name)]] }

    static let rows: [TestbedRow] = [
        // evaluator/gherkin/fractional.feature › Fractional operator › v2 (= gherkin/targeting.feature):
        // {"cat": [{"var": "$flagd.flagKey"}, {"var": "user.name"}]}, a nested context value.
        ("jack", "hearts"), ("queen", "spades"), ("ten", "clubs"), ("nine", "diamonds"), ("3", "clubs"),
    ].map { name, suit in
        TestbedRow("fractional.feature › Fractional operator › v2", flag: "fractional-flag",
                   context: user(name), fallback: "fallback", value: .string(suit), variant: suit)
    } + [
        // › Fractional operator shorthand › v2: flagKey + targetingKey, weights 1 and 1.
        ("jon@company.com", "heads"), ("jane@company.com", "tails"),
    ].map { key, side in
        TestbedRow("fractional.feature › Fractional operator shorthand › v2", flag: "fractional-flag-shorthand",
                   context: ["targetingKey": .string(key)], fallback: "fallback", value: .string(side), variant: side)
    } + [
        // › Fractional operator with shared seed › v2: {"cat": ["shared-seed", {"var": "user.name"}]}.
        ("seven", "hearts"), ("eight", "diamonds"), ("nine", "clubs"), ("two", "spades"),
    ].map { name, suit in
        TestbedRow("fractional.feature › Fractional operator with shared seed › v2", flag: "fractional-flag-a-shared-seed",
                   context: user(name), fallback: "fallback", value: .string(suit), variant: suit)
    } + [
        // › Second fractional operator with shared seed › v2: same seed, same buckets, other values.
        ("seven", "hearts"), ("eight", "diamonds"), ("nine", "clubs"), ("two", "spades"),
    ].map { (name: String, suit: String) in
        TestbedRow("fractional.feature › Second fractional operator with shared seed › v2", flag: "fractional-flag-b-shared-seed",
                   context: user(name), fallback: "fallback", value: .string("ace-of-\(suit)"), variant: suit)
    } + [
        TestbedRow("fractional.feature › Fractional operator with single entry always resolves to the only variant",
                   flag: "fractional-single-entry-flag", context: ["targetingKey": "some-targeting-key"],
                   fallback: "fallback", value: "single", variant: "single"),
        TestbedRow("fractional.feature › fractional operator with missing bucket key falls back to default variant",
                   flag: "fractional-null-bucket-key-flag", fallback: "wrong", value: "fallback", variant: "fallback",
                   reason: .default),
        // flagd clamps the weight -50 to 0; Clutch refuses negative weights (TestbedDifferenceTests),
        // so this is the clamped definition.
        TestbedRow("fractional.feature › fractional negative bucket weight is clamped to zero (clamped)",
                   flag: "fractional-negative-weight-flag.clamped", context: ["targetingKey": "any-user"],
                   fallback: "wrong", value: "two", variant: "two"),
        // gherkin/targeting.feature › Fractional operator invalid implicit inputs › v3: the row that
        // does not depend on hashing (no targeting key: never bucketed).
        TestbedRow("gherkin/targeting.feature › Fractional operator invalid implicit inputs › v3 (irrelevant: none)",
                   flag: "fractional-flag-shorthand", context: ["irrelevant": "none"],
                   fallback: "fallback", value: "draw", variant: "draw", reason: .default),
    ]

    @Test(arguments: rows) func fractional(_ row: TestbedRow) throws { try Testbed.check(row) }

    /// gherkin/targeting.feature › Fractional operator invalid implicit inputs › v3 (targetingKey
    /// Integer 12345, Boolean true): flagd cannot bucket a targeting key that is not a string and
    /// serves the default variant. A JSON context refuses such a key (TestbedDifferenceTests); given
    /// as an attribute through the Swift API it is no targeting key.
    @Test(arguments: [Value.integer(12345), .bool(true)])
    func nonStringTargetingKeyIsNotBucketed(_ key: Value) throws {
        let result = try Testbed.engine().evaluate(
            "fractional-flag-shorthand", as: .string, context: EvaluationContext(attributes: ["targetingKey": key]))
        #expect(result.value == "draw")
        #expect(result.variant == "draw")
        #expect(result.reason == .default)
        #expect(result.errorCode == nil)
    }

    /// evaluator/gherkin/fractional.feature › Fractional operator hash edge cases: targeting keys whose
    /// murmur3 hash is 0, 1, 2³¹−1, 2³¹ and 2³²−1, bucketed by `{"var": "targetingKey"}` alone into
    /// lower 50 / upper 50. A Clutch rollout always hashes a non-empty salt before the value, so the
    /// key's first character becomes the salt and the rest the targeting key: the hashed bytes are
    /// the testbed's.
    @Test(arguments: [
        ("ejOoVL", UInt32(0), "lower"), ("bY9fO-", 1, "lower"), ("SI7p-", 2_147_483_647, "lower"),
        ("6LvT0", 2_147_483_648, "upper"), ("ceQdGm", 4_294_967_295, "upper"),
    ])
    func hashEdgeCases(key: String, hash: UInt32, expected: String) throws {
        #expect(Murmur3.hash32(key) == hash, "the testbed's stated hash of \(key)")
        let flag = Flag(
            key: "fractional-hash-edge-flag", type: .string,
            variants: [Variant(key: "lower", value: "lower"), Variant(key: "upper", value: "upper")], offVariant: "lower",
            salt: String(key.prefix(1)),
            environments: [testbedEnvironment: FlagState(enabled: true, default: .rollout(Rollout(weights: [
                .init(variant: "lower", weight: 50_000), .init(variant: "upper", weight: 50_000),
            ])))])
        #expect(flag.validationIssues().isEmpty)
        let engine = Engine(Snapshot(environment: testbedEnvironment, flags: [flag]))
        let result = engine.evaluate(flag.key, context: try EvaluationContext(json: ["targetingKey": .string(String(key.dropFirst()))]))
        #expect(result.variant == expected)
        #expect(result.value == .string(expected))
    }

    /// flagd's v2 `fractional` (core/pkg/evaluator/fractional.go, `distributeValue`) as reference:
    /// the variant for hash input `input` and integer weights.
    static func flagd(_ input: String, _ weights: [(variant: String, weight: UInt64)]) -> String? {
        let total = weights.reduce(0) { $0 + $1.weight }
        guard total > 0 else { return nil }
        let bucket = (UInt64(Murmur3.hash32(input)) * total) >> 32
        var end: UInt64 = 0
        for entry in weights {
            end += entry.weight
            if bucket < end { return entry.variant }
        }
        return nil
    }

    /// Beyond the testbed's few rows: for 20,000 values, each rewritten rollout serves what flagd's
    /// `fractional` serves with the testbed's weights (25 × 4 of 100, and 1 + 1 of 2).
    @Test func rolloutsAgreeWithFlagdFractionalOnEveryValue() throws {
        let engine = try Testbed.engine()
        let suits: [(variant: String, weight: UInt64)] = [("clubs", 25), ("diamonds", 25), ("hearts", 25), ("spades", 25)]
        let coin: [(variant: String, weight: UInt64)] = [("heads", 1), ("tails", 1)]
        var seen: [String: Int] = [:]
        var disagreements = 0
        for i in 0..<20_000 {
            let name = "user-\(i)"
            let cases: [(flag: String, context: [String: Value], expected: String?)] = [
                ("fractional-flag", Self.user(name), Self.flagd("fractional-flag" + name, suits)),
                ("fractional-flag-a-shared-seed", Self.user(name), Self.flagd("shared-seed" + name, suits)),
                ("fractional-flag-shorthand", ["targetingKey": .string(name)], Self.flagd("fractional-flag-shorthand" + name, coin)),
            ]
            for c in cases {
                let result = engine.evaluate(c.flag, context: try EvaluationContext(json: c.context))
                if result.variant != c.expected { disagreements += 1 }
                seen[result.variant ?? "nil", default: 0] += 1
            }
        }
        #expect(disagreements == 0)
        // Every variant is served (the comparison is not between two constant answers).
        for variant in ["clubs", "diamonds", "hearts", "spades", "heads", "tails"] {
            #expect(seen[variant, default: 0] > 1_000, "\(variant): \(seen[variant, default: 0])")
        }
    }
}
