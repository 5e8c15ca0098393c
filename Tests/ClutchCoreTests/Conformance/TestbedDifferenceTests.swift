import Testing
import ClutchCore

/// Where Clutch deliberately answers differently from flagd-testbed (README, "Conformance with
/// flagd"). Each test pins Clutch's answer and states flagd's, so that closing or widening a gap
/// is a visible decision.
@Suite struct TestbedDifferenceTests {
    // Definitions flagd evaluates (to its default, or a GENERAL error) and Clutch refuses when
    // written; an engine given one answers PARSE_ERROR, so the caller's default is served.
    static let refused: [TestbedRow] = [
        // flagd: value 3 with error GENERAL (the variant "three" is found missing at evaluation).
        TestbedRow("gherkin/targeting.feature › Errors and edge cases (missing-variant-targeting-flag)",
                   flag: "missing-variant-targeting-flag", .integer, fallback: 3, value: 3, variant: nil, reason: .error,
                   error: .parseError),
        // flagd: "fallback", reason DEFAULT (the operator yields null).
        TestbedRow("string.feature › starts_with and ends_with return null for wrong argument count",
                   flag: "starts-with-wrong-args-flag", fallback: "wrong", value: "wrong", variant: nil, reason: .error,
                   error: .parseError),
        TestbedRow("string.feature › starts_with and ends_with return null for wrong argument count",
                   flag: "ends-with-wrong-args-flag", fallback: "wrong", value: "wrong", variant: nil, reason: .error,
                   error: .parseError),
        TestbedRow("semver.feature › sem_ver returns null for wrong argument count",
                   flag: "semver-wrong-args-flag", context: ["version": "1.0.0"], fallback: "wrong", value: "wrong",
                   variant: nil, reason: .error, error: .parseError),
        TestbedRow("semver.feature › sem_ver returns null for invalid input… (semver-invalid-operator-flag)",
                   flag: "semver-invalid-operator-flag", context: ["version": "1.0.0"], fallback: "wrong", value: "wrong",
                   variant: nil, reason: .error, error: .parseError),
        TestbedRow("fractional.feature › fractional with all-zero bucket weights falls back to default variant",
                   flag: "fractional-zero-weights-flag", context: ["targetingKey": "any-user"], fallback: "wrong",
                   value: "wrong", variant: nil, reason: .error, error: .parseError),
        // flagd: "two" (the weight -50 is clamped to 0). The clamped definition agrees
        // (FractionalConformanceTests).
        TestbedRow("fractional.feature › fractional negative bucket weight is clamped to zero",
                   flag: "fractional-negative-weight-flag", context: ["targetingKey": "any-user"], fallback: "wrong",
                   value: "wrong", variant: nil, reason: .error, error: .parseError),
    ]

    @Test(arguments: refused) func refusedDefinitionsAreParseErrors(_ row: TestbedRow) throws {
        try Testbed.check(row)
    }

    /// flagd reports TARGETING_MATCH for any variant its targeting yields, `fractional` included;
    /// Clutch reports SPLIT for a rollout (OpenFeature's reason for a pseudorandom assignment).
    @Test func rolloutReasonIsSplitWhereFlagdSaysTargetingMatch() throws {
        let engine = try Testbed.engine()
        let result = engine.evaluate("fractional-flag", context: try EvaluationContext(json: ["user": ["name": "jack"]]))
        #expect(result.variant == "hearts")
        #expect(result.reason == .split)
    }

    /// `if [cond, A, B]` with B a plain variant: flagd reports TARGETING_MATCH for B; Clutch's
    /// default serves it with reason DEFAULT (the rewrite as a negated rule keeps TARGETING_MATCH
    /// only where the operator can compare: see the `$ref` rewrites).
    @Test func elseBranchAsTheDefaultIsReasonDefault() throws {
        let engine = try Testbed.engine()
        let result = engine.evaluate("starts-ends-flag", context: try EvaluationContext(json: ["id": "lmnopq"]))
        #expect(result.variant == "none")
        #expect(result.reason == .default)
    }

    /// fractional.feature › fractional operator with missing bucket key…, with a targeting key: flagd v2
    /// falls back to hashing `flagKey + targetingKey` when the bucketing expression is null; Clutch
    /// never buckets a context without its `bucketBy` attribute (the off variant, DEFAULT).
    @Test func missingBucketingAttributeDoesNotFallBackToTheTargetingKey() throws {
        let result = try Testbed.engine().evaluate(
            "fractional-null-bucket-key-flag", context: try EvaluationContext(json: ["targetingKey": "any-user"]))
        #expect(result.variant == "fallback")
        #expect(result.reason == .default)
    }

    /// gherkin/targeting.feature › Fractional operator invalid implicit inputs › v3: a targetingKey
    /// that is a number or a boolean. flagd serves the default variant ("draw", DEFAULT); Clutch
    /// refuses such a JSON context (OFREP answers INVALID_CONTEXT, and the caller's default is
    /// served). Through the Swift API it agrees with flagd (FractionalConformanceTests).
    @Test(arguments: [Value.integer(12345), .bool(true)])
    func nonStringTargetingKeyInJSONIsAnInvalidContext(_ key: Value) {
        #expect(throws: EvaluationContext.Invalid.self) { try EvaluationContext(json: ["targetingKey": key]) }
    }

    /// gherkin/targeting.feature › Fractional operator with basic types › v3: flagd v3 hashes the
    /// CBOR encoding of the value, so the integer 123 (bucket20) and the string "123" (bucket22)
    /// land apart; flagd v2 does not bucket a number at all. Clutch hashes a number's decimal text:
    /// 123 and "123" share a bucket.
    @Test func numbersAreBucketedByTheirText() throws {
        let weights = (1...25).map { Rollout.Weight(variant: "bucket\($0)", weight: 4_000) }
        let flag = Flag(
            key: "fractional-basic-flag", type: .string,
            variants: (1...25).map { Variant(key: "bucket\($0)", value: .string("bucket\($0)")) }
                + [Variant(key: "fallback", value: "fallback")],
            offVariant: "fallback",
            environments: [testbedEnvironment: FlagState(enabled: true, default: .rollout(Rollout(bucketBy: "hashing_input", weights: weights)))])
        let engine = Engine(Snapshot(environment: testbedEnvironment, flags: [flag]))
        let number = engine.evaluate(flag.key, context: try EvaluationContext(json: ["hashing_input": 123]))
        let text = engine.evaluate(flag.key, context: try EvaluationContext(json: ["hashing_input": "123"]))
        #expect(number.reason == .split)
        #expect(number.variant == text.variant)
    }
}
