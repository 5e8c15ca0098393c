import ClutchCore
import Foundation
import TestSupport

/// Issue 13's release guard figures: 1,000 simulated releases whose new variant is as good as
/// the old one (1 % errors on both sides) and 1,000 whose new variant fails at 3 % against 1 %.
/// The simulation drives the code the server's release runner runs (`ReleaseProgress.absorb`
/// and `next`, `ReleaseGuard`) on simulated usage reports, in simulated time.
///
/// Traffic assumption: 100 evaluations a second decided by the flag's default rollout (a modest
/// service: 360,000 an hour), reported every 5 s (the SDK's cadence while a release runs), so
/// each report carries 500 evaluations split at random by the step's percentage, and each
/// evaluation fails independently with its side's error rate. Policy: the defaults of
/// `clutch release start` (steps 1, 5, 25, 50, 100 %, 10 minutes each, 500 evaluations a side,
/// max error ratio 1.5).
enum ReleaseBenchmarks {
    static let releases = 1_000
    static let evaluationsPerSecond = 100.0
    static let reportSeconds = 5.0
    /// A release that has not finished after this long counts as stuck.
    static let horizon = 4.0 * 3600

    struct Outcome {
        var rolledBack = false
        var completed = false
        /// The step index reached (the highest percentage served).
        var highestStep = 0
        var seconds = 0.0
        var holds = 0
    }

    static func run() {
        let policy = ReleasePolicy(variant: "on")
        var random = BenchRandom(seed: 13)
        let clock = ContinuousClock()
        let started = clock.now
        let good = (0..<releases).map { _ in simulate(policy, newRate: 0.01, otherRate: 0.01, random: &random) }
        let bad = (0..<releases).map { _ in simulate(policy, newRate: 0.03, otherRate: 0.01, random: &random) }
        let elapsed = started.duration(to: clock.now)

        let falseRollbacks = good.filter(\.rolledBack).count
        let caughtEarly = bad.filter { $0.rolledBack && $0.highestStep < 2 }.count
        let caught = bad.filter(\.rolledBack).count
        // The first report carrying the bad variant's errors arrives one report interval in.
        let detection = bad.filter(\.rolledBack).map { $0.seconds - reportSeconds }.sorted()
        let completion = good.filter(\.completed).map(\.seconds).sorted()
        print("release_guard_false_rollback_rate: \(percent(falseRollbacks, releases)) % (goal <= 1 %; 1 % vs 1 % errors)")
        print("release_guard_caught_before_25_percent: \(percent(caughtEarly, releases)) % (goal >= 99 %; 3 % vs 1 % errors)")
        print("release_guard_caught_total: \(percent(caught, releases)) %")
        print("release_guard_median_seconds_first_bad_report_to_rollback: \(median(detection)) s")
        print("release_guard_p90_seconds_first_bad_report_to_rollback: \(quantile(detection, 0.9)) s")
        print("release_guard_good_releases_completed: \(percent(completion.count, releases)) %")
        print("release_guard_median_minutes_good_release_to_100_percent: \(median(completion.map { $0 / 60 })) min (baseline: 4 steps x 10 min = 40 min)")
        print("release_guard_good_releases_held_for_sample_ratio: \(good.filter { $0.holds > 0 }.count) releases")
        print("release_guard_simulation_wall_seconds: \(String(format: "%.2f", Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)) s (2,000 releases)")
        runLiars()
    }

    // MARK: Liars (issue 24)

    /// Reporters in the liar simulation: SDK instances sharing the same traffic, of which one
    /// (2 %) lies.
    static let honestReporters = 49
    /// Releases per kind (good, bad), half with each lie.
    static let liarReleases = 1_000

    /// How the lying reporter lies: with its share of the traffic, it claims every evaluation of
    /// the new variant failed (to force a rollback), or every evaluation of the other side
    /// failed (to mask a regression). Either within the hard bounds (errors ≤ count).
    enum Lie: CaseIterable { case forceRollback, mask }

    /// Issue 24's figures: the same releases as above (100 evaluations a second, reports every
    /// 5 s, the default policy), the traffic spread over 50 SDK instances, one of which lies —
    /// half the releases with each lie. Every instance's reports go to the guard per reporter
    /// as the server's runner hands them over (``ReleaseProgress/absorb(_:policy:served:)``).
    static func runLiars() {
        let policy = ReleasePolicy(variant: "on")
        var random = BenchRandom(seed: 24)
        let clock = ContinuousClock()
        let started = clock.now
        var good: [Outcome] = []
        var bad: [Outcome] = []
        for index in 0..<liarReleases {
            let lie = Lie.allCases[index % Lie.allCases.count]
            good.append(simulateFleet(policy, newRate: 0.01, otherRate: 0.01, lie: lie, random: &random))
            bad.append(simulateFleet(policy, newRate: 0.03, otherRate: 0.01, lie: lie, random: &random))
        }
        let elapsed = started.duration(to: clock.now)
        print("guard_liars_false_rollbacks: \(percent(good.filter(\.rolledBack).count, liarReleases)) % (goal <= 1 %; 1 of 50 reporters lying, 1 % vs 1 % errors)")
        print("guard_liars_bad_caught_before_25pct: \(percent(bad.filter { $0.rolledBack && $0.highestStep < 2 }.count, liarReleases)) % (goal >= 99 %; 3 % vs 1 % errors)")
        print("guard_liars_bad_reached_100pct: \(percent(bad.filter(\.completed).count, liarReleases)) %")
        print("guard_liars_good_releases_completed: \(percent(good.filter(\.completed).count, liarReleases)) %")
        print("guard_liars_releases_paused: \((good + bad).filter { $0.holds > 0 }.count) of \(2 * liarReleases)")
        print("guard_liars_simulation_wall_seconds: \(String(format: "%.2f", Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)) s (\(2 * liarReleases) releases)")
    }

    /// One release with a fleet of honest instances and one liar, in simulated time. Every
    /// report reaches the guard at the next turn, its counts toward the step once the step has
    /// settled, as the store keeps them (each reporter's evidence waits for both of its sides).
    static func simulateFleet(_ policy: ReleasePolicy, newRate: Double, otherRate: Double, lie: Lie, random: inout BenchRandom) -> Outcome {
        let start = Date(timeIntervalSince1970: 0)
        var progress = ReleaseProgress(stepStartedAt: start)
        var outcome = Outcome()
        let reporters = (0..<honestReporters).map { "key/honest-\($0)" } + ["key/liar"]
        var t = 0.0
        let perReport = Int64(evaluationsPerSecond * reportSeconds) / Int64(reporters.count)
        while t < horizon {
            t += reportSeconds
            let share = policy.percent(at: progress.stepIndex) / 100
            let settled = t - progress.stepStartedAt.timeIntervalSince(start) >= policy.settleSeconds
            var batches: [String: ReporterBatch] = [:]
            for reporter in reporters {
                let new = random.binomial(perReport, share)
                let other = perReport - new
                var sample = GuardSample(
                    new: SideCounts(evaluations: new, errors: random.binomial(new, newRate)),
                    other: SideCounts(evaluations: other, errors: random.binomial(other, otherRate)))
                if reporter == "key/liar" {
                    switch lie {
                    case .forceRollback:
                        sample.new = SideCounts(evaluations: max(new, 1), errors: max(new, 1))
                    case .mask:
                        sample.new.errors = 0
                        sample.other.errors = other
                    }
                }
                batches[reporter] = ReporterBatch(all: sample, settled: settled ? sample : GuardSample())
            }
            progress.absorb(batches, policy: policy, served: { _ in true })
            if move(&progress, &outcome, policy: policy, at: t, from: start) { return outcome }
        }
        outcome.seconds = t
        return outcome
    }

    /// What the release does after a turn at `t` seconds: records it in `outcome`; `true` when
    /// the release ended (rolled back or completed). A pause is resumed at once, as an operator
    /// who finds nothing wrong would: the step starts afresh.
    static func move(_ progress: inout ReleaseProgress, _ outcome: inout Outcome, policy: ReleasePolicy, at t: Double, from start: Date) -> Bool {
        let now = start.addingTimeInterval(t)
        switch progress.next(policy: policy, now: now) {
        case .wait:
            return false
        case .hold, .distrust:
            outcome.holds += 1
            progress.enterStep(progress.stepIndex, at: now)
            return false
        case .rollBack:
            outcome.rolledBack = true
            outcome.seconds = t
            return true
        case .advance(let index):
            outcome.highestStep = index
            if index == policy.steps.count - 1 {
                outcome.completed = true
                outcome.seconds = t
                return true
            }
            progress.enterStep(index, at: now)
            return false
        }
    }

    /// One release in simulated time: a report every 5 s, fed to the guard as the store's
    /// runner feeds it (pending usage is taken only once both sides have evaluations).
    static func simulate(_ policy: ReleasePolicy, newRate: Double, otherRate: Double, random: inout BenchRandom) -> Outcome {
        let start = Date(timeIntervalSince1970: 0)
        var progress = ReleaseProgress(stepStartedAt: start)
        var outcome = Outcome()
        var pending = GuardSample()
        var t = 0.0
        let perReport = Int64(evaluationsPerSecond * reportSeconds)
        while t < horizon {
            t += reportSeconds
            let share = policy.percent(at: progress.stepIndex) / 100
            let new = random.binomial(perReport, share)
            let other = perReport - new
            pending = pending + GuardSample(
                new: SideCounts(evaluations: new, errors: random.binomial(new, newRate)),
                other: SideCounts(evaluations: other, errors: random.binomial(other, otherRate)))
            if pending.new.evaluations > 0, pending.other.evaluations > 0 {
                progress.absorb(pending, policy: policy, now: start.addingTimeInterval(t))
                pending = GuardSample()
            }
            if move(&progress, &outcome, policy: policy, at: t, from: start) { return outcome }
        }
        outcome.seconds = t
        return outcome
    }

    static func percent(_ count: Int, _ total: Int) -> String {
        String(format: "%.1f", 100 * Double(count) / Double(max(total, 1)))
    }

    static func median(_ sorted: [Double]) -> String { quantile(sorted, 0.5) }

    static func quantile(_ sorted: [Double], _ q: Double) -> String {
        guard !sorted.isEmpty else { return "n/a" }
        return String(format: "%.0f", sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * q))])
    }
}

/// Binomial draws for the simulation, from the tests' seeded generator.
struct BenchRandom {
    private var generator: SplitMix64

    init(seed: UInt64) { generator = SplitMix64(seed: seed) }

    /// Uniform in (0, 1].
    mutating func uniform() -> Double { (Double(generator.next() >> 11) + 1) / Double(1 << 53) }

    /// Successes in `n` trials of probability `p`, by skipping geometric gaps (cost ~ n·min(p, 1−p)).
    mutating func binomial(_ n: Int64, _ p: Double) -> Int64 {
        guard n > 0, p > 0 else { return 0 }
        if p >= 1 { return n }
        if p > 0.5 { return n - binomial(n, 1 - p) }
        let logQ = log(1 - p)
        var k: Int64 = 0
        var position = 0.0
        while true {
            position += (log(uniform()) / logQ).rounded(.down) + 1
            if position > Double(n) { return k }
            k += 1
        }
    }
}
