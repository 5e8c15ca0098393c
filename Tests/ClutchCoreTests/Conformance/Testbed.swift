import Foundation
import Testing
import ClutchCore

// Conformance with flagd, the reference OpenFeature evaluator: scenarios of
// open-feature/flagd-testbed (v3.9.0, commit 82ba89e) — the gherkin files under `gherkin/` and
// `evaluator/gherkin/` and the flag files under `flags/` and `evaluator/flags/` — rewritten as
// Clutch flags, with the answers the testbed expects.
//
// How a flagd flag becomes a Clutch flag (TestbedFlags.swift holds them all):
// - `state: ENABLED/DISABLED` → `enabled` in the one environment `testbed`.
// - `defaultVariant` → the `default` serve, and also the `offVariant`: what Clutch serves a context
//   its rollout cannot bucket, where flagd's `fractional` returns null and serves `defaultVariant`.
//   Disabled flags are the exception: flagd serves the caller's default there (TestbedFlags.disabled).
// - `targeting` → targets, rules (clauses all hold; the first rule that holds decides) and the
//   default. `if [cond, A]` is a rule serving A. `if [cond, A, B]` is a rule serving A and, where
//   the scenario states B's reason (TARGETING_MATCH) or a top-level operator's `true`/`false`
//   names variants, a rule on the negated condition serving B; elsewhere B is the default (reason
//   DEFAULT where flagd says TARGETING_MATCH; no scenario there states a reason).
//   `$evaluators` shared with `$ref` are cohorts with clauses. `fractional` is a rollout.
// - flagd's integer, float and object flags are Clutch `integer`, `double` and `object` flags.
//
// Rows say where they come from: "feature file › scenario › examples".

/// The environment every rewritten flag lives in.
let testbedEnvironment = "testbed"

/// One example row of a testbed scenario: a flag evaluated as a type for a context, with the
/// caller's default ("a fallback value") and the answer the testbed expects.
struct TestbedRow: Sendable, CustomTestStringConvertible {
    /// Where the row comes from: feature file › scenario › examples.
    let scenario: String
    let flag: String
    /// The type asked for (the gherkin's `<type>-flag`: Float is `double`).
    let type: FlagType
    /// The context as OFREP sends it: `targetingKey` and attributes in one object.
    let context: [String: Value]
    /// The caller's default, served when the evaluation is an error.
    let fallback: Value
    /// "the resolved details value should be …": the value the caller ends up with.
    let value: Value
    /// The variant flagd's definition selects (the testbed does not state it; flagd reports it).
    /// `nil` for errors.
    let variant: String?
    /// "the reason should be …", when the scenario states one.
    let reason: Reason?
    /// "the error-code should be …"; `nil` means no error.
    let error: ErrorCode?
    /// The environment evaluated: flagd's flag sets (selectors) are Clutch environments.
    let environment: String

    init(
        _ scenario: String, flag: String, _ type: FlagType = .string, context: [String: Value] = [:],
        fallback: Value, value: Value, variant: String?, reason: Reason? = nil, error: ErrorCode? = nil,
        environment: String = testbedEnvironment
    ) {
        self.scenario = scenario
        self.flag = flag
        self.type = type
        self.context = context
        self.fallback = fallback
        self.value = value
        self.variant = variant
        self.reason = reason
        self.error = error
        self.environment = environment
    }

    var testDescription: String {
        let ctx = context.isEmpty ? "{}" : Value.object(context).jsonText
        return "\(scenario): \(flag) \(ctx) → \(value.jsonText)"
    }
}

enum Testbed {
    /// The rewritten flags and cohorts, decoded from Clutch JSON once.
    static let document: Result<ClutchDocument, any Error> = Result {
        var flags: [Flag] = []
        for group in TestbedFlags.groups {
            flags += try ClutchJSON.decode([Flag].self, from: Data(group.utf8))
        }
        let cohorts = try ClutchJSON.decode([Cohort].self, from: Data(TestbedFlags.cohorts.utf8))
        return ClutchDocument(flags: flags, cohorts: [testbedEnvironment: cohorts])
    }

    /// The engine for `environment` (each flag's state there; absent states are off).
    static func engine(_ environment: String = testbedEnvironment) throws -> Engine {
        Engine(try document.get().snapshot(for: environment))
    }

    /// Evaluates `row` as an OpenFeature provider would and checks the testbed's expectations.
    static func check(_ row: TestbedRow) throws {
        let engine = try Testbed.engine(row.environment)
        let context = try EvaluationContext(json: row.context)
        let result = engine.evaluate(row.flag, as: row.type, context: context)
        // An error serves the caller's default: Clutch reports no value then.
        let served = result.errorCode == nil ? result.value : row.fallback
        #expect(served == row.value, "\(result.errorCode.map { "\($0): \(result.errorMessage ?? "")" } ?? "")")
        #expect(result.variant == row.variant)
        if let reason = row.reason { #expect(result.reason == reason) }
        #expect(result.errorCode == row.error)
        if row.error == nil { #expect(result.value != nil) }
    }
}

/// The rewritten flags are valid Clutch definitions, except those the testbed writes on purpose
/// as broken (and the admin API would refuse); the engine answers those with `PARSE_ERROR`.
@Suite struct TestbedDefinitionTests {
    /// Flags whose flagd definition is broken on purpose; their Clutch form is refused too.
    static let refused: Set<String> = [
        "error-targeting-flag", "ref-to-nonexistent-evaluator-flag",
        // flagd evaluates these to the default; Clutch refuses them (TestbedDifferenceTests).
        "missing-variant-targeting-flag", "starts-with-wrong-args-flag", "ends-with-wrong-args-flag",
        "semver-wrong-args-flag", "semver-invalid-operator-flag", "fractional-zero-weights-flag",
        "fractional-negative-weight-flag",
    ]

    @Test func everyGroupDecodes() throws {
        let document = try Testbed.document.get()
        #expect(document.flags.count == 57)
        #expect(Set(document.flags.map(\.key)).count == document.flags.count, "a flag key appears twice")
    }

    @Test func validExceptTheDeliberatelyBrokenOnes() throws {
        let document = try Testbed.document.get()
        let cohorts = [testbedEnvironment: Set((document.cohorts[testbedEnvironment] ?? []).map(\.key))]
        for flag in document.flags {
            let issues = flag.validationIssues(cohorts: cohorts)
            if Self.refused.contains(flag.key) {
                #expect(!issues.isEmpty, "\(flag.key) should be refused")
            } else {
                #expect(issues.isEmpty, "\(flag.key): \(issues)")
            }
        }
        #expect(Self.refused.isSubset(of: Set(document.flags.map(\.key))))
    }

    @Test func brokenFlagsAnswerParseErrorAndTheRestDoNot() throws {
        let engine = try Testbed.engine()
        for flag in try Testbed.document.get().flags {
            let result = engine.evaluate(flag.key, context: EvaluationContext(targetingKey: "someone"))
            #expect((result.errorCode == .parseError) == Self.refused.contains(flag.key), "\(flag.key): \(result.errorCode?.rawValue ?? "no error")")
        }
    }
}
