import ClutchCore
import Foundation
import Testing

/// The release guard against untrusted reporters (``ReporterGuard``): simulated fleets of SDK
/// instances, some lying, through ``ReleaseProgress/absorb(_:policy:served:)`` as the store's
/// runner calls it.
@Suite("Release guard with untrusted reporters")
struct ReporterGuardTests {
    enum Lie: String, CaseIterable, Sendable {
        /// Every evaluation of the new variant failed: forces a rollback.
        case forceRollback
        /// Every evaluation of the other side failed: masks a regression.
        case mask
        /// Thirty times an honest instance's volume, with a new-side rate just under the
        /// allowed ratio: outweighs everyone (masks).
        case volume
    }

    struct FleetCase: Sendable, CustomStringConvertible {
        var lie: Lie?
        var newRate: Double
        var description: String { "\(lie?.rawValue ?? "no liar"), new side \(newRate * 100) % vs 1 %" }
    }

    static let policy = ReleasePolicy(variant: "on", steps: [10, 100], stepDuration: 86_400, minSamples: 500, maxErrorRatio: 1.5)

    /// `honest` instances of 100 evaluations a report at 10 %, and one liar; 60 reports or
    /// until the guard acts. Returns what it did.
    static func run(honest: Int, lie: Lie?, newRate: Double, seed: UInt64) -> (action: ReleaseAction, progress: ReleaseProgress) {
        var random = Random(seed: seed)
        let start = Date(timeIntervalSince1970: 0)
        var progress = ReleaseProgress(stepStartedAt: start)
        for report in 1...60 {
            var batches: [String: ReporterBatch] = [:]
            for instance in 0..<honest {
                let new = random.binomial(100, 0.1)
                let sample = GuardSample(
                    new: SideCounts(evaluations: new, errors: random.binomial(new, newRate)),
                    other: SideCounts(evaluations: 100 - new, errors: random.binomial(100 - new, 0.01)))
                batches["key/h\(instance)"] = ReporterBatch(all: sample, settled: sample)
            }
            if let lie {
                let sample: GuardSample
                switch lie {
                case .forceRollback: sample = GuardSample(new: SideCounts(evaluations: 10, errors: 10), other: SideCounts(evaluations: 90, errors: 1))
                case .mask: sample = GuardSample(new: SideCounts(evaluations: 10, errors: 0), other: SideCounts(evaluations: 90, errors: 90))
                case .volume:
                    sample = GuardSample(new: SideCounts(evaluations: 300, errors: 4), other: SideCounts(evaluations: 2700, errors: 27))
                }
                batches["key/liar"] = ReporterBatch(all: sample, settled: sample)
            }
            progress.absorb(batches, policy: policy, served: { _ in true })
            let action = progress.next(policy: policy, now: start.addingTimeInterval(Double(report) * 5))
            if action != .wait { return (action, progress) }
        }
        return (.wait, progress)
    }

    static let fleets: [FleetCase] = [nil, Lie.forceRollback, .mask, .volume].flatMap { lie in
        [FleetCase(lie: lie, newRate: 0.01), FleetCase(lie: lie, newRate: 0.05)]
    }

    @Test("50 honest instances and one liar decide as the 50 would, for each lie", arguments: fleets)
    func fleetDecidesAsTheHonestWould(_ c: FleetCase) {
        for seed in UInt64(1)...5 {
            let honest = Self.run(honest: 50, lie: nil, newRate: c.newRate, seed: seed)
            let withLiar = Self.run(honest: 50, lie: c.lie, newRate: c.newRate, seed: seed)
            #expect(honest.action == (c.newRate > 0.015 ? .rollBack : .wait), "seed \(seed): the honest fleet alone")
            #expect(withLiar.action == honest.action, "seed \(seed): \(withLiar.progress.figures(policy: Self.policy))")
            if c.lie != nil {
                #expect(withLiar.progress.reporters["key/liar"]?.status == .discarded, "seed \(seed)")
                let reason = withLiar.progress.reporters["key/liar"]?.reason ?? ""
                #expect(!reason.isEmpty)
            }
            let honestDiscarded = withLiar.progress.reporters.filter { $0.key != "key/liar" && $0.value.status != .counted }
            #expect(honestDiscarded.isEmpty, "seed \(seed): \(honestDiscarded.keys.sorted())")
        }
    }

    @Test("one or two reporters cannot be outvoted: a single instance's real regression still rolls back")
    func singleInstanceStillRollsBack() {
        var progress = ReleaseProgress(stepStartedAt: Date(timeIntervalSince1970: 0))
        let sample = GuardSample(new: SideCounts(evaluations: 100, errors: 10), other: SideCounts(evaluations: 900, errors: 9))
        for _ in 0..<5 { progress.absorb(["key/only": ReporterBatch(all: sample, settled: sample)], policy: Self.policy, served: { _ in true }) }
        #expect(progress.next(policy: Self.policy, now: Date(timeIntervalSince1970: 60)) == .rollBack)
        #expect(progress.reporters["key/only"]?.status == .counted)
    }

    @Test("a reporter whose evidence alone decides the verdict pauses the release, naming it")
    func pivotalReporterPauses() {
        var progress = ReleaseProgress(stepStartedAt: Date(timeIntervalSince1970: 0))
        // Three instances: the new side's errors exactly the allowed 1.5× the other's.
        let small = GuardSample(new: SideCounts(evaluations: 100, errors: 3), other: SideCounts(evaluations: 900, errors: 18))
        // Four times their volume (under the 20× volume rule), 2× their errors on the new side
        // (within the 3× outlier factor): consistent enough, but it alone says "worse".
        let big = GuardSample(new: SideCounts(evaluations: 400, errors: 24), other: SideCounts(evaluations: 3600, errors: 72))
        for _ in 0..<60 {
            progress.absorb(
                ["key/a": ReporterBatch(all: small, settled: small), "key/b": ReporterBatch(all: small, settled: small),
                 "key/c": ReporterBatch(all: small, settled: small), "key/big": ReporterBatch(all: big, settled: big)],
                policy: Self.policy, served: { _ in true })
            if progress.alert != nil { break }
        }
        let action = progress.next(policy: Self.policy, now: Date(timeIntervalSince1970: 60))
        guard case .distrust(let alert) = action else {
            Issue.record("expected a pause, got \(action): \(progress.figures(policy: Self.policy))")
            return
        }
        #expect(alert.reporter == "key/big")
        #expect(alert.reason.contains("one reporter decides the verdict"))
        #expect(ReleaseGuard.isWorse(progress.evidence), "with it the verdict is worse, and the guard does not act on it")
    }

    @Test("errors claimed beyond what the server served pause the release, naming the reporter")
    func excessErrorsPause() {
        var progress = ReleaseProgress(stepStartedAt: Date(timeIntervalSince1970: 0))
        progress.absorb(
            ["key": ReporterBatch(all: GuardSample(), settled: GuardSample(), excessErrors: 100)], policy: Self.policy, served: { _ in true })
        guard case .distrust(let alert) = progress.next(policy: Self.policy, now: Date(timeIntervalSince1970: 5)) else {
            Issue.record("expected a pause")
            return
        }
        #expect(alert.reporter == "key")
        #expect(alert.reason.contains("100 errors"))
    }

    @Test("a key that served nothing does not count, and claiming a verdict with it pauses the release")
    func unservedKeyDoesNotCount() {
        var progress = ReleaseProgress(stepStartedAt: Date(timeIntervalSince1970: 0))
        let forced = GuardSample(new: SideCounts(evaluations: 100, errors: 100), other: SideCounts(evaluations: 9900, errors: 0))
        progress.absorb(["unused/x": ReporterBatch(all: forced, settled: forced)], policy: Self.policy, served: { $0 != "unused" })
        #expect(progress.reporters["unused/x"]?.status == .unverified)
        #expect(progress.total.isEmpty, "its counts are not the release's")
        #expect(progress.verdict == .collecting)
        guard case .distrust(let alert) = progress.next(policy: Self.policy, now: Date(timeIntervalSince1970: 5)) else {
            Issue.record("expected a pause")
            return
        }
        #expect(alert.reporter == "unused/x")
        #expect(alert.reason.contains("served no evaluations"))
    }

    @Test("progress stored before reporters were told apart reads as one reporter, and keeps counting")
    func legacyProgressDecodes() throws {
        let json = """
            {"stepIndex": 1, "stepStartedAt": 100.5, "verdict": "healthy",
             "total": {"new": {"evaluations": 50, "errors": 1}, "other": {"evaluations": 450, "errors": 4}},
             "step": {"new": {"evaluations": 20, "errors": 0}, "other": {"evaluations": 180, "errors": 2}},
             "evidence": {"logRatios": [\(Array(repeating: "-0.5", count: ReleaseGuard.alternatives.count).joined(separator: ", "))]}}
            """
        var progress = try ClutchJSONDecoder().decode(ReleaseProgress.self, from: Array(json.utf8))
        #expect(progress.reporters.keys.sorted() == [ReporterGuard.unnamedReporter])
        #expect(progress.reporters[ReporterGuard.unnamedReporter]?.total.new.evaluations == 50)
        #expect(progress.alert == nil)
        let batch = GuardSample(new: SideCounts(evaluations: 10, errors: 0), other: SideCounts(evaluations: 90, errors: 1))
        progress.absorb(["key/i": ReporterBatch(all: batch, settled: batch)], policy: Self.policy, served: { _ in true })
        #expect(progress.total.new.evaluations == 60)
        #expect(progress.evidence.logRatios[0] < -0.5, "the stored evidence is kept")
        let again = try ClutchJSONDecoder().decode(ReleaseProgress.self, from: Array(try ClutchJSON.encode(progress)))
        #expect(again == progress)
    }

    @Test("instance ids are 1–64 of A-Z a-z 0-9 . _ -")
    func instanceIDs() {
        #expect(ReporterGuard.isValidInstance("0f3a9c1e2b7d4a55"))
        #expect(ReporterGuard.isValidInstance("web-1.eu_west"))
        #expect(!ReporterGuard.isValidInstance(""))
        #expect(!ReporterGuard.isValidInstance(String(repeating: "a", count: 65)))
        #expect(!ReporterGuard.isValidInstance("a/b"))
        #expect(!ReporterGuard.isValidInstance("é"))
        #expect(ReporterGuard.keyID(of: "key_1/abc") == "key_1")
        #expect(ReporterGuard.keyID(of: "key_1") == "key_1")
        #expect(ReporterGuard.keyID(of: ReporterGuard.unnamedReporter) == nil)
    }
}
