import Testing
import ClutchCore

/// An empty targeting key is no targeting key (as in flagd): never bucketed, never matched.
@Suite struct TargetingKeyTests {
    static let rollout = Flag(key: "half", environments: ["production": FlagState(
        enabled: true, default: .rollout(.percentage(50, of: "on", rest: "off")))])

    static let missing: [EvaluationContext] = [
        EvaluationContext(), EvaluationContext(targetingKey: nil, attributes: ["plan": "pro"]),
    ]

    @Test(arguments: [
        EvaluationContext(targetingKey: ""),
        EvaluationContext(targetingKey: "", attributes: ["plan": "pro"]),
        EvaluationContext(targetingKey: nil, attributes: ["targetingKey": ""]),
        EvaluationContext(targetingKey: "", attributes: ["targetingKey": ""]),
    ])
    func emptyIsNeverBucketed(_ ctx: EvaluationContext) throws {
        let e = engine([TargetingKeyTests.rollout])
        let expected = e.evaluate("half", context: TargetingKeyTests.missing[0])
        #expect(expected.reason == .default)
        #expect(expected.variant == "off")
        let result = e.evaluate("half", context: ctx)
        #expect(result.reason == expected.reason)
        #expect(result.variant == expected.variant)
        #expect(result.value == expected.value)
        #expect(result.errorCode == nil)
    }

    @Test(arguments: [EvaluationContext(targetingKey: ""), EvaluationContext(attributes: ["targetingKey": ""])])
    func emptyMatchesNoClauseButNotExists(_ ctx: EvaluationContext) {
        #expect(!holds(Clause(attribute: "targetingKey", .exists), ctx))
        #expect(holds(Clause(attribute: "targetingKey", .exists, negate: true), ctx))
        #expect(!holds(Clause(attribute: "targetingKey", .in, [""]), ctx))
        #expect(!holds(Clause(attribute: "targetingKey", .in, ["u1"], negate: true), ctx))
        #expect(!holds(Clause(attribute: "targetingKey", .startsWith, [""]), ctx))
        let targeted = engine([ruleFlag([], targets: [Target(variant: "on", values: ["", "u1"])])])
        #expect(targeted.evaluate("f", context: ctx).variant == "off")
    }

    /// An empty key field does not hide a non-empty `targetingKey` attribute, as an unset one does not.
    @Test func emptyFieldFallsBackToTheAttribute() {
        let e = engine([TargetingKeyTests.rollout])
        let attribute = e.evaluate("half", context: EvaluationContext(attributes: ["targetingKey": "user-42"]))
        let empty = e.evaluate("half", context: EvaluationContext(targetingKey: "", attributes: ["targetingKey": "user-42"]))
        #expect(attribute.reason == .split)
        #expect(empty.reason == .split)
        #expect(empty.variant == attribute.variant)
    }

    /// The targeting key is a string: a `targetingKey` attribute of another kind (possible only
    /// through the Swift API; a JSON context refuses it) is no targeting key, as in flagd, whose
    /// `fractional` serves the default variant for it (flagd-testbed, gherkin/targeting.feature ›
    /// Fractional operator invalid implicit inputs).
    @Test(arguments: [Value.integer(12345), .bool(true), .double(1.5), ["u1"], ["id": "u1"], .null])
    func nonStringAttributeIsNoTargetingKey(_ key: Value) {
        let ctx = EvaluationContext(attributes: ["targetingKey": key])
        let result = engine([TargetingKeyTests.rollout]).evaluate("half", context: ctx)
        #expect(result.reason == .default)
        #expect(result.variant == "off")
        let text = key.comparableText ?? "u1"
        #expect(!holds(Clause(attribute: "targetingKey", .exists), ctx))
        #expect(holds(Clause(attribute: "targetingKey", .exists, negate: true), ctx))
        #expect(!holds(Clause(attribute: "targetingKey", .in, [text]), ctx))
        #expect(!holds(Clause(attribute: "targetingKey", .in, ["other"], negate: true), ctx))
        let targeted = engine([ruleFlag([], targets: [Target(variant: "on", values: [text])])])
        #expect(targeted.evaluate("f", context: ctx).variant == "off")
        // A string targeting key given alongside still counts.
        let keyed = EvaluationContext(targetingKey: "user-42", attributes: ["targetingKey": key])
        #expect(holds(Clause(attribute: "targetingKey", .in, ["user-42"]), keyed))
    }

    /// A non-empty key still buckets: the rule is about emptiness only.
    @Test(arguments: [" ", "0", "u"])
    func nonEmptyKeysAreBucketed(_ key: String) {
        #expect(engine([TargetingKeyTests.rollout]).evaluate("half", context: context(key)).reason == .split)
    }
}
