import Foundation

/// Where a release is.
public enum ReleaseState: String, Sendable, Hashable, Codable, CaseIterable {
    case running
    case paused
    case rolledBack = "rolled_back"
    case completed
    case aborted

    /// Whether the release still owns the flag's rollout (running or paused).
    public var isActive: Bool { self == .running || self == .paused }
}

/// A release's moving parts: the step it is at, since when, and the data the guard has seen.
///
/// The data is kept per reporter (``reporters``); ``total``, ``step`` and ``evidence`` are the
/// sums over the reporters that count (``ReporterStatus/counted``), which the verdict is taken on.
public struct ReleaseProgress: Sendable, Hashable, Codable {
    public var stepIndex: Int
    public var stepStartedAt: Date
    /// Rollout-decided evaluations and errors since the release started (counted reporters).
    public var total: GuardSample
    /// The same since the current step started (or the release was last resumed).
    public var step: GuardSample
    public var evidence: ErrorEvidence
    public var verdict: ReleaseVerdict
    /// Each reporter's data (see ``ReporterGuard``), by reporter id.
    public var reporters: [String: ReporterProgress]
    /// Why the guard will not act on the data: the release pauses naming the reporter.
    public var alert: ReleaseAlert?

    public init(stepIndex: Int = 0, stepStartedAt: Date) {
        self.stepIndex = stepIndex
        self.stepStartedAt = stepStartedAt
        total = GuardSample()
        step = GuardSample()
        evidence = ErrorEvidence()
        verdict = .collecting
        reporters = [:]
        alert = nil
    }

    enum CodingKeys: String, CodingKey { case stepIndex, stepStartedAt, total, step, evidence, verdict, reporters, alert }

    /// `stepStartedAt` is stored as Unix seconds with fractions: steps may last one second.
    /// Progress stored before reporters were told apart has no `reporters`: its data becomes
    /// one reporter, ``ReporterGuard/unnamedReporter``, so a release running across the upgrade keeps it.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        stepIndex = try c.decode(Int.self, forKey: .stepIndex)
        stepStartedAt = Date(timeIntervalSince1970: try c.decode(Double.self, forKey: .stepStartedAt))
        total = try c.decode(GuardSample.self, forKey: .total)
        step = try c.decode(GuardSample.self, forKey: .step)
        evidence = try c.decode(ErrorEvidence.self, forKey: .evidence)
        verdict = try c.decode(ReleaseVerdict.self, forKey: .verdict)
        alert = try c.decodeIfPresent(ReleaseAlert.self, forKey: .alert)
        if let reporters = try c.decodeIfPresent([String: ReporterProgress].self, forKey: .reporters) {
            self.reporters = reporters
        } else {
            reporters = total.isEmpty ? [:] : [ReporterGuard.unnamedReporter: ReporterProgress(total: total, step: step, evidence: evidence)]
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(stepIndex, forKey: .stepIndex)
        try c.encode(stepStartedAt.timeIntervalSince1970, forKey: .stepStartedAt)
        try c.encode(total, forKey: .total)
        try c.encode(step, forKey: .step)
        try c.encode(evidence, forKey: .evidence)
        try c.encode(verdict, forKey: .verdict)
        try c.encode(reporters, forKey: .reporters)
        try c.encodeIfPresent(alert, forKey: .alert)
    }

    /// Adds one batch of reported data at `now`, updates the evidence and the verdict. The error
    /// test takes every batch (each carries its own exposures); the step's counts, which decide
    /// the sample ratio and the minimum samples, skip the step's first ``ReleasePolicy/settleSeconds``:
    /// reports arriving then were mostly counted before the percentage changed.
    public mutating func absorb(_ batch: GuardSample, policy: ReleasePolicy, now: Date) {
        absorb(batch, inStep: now.timeIntervalSince(stepStartedAt) >= policy.settleSeconds ? batch : GuardSample(), policy: policy)
    }

    /// Adds one batch of reported data of one reporter (``ReporterGuard/unnamedReporter``), of
    /// which `inStep` (the part that arrived after the step settled) counts toward the step;
    /// updates the evidence and the verdict.
    public mutating func absorb(_ batch: GuardSample, inStep: GuardSample, policy: ReleasePolicy) {
        absorb([ReporterGuard.unnamedReporter: ReporterBatch(all: batch, settled: inStep)], policy: policy, served: { _ in true })
    }

    /// Adds the batches of several reporters (reporter id → batch), each to its own counts and,
    /// once both of its sides have evaluations, to its own evidence with its own exposures
    /// (``ReporterProgress/unscored``), then decides which reporters count and the verdict on them
    /// (``ReporterGuard``). `served` tells whether an SDK key has served anything (fetched the
    /// flags, opened a stream or been served an OFREP evaluation); a reporter of a key that has
    /// not is ``ReporterStatus/unverified``. Sets ``alert`` when the guard will not act on the data.
    public mutating func absorb(_ batches: [String: ReporterBatch], policy: ReleasePolicy, served: (String) -> Bool) {
        alert = nil
        for (id, batch) in batches.sorted(by: { $0.key < $1.key }) {
            reporters[id, default: ReporterProgress()].add(batch, maxErrorRatio: policy.maxErrorRatio)
            if batch.excessErrors > 0, alert == nil {
                alert = ReleaseAlert(
                    reporter: id,
                    reason: "implausible report: '\(id)' reported \(batch.excessErrors) errors for evaluations the server did not serve its key")
            }
        }
        for (id, reporter) in reporters where reporter.status != .discarded {
            let trusted = ReporterGuard.keyID(of: id).map(served) ?? true
            reporters[id]?.status = trusted ? .counted : .unverified
            reporters[id]?.reason = trusted ? nil : "its key has fetched no flags and been served no evaluations"
        }
        let expectedShare = policy.percent(at: stepIndex) / 100
        ReporterGuard.discardOutliers(&reporters, expectedShare: expectedShare)
        let counted = reporters.values.filter { $0.status == .counted }
        total = counted.reduce(GuardSample()) { $0 + $1.total }
        step = counted.reduce(GuardSample()) { $0 + $1.step }
        evidence = ReporterGuard.sum(counted.map(\.evidence))
        verdict = ReleaseGuard.verdict(evidence: evidence, step: step, expectedShare: expectedShare, minSamples: policy.minSamples)
        if alert == nil { alert = ReporterGuard.verdictChangingUnverified(reporters, counted: evidence) }
        if alert == nil { alert = ReporterGuard.pivotalReporter(reporters) }
    }

    /// Starts the next step (or a fresh count of the current one after a resume).
    public mutating func enterStep(_ index: Int, at now: Date) {
        stepIndex = index
        stepStartedAt = now
        step = GuardSample()
        for id in reporters.keys { reporters[id]?.step = GuardSample() }
        verdict = .collecting
        alert = nil
    }

    /// What the release does next at `now`.
    public func next(policy: ReleasePolicy, now: Date) -> ReleaseAction {
        if let alert { return .distrust(alert) }
        switch verdict {
        case .worse: return .rollBack
        case .sampleRatioMismatch: return .hold
        case .collecting: return .wait
        case .healthy:
            guard now.timeIntervalSince(stepStartedAt) >= policy.stepDuration else { return .wait }
            return stepIndex + 1 >= policy.steps.count ? .wait : .advance(to: stepIndex + 1)
        }
    }

    /// The figures a message or status gives: errors and evaluations per side and the verdict.
    public func figures(policy: ReleasePolicy) -> String {
        func side(_ name: String, _ counts: SideCounts) -> String {
            "\(name): \(counts.errors) errors / \(counts.evaluations) evaluations (\(ReleaseFormat.number(counts.rate * 100)) %)"
        }
        let eValue = exp(min(ReleaseGuard.logEValue(evidence), 700))
        let left = reporters.values.filter { $0.status != .counted }.count
        let counting = reporters.count > 1 || left > 0 ? "\(reporters.count - left) of \(reporters.count) reporters counted; " : ""
        return "\(side("new '\(policy.variant)'", total.new)); \(side("other", total.other)); \(counting)"
            + "verdict \(verdict.rawValue) (e-value \(ReleaseFormat.number(eValue)), rolls back at \(ReleaseFormat.number(1 / ReleaseGuard.alpha)) "
            + "for error ratio > \(ReleaseFormat.number(policy.maxErrorRatio)))"
    }
}

/// What a running release does next.
public enum ReleaseAction: Sendable, Hashable {
    /// Keep collecting data (or wait for the step duration).
    case wait
    /// Widen to the step at this index (the last step completes the release).
    case advance(to: Int)
    /// The guard found the new variant worse: roll it back to 0 % at once.
    case rollBack
    /// The split of evaluations does not match the percentage: pause until someone looks.
    case hold
    /// The guard will not act on the data (one reporter decides it, or a report is implausible):
    /// pause, naming the reporter, until someone looks.
    case distrust(ReleaseAlert)
}

extension ReleasePolicy {
    /// How long after a step starts its own counts begin: two report intervals of an SDK during a
    /// release (``ReleaseGuard/settleSeconds``), or the whole step when it is shorter.
    public var settleSeconds: Double { min(ReleaseGuard.settleSeconds, stepDuration) }

    /// The percentage at step `index` (clamped to the steps).
    public func percent(at index: Int) -> Double {
        steps.isEmpty ? 0 : steps[min(max(index, 0), steps.count - 1)]
    }
}
