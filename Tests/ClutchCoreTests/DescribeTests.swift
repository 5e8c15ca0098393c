import ClutchCore
import Testing

/// `Describe`: the plain words the CLI and the web console use for a flag's state.
@Suite struct DescribeTests {
    static let flag = Flag(
        key: "new-checkout",
        environments: [
            "production": FlagState(
                enabled: true,
                targets: [Target(variant: "on", attribute: "customerId", values: ["acme", "globex", "initech"])],
                rules: [Rule(clauses: [Clause(attribute: "role", .in, ["admin"])], serve: Serve(variant: "on"))],
                default: Serve(rollout: Rollout(bucketBy: "customerId", weights: [
                    Rollout.Weight(variant: "on", weight: 12_500), Rollout.Weight(variant: "off", weight: 87_500),
                ]))),
            "staging": FlagState(enabled: false),
        ])

    @Test func stepsFollowEvaluationOrder() {
        let steps = Describe.steps(Self.flag, environment: "production")
        #expect(steps.map(\.kind) == ["target", "rule", "default"])
        #expect(steps[0].text == "customerId is acme, globex or initech → gets “on”")
        #expect(steps[1].text == "Rule 1: if role in admin → gets “on”")
        #expect(steps[2].text == "Everyone else gets a rollout: 12.5% “on”, 87.5% “off”, sticky by customerId")
    }

    @Test func offComesFirstAndSaysWhatSwitchingOnWouldDo() {
        let steps = Describe.steps(Self.flag, environment: "staging")
        #expect(steps.map(\.kind) == ["off", "default"])
        #expect(steps[0].text == "Off: everyone gets “off”. When switched on:")
        #expect(steps[1].text == "Everyone gets “on”")
    }

    @Test func prerequisitesComeBeforeTargets() {
        var flag = Self.flag
        flag.environments["production"]?.prerequisites = [Prerequisite(flag: "payments-v2", variant: "on")]
        let steps = Describe.steps(flag, environment: "production")
        #expect(steps.map(\.kind) == ["prerequisite", "target", "rule", "default"])
        #expect(steps[0].text == "Requires payments-v2 to serve “on”; otherwise everyone gets “off”")
    }

    @Test func oneLiners() {
        #expect(Describe.percent(12_500) == "12.5")
        #expect(Describe.percent(1) == "0.001")
        #expect(Describe.percent(100_000) == "100")
        #expect(Describe.clause(Clause(attribute: "email", .exists, negate: true)) == "not email exists")
        #expect(Describe.fallback(Self.flag, FlagState(enabled: true)) == "on (natural default)")
    }
}
