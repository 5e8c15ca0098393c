import Testing
import ClutchCore

/// flagd-testbed's evaluation, zero-value, disabled, error, targeting-key, `$ref` and
/// no-default-variant scenarios, against their Clutch rewrites (TestbedFlags.swift).
@Suite struct EvaluationConformanceTests {
    static let template: Value = ["showImages": true, "title": "Check out these pics!", "imagesPerPage": 100]

    // evaluator/gherkin/evaluation.feature (the same rows as gherkin/evaluation.feature › Resolve values).
    // The scenario states no reason; flagd's is STATIC, as Clutch's.
    static let basicRows: [TestbedRow] = [
        TestbedRow("evaluation.feature › Resolve basic values › Boolean evaluations", flag: "boolean-flag", .boolean,
                   fallback: false, value: true, variant: "on", reason: .static),
        TestbedRow("evaluation.feature › Resolve basic values › String evaluations", flag: "string-flag",
                   fallback: "bye", value: "hi", variant: "greeting", reason: .static),
        TestbedRow("evaluation.feature › Resolve basic values › Number evaluations", flag: "integer-flag", .integer,
                   fallback: 1, value: 10, variant: "ten", reason: .static),
        TestbedRow("evaluation.feature › Resolve basic values › Number evaluations", flag: "float-flag", .double,
                   fallback: 0.1, value: 0.5, variant: "half", reason: .static),
        TestbedRow("evaluation.feature › Resolve basic values › Object evaluations", flag: "object-flag", .object,
                   fallback: [:], value: template, variant: "template", reason: .static),
    ]

    // evaluator/gherkin/zero-values.feature (also gherkin/evaluation.feature › Resolves zero value…).
    static let zeroValuesRows: [TestbedRow] = [
        TestbedRow("zero-values.feature › Resolve zero values statically", flag: "boolean-zero-flag", .boolean,
                   fallback: true, value: false, variant: "zero", reason: .static),
        TestbedRow("zero-values.feature › Resolve zero values statically", flag: "string-zero-flag",
                   fallback: "hi", value: "", variant: "zero", reason: .static),
        TestbedRow("zero-values.feature › Resolve zero values statically", flag: "integer-zero-flag", .integer,
                   fallback: 1, value: 0, variant: "zero", reason: .static),
        TestbedRow("zero-values.feature › Resolve zero values statically", flag: "float-zero-flag", .double,
                   fallback: 0.1, value: 0.0, variant: "zero", reason: .static),
        TestbedRow("zero-values.feature › Resolve zero values statically", flag: "object-zero-flag", .object,
                   fallback: ["a": 1], value: [:], variant: "zero", reason: .static),
    ] + [
        ("boolean-targeted-zero-flag", FlagType.boolean, Value.bool(true), Value.bool(false)),
        ("string-targeted-zero-flag", .string, "hi", ""),
        ("integer-targeted-zero-flag", .integer, 1, 0),
        ("float-targeted-zero-flag", .double, 0.1, 0.0),
    ].flatMap { flag, type, fallback, zero in
        [
            TestbedRow("zero-values.feature › Resolve zero value with targeting match", flag: flag, type,
                       context: ["email": "ballmer@macrosoft.com"], fallback: fallback, value: zero, variant: "zero",
                       reason: .targetingMatch),
            TestbedRow("zero-values.feature › Resolve zero value using default when targeting does not match", flag: flag, type,
                       context: ["email": "ballmer@none.com"], fallback: fallback, value: zero, variant: "zero", reason: .default),
        ]
    }

    // evaluator/gherkin/disabled.feature and gherkin/disabled.feature. flagd reports no variant and
    // the caller's default; Clutch serves the off variant, chosen as the one holding that value.
    static let disabledRows: [TestbedRow] = [
        TestbedRow("disabled.feature › Resolve disabled flag returns reason DISABLED with the default value",
                   flag: "disabled-boolean-flag", .boolean, fallback: false, value: false, variant: "off", reason: .disabled),
        TestbedRow("disabled.feature › Resolve disabled flag returns reason DISABLED with the default value",
                   flag: "disabled-string-flag", fallback: "bye", value: "bye", variant: "parting", reason: .disabled),
        TestbedRow("disabled.feature › Resolve disabled flag returns reason DISABLED with the default value",
                   flag: "disabled-integer-flag", .integer, fallback: 1, value: 1, variant: "one", reason: .disabled),
        TestbedRow("disabled.feature › Resolve disabled flag returns reason DISABLED with the default value",
                   flag: "disabled-float-flag", .double, fallback: 0.1, value: 0.1, variant: "tenth", reason: .disabled),
        TestbedRow("disabled.feature › Resolve disabled flag returns reason DISABLED with the default value",
                   flag: "disabled-object-flag", .object, fallback: [:], value: [:], variant: "empty", reason: .disabled),
        // gherkin/disabled.feature: selector flags/allFlags.json is environment all-flags,
        // rawflags/selector-flags.json is selector-set.
        TestbedRow("gherkin/disabled.feature › Flag disabled in one flag set, enabled in another (flags/allFlags.json)",
                   flag: "cross-flagset-flag", .boolean, fallback: false, value: false, variant: "off", reason: .disabled,
                   environment: "all-flags"),
        TestbedRow("gherkin/disabled.feature › Flag disabled in one flag set, enabled in another (rawflags/selector-flags.json)",
                   flag: "cross-flagset-flag", .boolean, fallback: false, value: true, variant: "on", reason: .static,
                   environment: "selector-set"),
    ]

    // evaluator/gherkin/errors.feature; gherkin/targeting.feature › Errors and edge cases (the rows
    // Clutch can express: the others are in TestbedDifferenceTests or the README's list).
    static let errorsRows: [TestbedRow] = [
        TestbedRow("errors.feature › Flag not found", flag: "missing-flag",
                   fallback: "uh-oh", value: "uh-oh", variant: nil, reason: .error, error: .flagNotFound),
        TestbedRow("errors.feature › Type mismatch", flag: "wrong-flag", .integer,
                   fallback: 13, value: 13, variant: nil, reason: .error, error: .typeMismatch),
        TestbedRow("gherkin/targeting.feature › Errors and edge cases (error-targeting-flag)", flag: "error-targeting-flag", .integer,
                   fallback: 3, value: 3, variant: nil, reason: .error, error: .parseError),
        TestbedRow("gherkin/targeting.feature › Errors and edge cases (empty-targeting-flag)", flag: "empty-targeting-flag", .integer,
                   fallback: 3, value: 1, variant: "false", reason: .static),
        TestbedRow("gherkin/targeting.feature › Errors and edge cases (targeting-null-flag)", flag: "targeting-null-flag", .integer,
                   fallback: 3, value: 2, variant: "two", reason: .default),
    ]

    // evaluator/gherkin/targeting.feature (= gherkin/targeting.feature › Targeting by targeting key),
    // as an individual target and as a rule.
    static let targetingKeyRows: [TestbedRow] = ["targeting-key-flag", "targeting-key-flag.rule"].flatMap { flag in
        [
            TestbedRow("targeting.feature › Targeting by targeting key", flag: flag,
                       context: ["targetingKey": "5c3d8535-f81a-4478-a6d3-afaa4d51199e"],
                       fallback: "fallback", value: "hit", variant: "hit", reason: .targetingMatch),
            TestbedRow("targeting.feature › Targeting by targeting key", flag: flag,
                       context: ["targetingKey": "f20bd32d-703b-48b6-bc8e-79d53c85134a"],
                       fallback: "fallback", value: "miss", variant: "miss", reason: .default),
        ]
    }

    // evaluator/gherkin/evaluator-refs.feature (= gherkin/targeting.feature's evaluator ref scenarios):
    // `$ref` is a cohort. The first scenario states no reason; flagd's is TARGETING_MATCH, as Clutch's.
    static let referencesRows: [TestbedRow] = [
        TestbedRow("evaluator-refs.feature › Evaluator reuse via $ref", flag: "some-email-targeted-flag",
                   context: ["email": "ballmer@macrosoft.com"], fallback: "fallback", value: "hi", variant: "hi",
                   reason: .targetingMatch),
        TestbedRow("evaluator-refs.feature › Evaluator reuse via $ref", flag: "some-other-email-targeted-flag",
                   context: ["email": "ballmer@macrosoft.com"], fallback: "fallback", value: "yes", variant: "yes",
                   reason: .targetingMatch),
    ] + ["ref-whitespace-compact-flag", "ref-whitespace-space-after-colon-flag", "ref-whitespace-space-around-colon-flag"].flatMap { flag in
        [
            TestbedRow("evaluator-refs.feature › Evaluator $ref resolves regardless of whitespace around the colon", flag: flag,
                       context: ["email": "ballmer@macrosoft.com"], fallback: "fallback", value: "hi", variant: "hi",
                       reason: .targetingMatch),
            TestbedRow("evaluator-refs.feature › Evaluator $ref resolves regardless of whitespace around the colon", flag: flag,
                       context: ["email": "user@example.com"], fallback: "fallback", value: "bye", variant: "bye",
                       reason: .targetingMatch),
        ]
    } + [
        TestbedRow("evaluator-refs.feature › Ref to nonexistent evaluator yields parse error", flag: "ref-to-nonexistent-evaluator-flag",
                   fallback: "fallback", value: "fallback", variant: nil, reason: .error, error: .parseError),
    ]

    // evaluator/gherkin/no-default-variant.feature: the one row whose answer does not come from a
    // missing default variant (a Clutch flag always has a default).
    static let noDefaultVariantRows: [TestbedRow] = [
        TestbedRow("no-default-variant.feature › Resolve flag with no default variant", flag: "no-default-flag-null-targeting-variant",
                   context: ["email": "jobs@orange.com"], fallback: "CEO", value: "CEO", variant: "special", reason: .targetingMatch),
    ]

    @Test(arguments: basicRows) func basicValues(_ row: TestbedRow) throws { try Testbed.check(row) }
    @Test(arguments: zeroValuesRows) func zeroValues(_ row: TestbedRow) throws { try Testbed.check(row) }
    @Test(arguments: disabledRows) func disabledFlags(_ row: TestbedRow) throws { try Testbed.check(row) }
    @Test(arguments: errorsRows) func errors(_ row: TestbedRow) throws { try Testbed.check(row) }
    @Test(arguments: targetingKeyRows) func targetingByTargetingKey(_ row: TestbedRow) throws { try Testbed.check(row) }
    @Test(arguments: referencesRows) func evaluatorReferencesAreCohorts(_ row: TestbedRow) throws { try Testbed.check(row) }
    @Test(arguments: noDefaultVariantRows) func noDefaultVariant(_ row: TestbedRow) throws { try Testbed.check(row) }

    /// A cohort negated holds for a context without the attribute, as flagd's `==` is false there
    /// and `if` takes its else branch: the rewrite of `if [$ref, A, B]` agrees beyond the testbed's rows.
    @Test func elseBranchOfAReferenceHoldsWithoutTheAttribute() throws {
        let row = TestbedRow("evaluator-refs.feature (no email in the context)", flag: "some-email-targeted-flag",
                             fallback: "fallback", value: "bye", variant: "bye", reason: .targetingMatch)
        try Testbed.check(row)
    }
}
