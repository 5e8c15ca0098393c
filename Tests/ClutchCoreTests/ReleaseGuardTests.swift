import ClutchCore
import Foundation
import TestSupport
import Testing

@Suite("Release guard")
struct ReleaseGuardTests {
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var new: (Int64, Int64)
        var other: (Int64, Int64)
        var percent: Double
        var batches: Int
        var expected: ReleaseVerdict
        var description: String { name }
    }

    /// Each case feeds `batches` equal batches of (evaluations, errors) per side at `percent`,
    /// with max-error-ratio 1.5 and 500 minimum samples.
    static let cases: [Case] = [
        Case(name: "equal error rates, plenty of data", new: (100, 1), other: (900, 9), percent: 10, batches: 20, expected: .healthy),
        Case(name: "new side 10× the errors", new: (100, 10), other: (900, 9), percent: 10, batches: 5, expected: .worse),
        Case(name: "new side 3× the errors", new: (100, 3), other: (900, 9), percent: 10, batches: 40, expected: .worse),
        Case(name: "new side 1.4× (under the allowed 1.5×)", new: (100, 14), other: (900, 90), percent: 10, batches: 40, expected: .healthy),
        Case(name: "new side better", new: (100, 0), other: (900, 20), percent: 10, batches: 40, expected: .healthy),
        Case(name: "too few evaluations", new: (10, 0), other: (90, 1), percent: 10, batches: 3, expected: .collecting),
        Case(name: "no errors at all", new: (100, 0), other: (900, 0), percent: 10, batches: 20, expected: .healthy),
        Case(name: "split 30 % instead of 10 %", new: (300, 3), other: (700, 7), percent: 10, batches: 10, expected: .sampleRatioMismatch),
        Case(name: "split 10.5 % for 10 % (within tolerance)", new: (105, 1), other: (895, 9), percent: 10, batches: 50, expected: .healthy),
    ]

    @Test(arguments: cases)
    func verdict(_ c: Case) {
        let policy = ReleasePolicy(variant: "on", steps: [c.percent, 100], stepDuration: 1, minSamples: 500, maxErrorRatio: 1.5)
        var progress = ReleaseProgress(stepStartedAt: Date(timeIntervalSince1970: 0))
        let batch = GuardSample(
            new: SideCounts(evaluations: c.new.0, errors: c.new.1), other: SideCounts(evaluations: c.other.0, errors: c.other.1))
        for _ in 0..<c.batches { progress.absorb(batch, policy: policy, now: Date(timeIntervalSince1970: 5)) }
        #expect(progress.verdict == c.expected, "\(progress.figures(policy: policy))")
    }

    @Test("next step only when healthy and the step has lasted long enough; worse rolls back; a mismatch holds")
    func actions() {
        let policy = ReleasePolicy(variant: "on", steps: [10, 50, 100], stepDuration: 60, minSamples: 10, maxErrorRatio: 1.5)
        let start = Date(timeIntervalSince1970: 1000)
        var progress = ReleaseProgress(stepStartedAt: start)
        #expect(progress.next(policy: policy, now: start.addingTimeInterval(120)) == .wait)  // collecting
        // Within the settling time a report counts for the error test, not for the step.
        progress.absorb(
            GuardSample(new: SideCounts(evaluations: 100, errors: 1), other: SideCounts(evaluations: 900, errors: 9)), policy: policy,
            now: start.addingTimeInterval(5))
        #expect(progress.step == GuardSample())
        #expect(progress.total.new.evaluations == 100)
        progress.absorb(
            GuardSample(new: SideCounts(evaluations: 100, errors: 1), other: SideCounts(evaluations: 900, errors: 9)), policy: policy,
            now: start.addingTimeInterval(30))
        #expect(progress.verdict == .healthy)
        #expect(progress.next(policy: policy, now: start.addingTimeInterval(59)) == .wait)
        #expect(progress.next(policy: policy, now: start.addingTimeInterval(60)) == .advance(to: 1))
        progress.enterStep(1, at: start.addingTimeInterval(60))
        #expect(progress.verdict == .collecting)
        #expect(progress.step == GuardSample())
        #expect(progress.total.new.evaluations == 200)
        progress.absorb(
            GuardSample(new: SideCounts(evaluations: 500, errors: 50), other: SideCounts(evaluations: 500, errors: 5)), policy: policy,
            now: start.addingTimeInterval(61))
        #expect(progress.next(policy: policy, now: start.addingTimeInterval(61)) == .rollBack)

        var skewed = ReleaseProgress(stepStartedAt: start)
        skewed.absorb(
            GuardSample(new: SideCounts(evaluations: 5000), other: SideCounts(evaluations: 5000)), policy: policy,
            now: start.addingTimeInterval(30))
        #expect(skewed.next(policy: policy, now: start.addingTimeInterval(600)) == .hold)
    }

    /// The point of an always-valid test: checked after every batch, a variant exactly at the
    /// allowed ratio is still rolled back in at most about α of releases.
    @Test("under the null hypothesis, looking after every batch rolls back at most about α of the time")
    func alwaysValid() {
        var random = Random(seed: 42)
        let policy = ReleasePolicy(variant: "on", steps: [20, 100], stepDuration: 1, minSamples: 1, maxErrorRatio: 1.5)
        var rejected = 0
        let runs = 400
        for _ in 0..<runs {
            var progress = ReleaseProgress(stepStartedAt: Date())
            for _ in 0..<100 {
                // 200 evaluations a side per batch, the new side's rate exactly 1.5 × 2 %.
                let batch = GuardSample(
                    new: SideCounts(evaluations: 200, errors: random.binomial(200, 0.03)),
                    other: SideCounts(evaluations: 800, errors: random.binomial(800, 0.02)))
                ReleaseGuard.update(&progress.evidence, with: batch, maxErrorRatio: policy.maxErrorRatio)
                if ReleaseGuard.isWorse(progress.evidence) {
                    rejected += 1
                    break
                }
            }
        }
        // Ville's inequality bounds the rate by α = 1 %; allow sampling noise (400 runs).
        #expect(Double(rejected) / Double(runs) <= 0.025, "rejected \(rejected) of \(runs)")
    }

    struct PolicyCase: Sendable, CustomStringConvertible {
        var policy: ReleasePolicy
        var field: String?
        var description: String { field ?? "valid" }
    }

    static let policies: [PolicyCase] = [
        PolicyCase(policy: ReleasePolicy(variant: "on"), field: nil),
        PolicyCase(policy: ReleasePolicy(variant: "on", steps: [1, 100], stepDuration: 1), field: nil),
        PolicyCase(policy: ReleasePolicy(variant: "on", stepDuration: 0.5), field: "stepDuration"),
        PolicyCase(policy: ReleasePolicy(variant: "on", steps: [5, 1, 100]), field: "steps"),
        PolicyCase(policy: ReleasePolicy(variant: "on", steps: [5, 50]), field: "steps"),
        PolicyCase(policy: ReleasePolicy(variant: "on", steps: [100]), field: "steps"),
        PolicyCase(policy: ReleasePolicy(variant: "on", steps: [0, 100]), field: "steps[0]"),
        PolicyCase(policy: ReleasePolicy(variant: "on", minSamples: 0), field: "minSamples"),
        PolicyCase(policy: ReleasePolicy(variant: "on", maxErrorRatio: 0.5), field: "maxErrorRatio"),
        PolicyCase(policy: ReleasePolicy(variant: ""), field: "variant"),
    ]

    @Test(arguments: policies)
    func policyValidation(_ c: PolicyCase) {
        #expect(c.policy.issues().first?.path == c.field)
    }

    @Test(arguments: [
        ("10m", 600.0), ("90s", 90), ("2h", 7200), ("1h30m", 5400), ("1s", 1), ("45", 45), ("1.5s", 1.5),
    ] as [(String, Double)])
    func durations(_ text: String, _ seconds: Double) {
        #expect(ReleaseDuration.seconds(text) == seconds)
    }

    @Test(arguments: ["", "10x", "m", "-5", "5m3", "abc"])
    func badDurations(_ text: String) {
        #expect(ReleaseDuration.seconds(text) == nil)
    }

    @Test func durationText() {
        #expect(ReleaseDuration.text(600) == "10m")
        #expect(ReleaseDuration.text(5400) == "1h30m")
        #expect(ReleaseDuration.text(2) == "2s")
    }
}

/// Seeded draws for the guard's simulations.
struct Random {
    var generator: SplitMix64
    init(seed: UInt64) { generator = SplitMix64(seed: seed) }

    mutating func uniform() -> Double { Double(generator.next() >> 11) / Double(1 << 53) }

    /// Successes in `n` trials of probability `p` (p ≤ 0.5), counting geometric gaps between them.
    mutating func binomial(_ n: Int64, _ p: Double) -> Int64 {
        let logQ = log(1 - p)
        var k: Int64 = 0
        var position = 0.0
        while true {
            position += (log(1 - uniform()) / logQ).rounded(.down) + 1
            if position > Double(n) { return k }
            k += 1
        }
    }
}
