import Testing
import ClutchCore

@Suite struct EvaluationTests {
    @Test func unknownFlagIsFlagNotFound() {
        let result = engine([]).evaluate("missing", context: context("u1"))
        #expect(result.errorCode == .flagNotFound)
        #expect(result.reason == .error)
        #expect(result.value == nil)
        #expect(result.errorMessage?.contains("missing") == true)
    }

    @Test func newFlagIsOffEverywhere() {
        let e = engine([Flag(key: "dark")])
        let result = e.evaluate("dark", context: context("u1"))
        #expect(result.variant == "off")
        #expect(result.value == .bool(false))
        #expect(result.reason == .disabled)
    }

    @Test func switchingABooleanFlagOnServesOnToEveryone() {
        let flag = Flag(key: "f", environments: ["production": FlagState(enabled: true)])
        let result = engine([flag]).evaluate("f", context: context("anyone"))
        #expect(result.value == .bool(true))
        #expect(result.reason == .static)
        #expect(result.match == .default)
    }

    @Test func nonBooleanDefaultServesFirstVariantThatIsNotOff() {
        let flag = Flag(key: "color", type: .string, variants: [
            Variant(key: "off", value: "grey"), Variant(key: "blue", value: "#00f"), Variant(key: "red", value: "#f00"),
        ], offVariant: "off", environments: ["production": FlagState(enabled: true)])
        #expect(engine([flag]).evaluate("color", context: context("u")).variant == "blue")
    }

    @Test func disabledWinsOverTargetsAndRules() {
        let flag = Flag(key: "f", environments: ["production": FlagState(
            enabled: false, targets: [Target(variant: "on", values: ["u1"])],
            rules: [Rule(clauses: [Clause(attribute: "role", .exists)], serve: .variant("on"))])])
        let result = engine([flag]).evaluate("f", context: context("u1", ["role": "admin"]))
        #expect(result.variant == "off")
        #expect(result.reason == .disabled)
    }

    @Test func evaluationOrderAndReasons() {
        let flag = Flag(key: "f", type: .string, variants: [
            Variant(key: "off", value: "off"), Variant(key: "target", value: "t"),
            Variant(key: "rule", value: "r"), Variant(key: "split", value: "s"), Variant(key: "fallback", value: "d"),
        ], offVariant: "off", environments: ["production": FlagState(
            enabled: true,
            targets: [Target(variant: "target", attribute: "customerId", values: ["acme", "globex"])],
            rules: [
                Rule(clauses: [Clause(attribute: "role", .in, ["admin"])], serve: .variant("rule")),
                Rule(clauses: [Clause(attribute: "plan", .in, ["pro"])], serve: .rollout(
                    Rollout(weights: [.init(variant: "split", weight: 100_000), .init(variant: "off", weight: 0)]))),
            ],
            default: .variant("fallback"))])
        let e = engine([flag])
        let target = e.evaluate("f", context: context("u1", ["customerId": "globex", "role": "admin"]))
        #expect(target.variant == "target")
        #expect(target.reason == .targetingMatch)
        #expect(target.match == .target(index: 0))

        let rule = e.evaluate("f", context: context("u1", ["role": "admin", "plan": "pro"]))
        #expect(rule.variant == "rule")
        #expect(rule.reason == .targetingMatch)
        #expect(rule.match == .rule(index: 0))

        let split = e.evaluate("f", context: context("u1", ["plan": "pro"]))
        #expect(split.variant == "split")
        #expect(split.reason == .split)
        #expect(split.match == .rule(index: 1))

        let fallback = e.evaluate("f", context: context("u1", ["plan": "free"]))
        #expect(fallback.variant == "fallback")
        #expect(fallback.reason == .default)
        #expect(fallback.match == .default)
    }

    @Test func targetsMatchArrayAttributesAndNumbers() {
        let flag = ruleFlag([], targets: [Target(variant: "on", attribute: "accountId", values: ["42"])])
        let e = engine([flag])
        #expect(e.evaluate("f", context: context("u", ["accountId": 42])).variant == "on")
        #expect(e.evaluate("f", context: context("u", ["accountId": ["7", "42"]])).variant == "on")
        #expect(e.evaluate("f", context: context("u", ["accountId": 43])).variant == "off")
    }

    @Test func cohortsWithManyMembersAndClauses() {
        let members = (0..<50_000).map { "customer-\($0)" }
        let cohorts = [
            Cohort(key: "beta", members: members),
            Cohort(key: "staff", clauses: [Clause(attribute: "email", .endsWith, ["@clutch.dev"])]),
        ]
        let e = engine([ruleFlag([
            Rule(clauses: [.inCohort("beta")], serve: .variant("on")),
            Rule(clauses: [.inCohort("staff")], serve: .variant("on")),
        ])], cohorts: cohorts)
        #expect(e.evaluate("f", context: context("u", ["customerId": "customer-49999"])).variant == "on")
        #expect(e.evaluate("f", context: context("u", ["customerId": "customer-50000"])).variant == "off")
        #expect(e.evaluate("f", context: context("u", ["email": "jo@clutch.dev"])).variant == "on")
        #expect(e.evaluate("f", context: context("u")).variant == "off")
        #expect(holds(.inCohort("beta", negate: true), context("u", ["customerId": "other"]), cohorts: cohorts))
    }

    @Test func flagNamingAMissingCohortIsAParseErrorAndOthersStillWork() {
        let broken = Flag(key: "broken", environments: ["production": FlagState(
            enabled: true, rules: [Rule(clauses: [.inCohort("gone")], serve: .variant("on"))])])
        let fine = Flag(key: "fine", environments: ["production": FlagState(enabled: true)])
        let e = engine([broken, fine])
        let result = e.evaluate("broken", context: context("u"))
        #expect(result.errorCode == .parseError)
        #expect(result.errorMessage?.contains("gone") == true)
        #expect(e.evaluate("fine", context: context("u")).value == .bool(true))
    }

    @Test(arguments: FlagType.allCases)
    func typeMismatch(requested: FlagType) {
        let e = engine([Flag(key: "f", environments: ["production": FlagState(enabled: true)])])
        let result = e.evaluate("f", as: requested, context: context("u"))
        if requested == .boolean {
            #expect(result.errorCode == nil)
            #expect(result.value == .bool(true))
        } else {
            #expect(result.errorCode == .typeMismatch)
            #expect(result.value == nil)
        }
    }

    @Test func integerVariantsOfADoubleFlagAreServedAsDoubles() {
        let flag = Flag(key: "ratio", type: .double, variants: [Variant(key: "one", value: 1), Variant(key: "half", value: 0.5)],
                        offVariant: "half", environments: ["production": FlagState(enabled: true)])
        let result = engine([flag]).evaluate("ratio", as: .double, context: context("u"))
        #expect(result.value == .double(1.0))
        #expect(result.value?.jsonText == "1.0")
    }

    @Test func environmentsAreIndependent() {
        let flag = Flag(key: "f", environments: ["production": FlagState(enabled: false), "staging": FlagState(enabled: true)])
        #expect(engine([flag], environment: "production").evaluate("f", context: context("u")).value == .bool(false))
        #expect(engine([flag], environment: "staging").evaluate("f", context: context("u")).value == .bool(true))
        #expect(engine([flag], environment: "development").evaluate("f", context: context("u")).reason == .disabled)
    }

    /// Hostile contexts must never crash evaluation.
    @Test func hostileContextsNeverCrash() {
        let flag = Flag(key: "f", environments: ["production": FlagState(
            enabled: true,
            targets: [Target(variant: "on", attribute: "customerId", values: ["a"])],
            rules: [
                Rule(clauses: [Clause(attribute: "v", .semverGreaterThan, ["1.0.0"])], serve: .variant("on")),
                Rule(clauses: [Clause(attribute: "d", .after, ["2026-01-01"])], serve: .variant("on")),
                Rule(clauses: [Clause(attribute: "n", .greaterThan, ["1"])], serve: .variant("on")),
                Rule(clauses: [Clause(attribute: "s", .matches, ["^x+$"])], serve: .variant("on")),
            ],
            default: .rollout(.percentage(50, of: "on", rest: "off", bucketBy: "customerId")))])
        let e = engine([flag])
        let weird: [Value] = [.null, .double(.nan), .double(.infinity), .integer(.max), .integer(.min), "", "\u{0}",
                              String(repeating: "x", count: 100_000).valueString, [[[]]], ["k": ["k": .null]], "🇫🇷👩‍👩‍👧"]
        for value in weird {
            let ctx = context("u", ["customerId": value, "v": value, "d": value, "n": value, "s": value])
            let result = e.evaluate("f", context: ctx)
            #expect(result.errorCode == nil)
            #expect(result.variant != nil)
        }
    }
}

extension String {
    var valueString: Value { .string(self) }
}

@Suite struct ContextTests {
    @Test func readsOFREPStyleJSON() throws {
        let ctx = try EvaluationContext(json: ["targetingKey": "u1", "customerId": "acme", "role": ["admin"]])
        #expect(ctx.targetingKey == "u1")
        #expect(ctx.attributes["customerId"] == "acme")
        #expect(ctx.attributes["targetingKey"] == nil)
        #expect(ctx.json["targetingKey"] == "u1")
    }

    @Test func nonStringTargetingKeyIsInvalid() {
        #expect(throws: EvaluationContext.Invalid.self) {
            try EvaluationContext(json: ["targetingKey": 42])
        }
    }

    /// Copies share one storage object; changing a copy must not show through the original,
    /// for attributes read directly or through compiled rules.
    @Test func copiesAreIndependentValues() {
        let admins = Engine(Snapshot(environment: "production", version: 1, flags: [
            Flag(key: "admin-only", environments: ["production": FlagState(
                enabled: true, rules: [Rule(clauses: [Clause(attribute: "role", .in, ["admin"])], serve: .variant("on"))],
                default: .variant("off"))]),
        ], cohorts: []))
        let original = EvaluationContext(targetingKey: "u1", attributes: ["role": "member"])
        var copy = original
        copy.attributes["role"] = "admin"
        copy.targetingKey = "u2"
        #expect(original.attributes["role"] == "member")
        #expect(original.targetingKey == "u1")
        #expect(copy.attributes["role"] == "admin")
        #expect(copy.targetingKey == "u2")
        #expect(admins.evaluate("admin-only", context: original).variant == "off")
        #expect(admins.evaluate("admin-only", context: copy).variant == "on")
        #expect(original != copy)
        copy.attributes["role"] = "member"
        copy.targetingKey = "u1"
        #expect(original == copy)
        #expect(original.hashValue == copy.hashValue)
    }

    /// `targetingKey` may also arrive as an ordinary attribute when the field is unset.
    @Test func targetingKeyAttributeIsUsedForBucketingWhenTheFieldIsUnset() {
        let rollout = Engine(Snapshot(environment: "production", version: 1, flags: [
            Flag(key: "half", environments: ["production": FlagState(
                enabled: true, default: .rollout(.percentage(50, of: "on", rest: "off")))]),
        ], cohorts: []))
        let field = EvaluationContext(targetingKey: "user-42")
        let attribute = EvaluationContext(attributes: ["targetingKey": "user-42"])
        #expect(rollout.evaluate("half", context: field).variant == rollout.evaluate("half", context: attribute).variant)
        #expect(rollout.evaluate("half", context: attribute).reason == .split)
        #expect(rollout.evaluate("half", context: EvaluationContext()).reason == .default)
    }
}

@Suite struct ChunkedTableTests {
    @Test(arguments: [0, 1, 4, 5, 63, 64, 65, 100, 5_000])
    func findsEveryKeyAndNoOther(count: Int) {
        let keys = (0..<count).map { "flag-\($0)" }
        let table = ChunkedTable(keys.enumerated().map { ($0.element, $0.offset) })
        #expect(table.count == count)
        for (position, key) in keys.enumerated() { #expect(table[key] == position) }
        #expect(table["flag-\(count)"] == nil)
        #expect(table[""] == nil)
        #expect(table.elements == Array(0..<count))
    }

    @Test func repeatedKeysKeepTheFirstElement() {
        let table = ChunkedTable(["a", "b", "a", "ünïcødé", "c", "d", "e"].enumerated().map { ($0.element, $0.offset) })
        #expect(table.count == 6)
        #expect(table["a"] == 0)
        #expect(table["ünïcødé"] == 3)
        #expect(table["e"] == 6)
    }
}
