import Testing
import ClutchCore

/// flagd's `sem_ver`, `starts_with` and `ends_with` scenarios against Clutch's `semver…`,
/// `startsWith` and `endsWith` clauses (TestbedFlags.semver and .string).
@Suite struct OperatorConformanceTests {
    static func version(_ v: Value) -> [String: Value] { ["version": v] }

    // evaluator/gherkin/semver.feature (the same tables as gherkin/targeting.feature's sem_ver scenarios).
    // Rows where the context's value is not a version serve what flagd's `if` serves when `sem_ver`
    // returns null: the else branch, which Clutch's default serves.
    static let semver: [TestbedRow] = [
        ("2.0.0", "equal"), ("2.1.0", "greater"), ("1.9.0", "lesser"), ("2.0.0-alpha", "lesser"), ("2.0.0.0", "none"),
    ].map { v, answer in
        TestbedRow("semver.feature › Numeric comparison", flag: "equal-greater-lesser-version-flag",
                   context: version(.string(v)), fallback: "fallback", value: .string(answer), variant: answer)
    } + [
        // `~ 3.0.0` and `^ 3.0.0` as version ranges.
        ("3.0.1", "minor"), ("3.1.0", "major"), ("4.0.0", "none"),
    ].map { v, answer in
        TestbedRow("semver.feature › Semantic comparison (minor/major range)", flag: "major-minor-version-flag",
                   context: version(.string(v)), fallback: "fallback", value: .string(answer), variant: answer)
    } + [
        TestbedRow("semver.feature › sem_ver returns null for invalid input and falls back to default variant",
                   flag: "semver-invalid-version-flag", context: version("not-a-version"),
                   fallback: "wrong", value: "fallback", variant: "fallback", reason: .default),
        // The valid version for contrast: `sem_ver` yields true, naming the variant "true".
        TestbedRow("semver.feature › sem_ver returns null for invalid input… (a valid version for contrast)",
                   flag: "semver-invalid-version-flag", context: version("1.0.0"),
                   fallback: "wrong", value: "true", variant: "true", reason: .targetingMatch),
    ] + [
        ("1.0.0", "match"), ("v1.0.0", "match"), ("V1.0.0", "match"), ("2.0.0", "no-match"),
    ].map { v, answer in
        TestbedRow("semver.feature › v-prefix handling", flag: "semver-v-prefix-flag",
                   context: version(.string(v)), fallback: "fallback", value: .string(answer), variant: answer)
    } + [
        // `^ 1`; the gherkin's types: String, Integer, Float.
        (Value.string("1.5.0"), "match"), ("1.0.0", "match"), ("1.0", "match"), ("1", "match"),
        (.integer(1), "match"), (.double(1), "match"), (.double(1.2), "match"), ("2.0.0", "no-match"),
    ].map { v, answer in
        TestbedRow("semver.feature › partial version string handling", flag: "semver-partial-version-flag",
                   context: version(v), fallback: "fallback", value: .string(answer), variant: answer)
    } + [
        // `> 1.1`
        (Value.double(1.2), "match"), (.double(1.1), "no-match"), (.integer(2), "match"), (.integer(1), "no-match"),
        (.string("1.2"), "match"),
    ].map { v, answer in
        TestbedRow("semver.feature › numeric context value coercion", flag: "semver-numeric-context-flag",
                   context: version(v), fallback: "fallback", value: .string(answer), variant: answer)
    } + [
        ("1.0.0", "match"), ("1.0.0+other", "match"), ("2.0.0", "no-match"),
    ].map { v, answer in
        TestbedRow("semver.feature › build metadata ignored in comparison", flag: "semver-build-metadata-flag",
                   context: version(.string(v)), fallback: "fallback", value: .string(answer), variant: answer)
    }

    // evaluator/gherkin/string.feature; the row for "3" is gherkin/targeting.feature › Substring operators.
    static let string: [TestbedRow] = [
        ("abcdef", "prefix", "string.feature"), ("uvwxyz", "postfix", "string.feature"), ("abcxyz", "prefix", "string.feature"),
        ("lmnopq", "none", "string.feature"), ("3", "none", "gherkin/targeting.feature"),
    ].map { id, answer, file in
        TestbedRow("\(file) › Substring operators", flag: "starts-ends-flag",
                   context: ["id": .string(id)], fallback: "fallback", value: .string(answer), variant: answer)
    } + ["starts-with-non-string-flag", "ends-with-non-string-flag"].map { flag in
        // The operator cannot compare a number: neither the clause nor its negation holds.
        TestbedRow("string.feature › starts_with and ends_with return null for non-string input", flag: flag,
                   context: ["num": 123], fallback: "wrong", value: "fallback", variant: "fallback", reason: .default)
    }

    @Test(arguments: semver) func semanticVersions(_ row: TestbedRow) throws { try Testbed.check(row) }
    @Test(arguments: string) func stringComparison(_ row: TestbedRow) throws { try Testbed.check(row) }

    /// The `~`/`^` rewrite is flagd's `semver.MajorMinor`/`semver.Major` comparison on both sides of
    /// each bound, pre-releases and build metadata included (golang.org/x/mod/semver, as flagd calls it).
    @Test(arguments: [
        ("3.0.0-alpha", "minor"), ("3.0.0-0", "minor"), ("3.0.99+build", "minor"), ("v3.0", "minor"), ("3", "minor"),
        ("3.1.0-alpha", "major"), ("3.99.0", "major"), ("2.99.99", "none"), ("4.0.0-0", "none"), ("banana", "none"),
    ])
    func tildeAndCaretRangesMatchMajorMinorAndMajor(v: String, answer: String) throws {
        try Testbed.check(TestbedRow(
            "semver.feature › Semantic comparison (minor/major range), more versions", flag: "major-minor-version-flag",
            context: Self.version(.string(v)), fallback: "fallback", value: .string(answer), variant: answer))
    }
}
