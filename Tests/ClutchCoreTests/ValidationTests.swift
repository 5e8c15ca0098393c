import Testing
import ClutchCore

/// A definition that must be refused, the field path the error names, and a word of the message.
struct InvalidCase: CustomTestStringConvertible, Sendable {
    let name: String
    let flag: Flag
    let path: String
    let mentions: String
    var testDescription: String { name }
}

@Suite struct ValidationTests {
    static func state(_ rules: [Rule] = [], targets: [Target] = [], default serve: Serve? = nil) -> [String: FlagState] {
        ["production": FlagState(enabled: true, targets: targets, rules: rules, default: serve)]
    }

    static let admin = Clause(attribute: "role", .in, ["admin"])

    static let cases: [InvalidCase] = [
        InvalidCase(name: "uppercase key", flag: Flag(key: "New-Checkout"), path: "key", mentions: "lowercase"),
        InvalidCase(name: "empty key", flag: Flag(key: ""), path: "key", mentions: "1–128"),
        InvalidCase(name: "key too long", flag: Flag(key: String(repeating: "a", count: 129)), path: "key", mentions: "1–128"),
        InvalidCase(name: "key with space", flag: Flag(key: "new checkout"), path: "key", mentions: "invalid"),
        InvalidCase(name: "no variants", flag: Flag(key: "f", type: .string, variants: [], offVariant: "x"), path: "variants", mentions: "at least one"),
        InvalidCase(name: "duplicate variant", flag: Flag(key: "f", variants: [Variant(key: "on", value: true), Variant(key: "on", value: false)], offVariant: "on"),
                    path: "variants[1].key", mentions: "duplicate"),
        InvalidCase(name: "wrong value type", flag: Flag(key: "f", type: .integer, variants: [Variant(key: "a", value: 1), Variant(key: "b", value: "two")], offVariant: "a"),
                    path: "variants[1].value", mentions: "integer"),
        InvalidCase(name: "double value in integer flag", flag: Flag(key: "f", type: .integer, variants: [Variant(key: "a", value: 1.5)], offVariant: "a"),
                    path: "variants[0].value", mentions: "double"),
        InvalidCase(name: "off variant missing", flag: Flag(key: "f", offVariant: "nope"), path: "offVariant", mentions: "nope"),
        InvalidCase(name: "target names missing variant", flag: Flag(key: "f", environments: state(targets: [Target(variant: "blue", values: ["u1"])])),
                    path: "environments.production.targets[0].variant", mentions: "blue"),
        InvalidCase(name: "target without values", flag: Flag(key: "f", environments: state(targets: [Target(variant: "on", values: [])])),
                    path: "environments.production.targets[0].values", mentions: "at least one"),
        InvalidCase(name: "rule serves missing variant", flag: Flag(key: "f", environments: state([Rule(clauses: [admin], serve: .variant("blue"))])),
                    path: "environments.production.rules[0].serve.variant", mentions: "blue"),
        InvalidCase(name: "rule serves nothing", flag: Flag(key: "f", environments: state([Rule(clauses: [admin], serve: Serve())])),
                    path: "environments.production.rules[0].serve", mentions: "exactly one"),
        InvalidCase(name: "rule without clauses", flag: Flag(key: "f", environments: state([Rule(clauses: [], serve: .variant("on"))])),
                    path: "environments.production.rules[0].clauses", mentions: "at least one clause"),
        InvalidCase(name: "weights do not sum", flag: Flag(key: "f", environments: state([
            Rule(clauses: [admin], serve: .variant("on")), Rule(clauses: [admin], serve: .variant("on")),
            Rule(clauses: [admin], serve: .rollout(Rollout(weights: [.init(variant: "on", weight: 50_000), .init(variant: "off", weight: 40_000)])))])),
                    path: "environments.production.rules[2].serve.rollout", mentions: "sum to 100000"),
        InvalidCase(name: "negative weight", flag: Flag(key: "f", environments: state(default: .rollout(Rollout(weights: [
            .init(variant: "on", weight: 110_000), .init(variant: "off", weight: -10_000)])))),
                    path: "environments.production.default.rollout.weights[1].weight", mentions: "negative"),
        InvalidCase(name: "rollout names missing variant", flag: Flag(key: "f", environments: state(default: .rollout(Rollout(weights: [
            .init(variant: "on", weight: 50_000), .init(variant: "maybe", weight: 50_000)])))),
                    path: "environments.production.default.rollout.weights[1].variant", mentions: "maybe"),
        InvalidCase(name: "rollout repeats a variant", flag: Flag(key: "f", environments: state(default: .rollout(Rollout(weights: [
            .init(variant: "on", weight: 50_000), .init(variant: "on", weight: 50_000)])))),
                    path: "environments.production.default.rollout.weights[1].variant", mentions: "twice"),
        InvalidCase(name: "rollout without bucketBy", flag: Flag(key: "f", environments: state(default: .rollout(Rollout(bucketBy: "", weights: [
            .init(variant: "on", weight: 100_000)])))),
                    path: "environments.production.default.rollout.bucketBy", mentions: "attribute"),
        InvalidCase(name: "invalid pattern", flag: Flag(key: "f", environments: state([Rule(clauses: [Clause(attribute: "email", .matches, ["(unclosed"])], serve: .variant("on"))])),
                    path: "environments.production.rules[0].clauses[0].values[0]", mentions: "regular expression"),
        InvalidCase(name: "unknown operator", flag: Flag(key: "f", environments: state([Rule(clauses: [{ var c = admin; c.operator = "like"; return c }()], serve: .variant("on"))])),
                    path: "environments.production.rules[0].clauses[0].operator", mentions: "like"),
        InvalidCase(name: "not a number", flag: Flag(key: "f", environments: state([Rule(clauses: [Clause(attribute: "age", .greaterThan, ["18", "old"])], serve: .variant("on"))])),
                    path: "environments.production.rules[0].clauses[0].values[1]", mentions: "number"),
        InvalidCase(name: "not a version", flag: Flag(key: "f", environments: state([Rule(clauses: [Clause(attribute: "v", .semverLessThan, ["two"])], serve: .variant("on"))])),
                    path: "environments.production.rules[0].clauses[0].values[0]", mentions: "semantic version"),
        InvalidCase(name: "not a date", flag: Flag(key: "f", environments: state([Rule(clauses: [Clause(attribute: "d", .after, ["soon"])], serve: .variant("on"))])),
                    path: "environments.production.rules[0].clauses[0].values[0]", mentions: "date"),
        InvalidCase(name: "operator without values", flag: Flag(key: "f", environments: state([Rule(clauses: [Clause(attribute: "plan", .in, [])], serve: .variant("on"))])),
                    path: "environments.production.rules[0].clauses[0].values", mentions: "at least one value"),
        InvalidCase(name: "missing cohort", flag: Flag(key: "f", environments: state([Rule(clauses: [.inCohort("ghosts")], serve: .variant("on"))])),
                    path: "environments.production.rules[0].clauses[0].cohort", mentions: "ghosts"),
        InvalidCase(name: "bad environment name", flag: Flag(key: "f", environments: ["Prod": FlagState()]),
                    path: "environments.Prod", mentions: "environment key"),
    ]

    @Test(arguments: cases)
    func refused(_ row: InvalidCase) throws {
        let error = try #require(throws: ValidationError.self) { try row.flag.validate(cohorts: ["production": ["beta"]]) }
        #expect(error.path == row.path, "\(error)")
        #expect(error.description.contains(row.mentions), "\(error)")
    }

    @Test func validFlagsPass() throws {
        let flag = Flag(key: "checkout.v2_beta-1", environments: ValidationTests.state(
            [Rule(clauses: [ValidationTests.admin, .inCohort("beta")], serve: .rollout(.percentage(25, of: "on", rest: "off")))],
            targets: [Target(variant: "on", attribute: "customerId", values: ["acme"])]))
        try flag.validate(cohorts: ["production": ["beta"]])
        try Flag(key: String(repeating: "a", count: 128)).validate()
    }

    @Test func cohortChecksAreSkippedWhenCohortsAreUnknown() throws {
        let flag = Flag(key: "f", environments: ValidationTests.state([Rule(clauses: [.inCohort("later")], serve: .variant("on"))]))
        try flag.validate(cohorts: nil)
        #expect(throws: ValidationError.self) { try flag.validate(cohorts: [:]) }
    }

    @Test func cohortsAreValidated() throws {
        #expect(throws: ValidationError.self) { try Cohort(key: "Bad Key", members: ["a"]).validate() }
        let empty = try #require(throws: ValidationError.self) { try Cohort(key: "empty").validate() }
        #expect(empty.path == "members")
        let nested = try #require(throws: ValidationError.self) { try Cohort(key: "nested", clauses: [.inCohort("other")]).validate() }
        #expect(nested.path == "clauses[0].cohort")
        try Cohort(key: "beta", members: ["acme"]).validate()
    }

    @Test func documentsRejectDuplicatesAndNameThePath() throws {
        let document = ClutchDocument(
            flags: [Flag(key: "a"), Flag(key: "b"), Flag(key: "a")],
            cohorts: ["production": [Cohort(key: "beta", members: ["x"]), Cohort(key: "beta", members: ["y"])]])
        let paths = document.validationIssues().map(\.path)
        #expect(paths.contains("flags[2].key"))
        #expect(paths.contains("cohorts.production[1].key"))

        let nestedError = ClutchDocument(flags: [Flag(key: "ok"), Flag(key: "bad", environments: ValidationTests.state(
            [Rule(clauses: [.inCohort("beta")], serve: .variant("on"))]))])
        #expect(nestedError.validationIssues().map(\.path) == ["flags[1].environments.production.rules[0].clauses[0].cohort"])
        let fixed = ClutchDocument(flags: nestedError.flags, cohorts: ["production": [Cohort(key: "beta", members: ["x"])]])
        try fixed.validate()
    }
}
