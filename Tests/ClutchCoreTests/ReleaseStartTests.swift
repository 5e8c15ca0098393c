import ClutchCore
import Testing

/// Where a release starts (``ReleaseStart``): from the current exposure, never below it, or refused
/// naming what the flag serves when that cannot be continued; `restartFrom` overrides.
@Suite("Release start")
struct ReleaseStartTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var state: FlagState
        var bucketBy = "targetingKey"
        var restartFrom: Double?
        /// The steps the release runs, or `nil` when it is refused.
        var steps: [Double]?
        var replacedPercent: Double
        var testDescription: String { name }
    }

    static func on(_ serve: Serve) -> FlagState { FlagState(enabled: true, default: serve) }
    static func split(_ weights: [(String, Int)], by bucketBy: String = "targetingKey") -> Serve {
        .rollout(Rollout(bucketBy: bucketBy, weights: weights.map { Rollout.Weight(variant: $0.0, weight: $0.1) }))
    }

    static let cases: [Case] = [
        Case(name: "off: every step", state: FlagState(enabled: false, default: split([("on", 50_000), ("off", 50_000)])),
             steps: [1, 5, 25, 50, 100], replacedPercent: 0),
        Case(name: "serving off to everyone: every step", state: on(.variant("off")), steps: [1, 5, 25, 50, 100], replacedPercent: 0),
        Case(name: "at 50 %: 50, 100", state: on(split([("on", 50_000), ("off", 50_000)])), steps: [50, 100], replacedPercent: 50),
        Case(name: "at 30 %: starts at 30", state: on(split([("on", 30_000), ("off", 70_000)])), steps: [30, 50, 100], replacedPercent: 30),
        Case(name: "at 0.5 %: the first step is above it", state: on(split([("on", 500), ("off", 99_500)])),
             steps: [1, 5, 25, 50, 100], replacedPercent: 0.5),
        Case(name: "at 0 % by another attribute: nothing to keep", state: on(split([("on", 0), ("off", 100_000)], by: "customerId")),
             steps: [1, 5, 25, 50, 100], replacedPercent: 0),
        Case(name: "first of three variants: continued", state: on(split([("on", 20_000), ("beta", 30_000), ("off", 50_000)])),
             steps: [20, 25, 50, 100], replacedPercent: 20),
        Case(name: "by another attribute: refused", state: on(split([("on", 50_000), ("off", 50_000)], by: "customerId")),
             steps: nil, replacedPercent: 50),
        Case(name: "its buckets last: refused", state: on(split([("off", 50_000), ("on", 50_000)])), steps: nil, replacedPercent: 50),
        Case(name: "everyone has it: refused", state: on(.variant("on")), steps: nil, replacedPercent: 100),
        Case(name: "natural default 'on': refused", state: FlagState(enabled: true), steps: nil, replacedPercent: 100),
        Case(name: "refused, but told to restart at 1", state: on(split([("on", 50_000), ("off", 50_000)], by: "customerId")),
             restartFrom: 1, steps: [1, 5, 25, 50, 100], replacedPercent: 50),
        Case(name: "continuable, told to restart at 10", state: on(split([("on", 50_000), ("off", 50_000)])),
             restartFrom: 10, steps: [10, 25, 50, 100], replacedPercent: 50),
    ]

    @Test(arguments: cases) func startsFromTheCurrentExposure(_ example: Case) throws {
        let flag = Flag(key: "gate", variants: [
            Variant(key: "on", value: .bool(true)), Variant(key: "beta", value: .bool(true)), Variant(key: "off", value: .bool(false)),
        ], offVariant: "off", environments: ["production": example.state])
        let policy = ReleasePolicy(variant: "on", bucketBy: example.bucketBy)
        do {
            let (planned, baseline) = try ReleaseStart.plan(policy, flag: flag, environment: "production", restartFrom: example.restartFrom)
            #expect(planned.steps == example.steps)
            #expect(planned.issues().isEmpty)
            #expect(baseline.percent == example.replacedPercent)
            #expect(baseline.enabled == example.state.enabled)
            #expect(baseline.serve == example.state.default ?? flag.naturalDefault)
        } catch .cannotContinue(let sentence) {
            #expect(example.steps == nil, "refused: \(sentence)")
            #expect(sentence.contains("production") && sentence.contains("restartFrom"), "\(sentence)")
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test(arguments: [0, 100, -1, Double.nan]) func restartFromIsAPercentageAboveZeroAndBelowHundred(_ percent: Double) {
        let flag = Flag(key: "gate", environments: ["production": FlagState(enabled: true)])
        #expect(throws: ReleaseStart.Refusal.invalid(ValidationIssue(path: "restartFrom", message: "restartFrom is a percentage above 0 and below 100"))) {
            try ReleaseStart.plan(ReleasePolicy(variant: "on"), flag: flag, environment: "production", restartFrom: percent)
        }
    }
}
