import Foundation

/// Whether a reporter's data counts toward a release's verdict.
public enum ReporterStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Its evidence and counts are part of the verdict.
    case counted
    /// Left out for the rest of the release: its counts were inconsistent with everyone else's
    /// (``ReporterProgress/reason`` says how).
    case discarded
    /// Left out while its SDK key has fetched no flags, opened no stream and been served no
    /// OFREP evaluation: a key that served nothing cannot have evaluated the flag. Counted again
    /// once the key serves.
    case unverified
}

/// One reporter's data in a release: what it reported, its own evidence (its batches with
/// their own exposures) and whether it counts.
public struct ReporterProgress: Sendable, Hashable, Codable {
    public var total: GuardSample
    public var step: GuardSample
    public var evidence: ErrorEvidence
    public var status: ReporterStatus
    /// Why it does not count (``ReporterStatus/discarded`` or ``ReporterStatus/unverified``).
    public var reason: String?
    /// Counts already in ``total`` but not yet in ``evidence``: a batch enters the error test
    /// once both of its sides have evaluations (its exposures). The counts themselves count at
    /// once, so that a small instance at a low percentage, whose reports often hold no new-side
    /// evaluation, does not skew the step's split.
    public var unscored: GuardSample

    public init(
        total: GuardSample = GuardSample(), step: GuardSample = GuardSample(), evidence: ErrorEvidence = ErrorEvidence(),
        status: ReporterStatus = .counted, reason: String? = nil, unscored: GuardSample = GuardSample()
    ) {
        self.total = total
        self.step = step
        self.evidence = evidence
        self.status = status
        self.reason = reason
        self.unscored = unscored
    }

    /// Adds a batch: to the counts at once, to the evidence once both sides have evaluations.
    mutating func add(_ batch: ReporterBatch, maxErrorRatio: Double) {
        total = total + batch.all
        step = step + batch.settled
        unscored = unscored + batch.all
        guard unscored.new.evaluations > 0, unscored.other.evaluations > 0 else { return }
        ReleaseGuard.update(&evidence, with: unscored, maxErrorRatio: maxErrorRatio)
        unscored = GuardSample()
    }

    /// Rollout evaluations reported on both sides: what the volume rule and the tables sort by.
    public var volume: Int64 { total.new.evaluations.addingSaturating(total.other.evaluations) }
}

/// The usage one reporter sent since the release runner last looked.
public struct ReporterBatch: Sendable, Hashable {
    /// All of it.
    public var all: GuardSample
    /// The part that arrived after the step settled (see ``ReleaseProgress/absorb(_:inStep:policy:)``).
    public var settled: GuardSample
    /// Errors of errors-only entries beyond the evaluations the server served the key (dropped
    /// before they were stored): a claim the reporter cannot have seen.
    public var excessErrors: Int64

    public init(all: GuardSample, settled: GuardSample, excessErrors: Int64 = 0) {
        self.all = all
        self.settled = settled
        self.excessErrors = excessErrors
    }
}

/// Why the guard will not act on the data: the release pauses and names the reporter.
public struct ReleaseAlert: Sendable, Hashable, Codable {
    public var reporter: String
    public var reason: String

    public init(reporter: String, reason: String) {
        self.reporter = reporter
        self.reason = reason
    }
}

/// The release guard against untrusted reporters: pure functions over per-reporter data, run by
/// the release runner (through ``ReleaseProgress/absorb(_:policy:served:)``) and by `clutch-bench`.
///
/// Usage reports come with SDK keys, which ship inside apps, so any of them may lie. Evidence is
/// kept per reporter (an SDK instance, `<key id>/<instance>`, or a key, `<key id>`): the mixture
/// test's log likelihood ratios add over (reporter, batch) strata, each batch with its own
/// reporter's exposures, and the sum is still an always-valid e-value (a product of conditionally
/// independent likelihood ratios; pooling instances first could also show a Simpson's paradox).
///
/// With at least ``minReporters`` reporters holding data, the guard outvotes single reporters:
/// - **Outliers** (``discardOutliers(_:expectedShare:)``): the reporter least consistent with the
///   pooled rest is discarded for the release when, on a side, its errors fit the rest's rate so
///   badly that a Poisson likelihood-ratio statistic G has `G/2 ≥ log(R/outlierAlpha)` (a bound
///   that holds over R reporters) **and** its rate differs from the rest's by ``outlierRateFactor``
///   or more (honest instances do differ somewhat); or its split of evaluations shows a sample
///   ratio mismatch the rest's does not; or it claims more than ``outlierVolumeFactor`` times the
///   median volume of the others. Repeated while fewer than half are discarded.
/// - **Pivotal** (``pivotalReporter(_:)``): when leaving one counted reporter's evidence out moves
///   the e-value across the rollback threshold by more than ``pivotalMargin``, one reporter
///   decides the verdict: the release pauses instead of acting.
///
/// With one or two reporters nobody can be outvoted: their evidence counts, within the hard
/// bounds (errors ≤ count; errors-only claims ≤ what the server served; a key that served nothing
/// does not count).
public enum ReporterGuard {
    /// The most reporters tracked per release; further instances of a key fold into `<key id>/*`.
    public static let maxReporters = 256
    /// The reporter of data that names none: stored before reporters were told apart (a release
    /// that ran across the upgrade, a replica of the previous release), or written by a caller
    /// of the store itself. Trusted as the server's own.
    public static let unnamedReporter = "(unnamed)"
    /// The least reporters with data for the outlier and pivotal rules.
    public static let minReporters = 3
    /// The false-alarm bound of the outlier test.
    public static let outlierAlpha = 1e-4
    /// The least factor between a reporter's error rate and the rest's that makes it an outlier.
    public static let outlierRateFactor = 3.0
    /// A reporter claiming more than this many times the others' median volume is an outlier.
    public static let outlierVolumeFactor = 20.0
    /// How far across the rollback threshold leaving one reporter out must move the e-value.
    public static let pivotalMargin = log(10.0)

    /// The reporter of a report: `<key id>/<instance>`, or `<key id>` without an instance.
    public static func reporter(keyID: String, instance: String?) -> String {
        instance.map { "\(keyID)/\($0)" } ?? keyID
    }

    /// The reporter further instances of a key fold into once a release tracks ``maxReporters``.
    public static func overflowReporter(keyID: String) -> String { "\(keyID)/*" }

    /// The SDK key id of a reporter; `nil` for ``unnamedReporter``.
    public static func keyID(of reporter: String) -> String? {
        guard reporter != unnamedReporter else { return nil }
        return reporter.split(separator: "/", maxSplits: 1).first.map(String.init) ?? reporter
    }

    /// Whether `instance` is a usable instance id: 1–64 of `A-Z a-z 0-9 . _ -`.
    public static func isValidInstance(_ instance: String) -> Bool {
        let bytes = instance.utf8
        return (1...64).contains(bytes.count) && bytes.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2E || byte == 0x5F || byte == 0x2D
        }
    }

    // MARK: Evidence sums

    /// The elementwise sum of log-ratio vectors (the evidence of several strata together).
    public static func sum(_ evidences: some Sequence<ErrorEvidence>) -> ErrorEvidence {
        var total = ErrorEvidence()
        for evidence in evidences where evidence.logRatios.count == total.logRatios.count {
            for k in total.logRatios.indices { total.logRatios[k] += evidence.logRatios[k] }
        }
        return total
    }

    static func subtract(_ a: ErrorEvidence, _ b: ErrorEvidence) -> ErrorEvidence {
        guard a.logRatios.count == b.logRatios.count else { return a }
        return ErrorEvidence(logRatios: zip(a.logRatios, b.logRatios).map { $0 - $1 })
    }

    // MARK: Outliers

    /// Half the Poisson likelihood-ratio statistic of `errors` in `evaluations` against `rate`.
    static func halfG(errors: Double, evaluations: Double, rate: Double) -> Double {
        let expected = evaluations * rate
        guard expected > 0 else { return errors > 0 ? .infinity : 0 }
        return (errors > 0 ? errors * log(errors / expected) : 0) - errors + expected
    }

    /// Why `sample` does not fit `rest` (the pooled others) on one side's error rate, with how
    /// badly (G/2); `nil` when it fits.
    static func rateOutlier(_ sample: GuardSample, rest: GuardSample, reporters: Int) -> (score: Double, reason: String)? {
        let bound = log(Double(max(reporters, 1)) / outlierAlpha)
        var worst: (score: Double, reason: String)?
        for (name, mine, theirs) in [("new", sample.new, rest.new), ("other", sample.other, rest.other)] {
            guard mine.evaluations > 0, theirs.evaluations > 0 else { continue }
            // The rest's rate, kept off zero by one error's worth so that zero errors is no proof.
            let restRate = (Double(theirs.errors) + 1) / (Double(theirs.evaluations) + 1)
            let rate = mine.rate
            let factor = rate > restRate ? rate / restRate : (rate > 0 ? restRate / rate : .infinity)
            let score = halfG(errors: Double(mine.errors), evaluations: Double(mine.evaluations), rate: restRate)
            guard factor >= outlierRateFactor, score >= bound, score > (worst?.score ?? -1) else { continue }
            worst = (score, "its \(name)-side error rate \(ReleaseFormat.percent(rate * 100)) is off the other reporters' "
                + "\(ReleaseFormat.percent(restRate * 100)) (\(mine.errors) errors / \(mine.evaluations) evaluations)")
        }
        return worst
    }

    /// Marks outliers among the counted reporters as discarded (sticky for the release), most
    /// inconsistent first, while fewer than half of the reporters with data are discarded.
    /// `expectedShare` is the step's share of the new side (for the split). Returns the reporters
    /// newly discarded.
    @discardableResult
    public static func discardOutliers(_ reporters: inout [String: ReporterProgress], expectedShare: Double) -> [String] {
        var discardedNow: [String] = []
        while true {
            let withData = reporters.filter { $0.value.volume > 0 && $0.value.status != .unverified }
            let counted = withData.filter { $0.value.status == .counted }
            let discarded = withData.count - counted.count
            guard counted.count >= minReporters, (discarded + 1) * 2 < withData.count else { return discardedNow }
            let pooled = counted.values.reduce(GuardSample()) { $0 + $1.total }
            let pooledStep = counted.values.reduce(GuardSample()) { $0 + $1.step }
            // Candidates ranked by kind (volume, split, rate), then by how far off they are.
            var best: (rank: Int, score: Double, id: String, reason: String)?
            func consider(_ rank: Int, _ score: Double, _ id: String, _ reason: String) {
                if let current = best, (current.rank, current.score, current.id) >= (rank, score, id) { return }
                best = (rank, score, id, reason)
            }
            let volumes = counted.values.map { Double($0.volume) }.sorted()
            for (id, reporter) in counted.sorted(by: { $0.key < $1.key }) {
                let rest = subtracting(pooled, reporter.total)
                // The median of the others' volumes: the sorted volumes with this one left out.
                let middle = (volumes.count - 1) / 2
                let mine = volumes.firstIndex(of: Double(reporter.volume)) ?? 0
                let median = volumes[mine > middle ? middle : middle + 1]
                if median > 0, Double(reporter.volume) > outlierVolumeFactor * median {
                    consider(3, Double(reporter.volume) / median, id,
                             "it claims \(reporter.volume) evaluations, over \(ReleaseFormat.number(outlierVolumeFactor))× the "
                                + "others' median of \(ReleaseFormat.number(median))")
                    continue
                }
                let restStep = subtracting(pooledStep, reporter.step)
                if ReleaseGuard.isSampleRatioMismatch(reporter.step, expectedShare: expectedShare),
                   !ReleaseGuard.isSampleRatioMismatch(restStep, expectedShare: expectedShare) {
                    let total = Double(reporter.step.new.evaluations) + Double(reporter.step.other.evaluations)
                    consider(2, total, id,
                             "its split (\(reporter.step.new.evaluations) of \(Int64(total)) on the new side) does not match "
                                + "\(ReleaseFormat.percent(expectedShare * 100)) while the others' does")
                    continue
                }
                if let outlier = rateOutlier(reporter.total, rest: rest, reporters: withData.count) {
                    consider(1, outlier.score, id, outlier.reason)
                }
            }
            guard let best else { return discardedNow }
            reporters[best.id]?.status = .discarded
            reporters[best.id]?.reason = best.reason
            discardedNow.append(best.id)
        }
    }

    static func subtracting(_ a: GuardSample, _ b: GuardSample) -> GuardSample {
        func side(_ x: SideCounts, _ y: SideCounts) -> SideCounts {
            SideCounts(evaluations: max(0, x.evaluations - y.evaluations), errors: max(0, x.errors - y.errors))
        }
        return GuardSample(new: side(a.new, b.new), other: side(a.other, b.other))
    }

    // MARK: Pivotal reporters

    /// The counted reporter whose evidence alone decides whether the release is worse, with a
    /// sentence saying so; `nil` with fewer than ``minReporters`` counted reporters holding data,
    /// or when no single one does. A reporter decides when leaving it out moves the log e-value
    /// across `log(1/alpha)` by more than ``pivotalMargin``.
    public static func pivotalReporter(_ reporters: [String: ReporterProgress]) -> ReleaseAlert? {
        let counted = reporters.filter { $0.value.status == .counted && $0.value.volume > 0 }
        guard counted.count >= minReporters else { return nil }
        let all = sum(counted.values.map(\.evidence))
        let threshold = log(1 / ReleaseGuard.alpha)
        let full = ReleaseGuard.logEValue(all)
        let worse = full >= threshold
        var best: (distance: Double, id: String, without: Double)?
        for (id, reporter) in counted.sorted(by: { $0.key < $1.key }) {
            let without = ReleaseGuard.logEValue(subtract(all, reporter.evidence))
            let distance = worse ? threshold - without : without - threshold
            guard distance > pivotalMargin, distance > (best?.distance ?? -1) else { continue }
            best = (distance, id, without)
        }
        guard let best else { return nil }
        let eValue = { (log: Double) in ReleaseFormat.number(exp(min(log, 700))) }
        return ReleaseAlert(
            reporter: best.id,
            reason: "one reporter decides the verdict: '\(best.id)' makes it \(worse ? "worse" : "not worse") "
                + "(e-value \(eValue(full)) with it, \(eValue(best.without)) without it); check it, then resume or abort")
    }

    /// The first reporter left out as ``ReporterStatus/unverified`` whose evidence alone would
    /// change whether the release is worse: a key that served nothing claims a verdict.
    static func verdictChangingUnverified(_ reporters: [String: ReporterProgress], counted evidence: ErrorEvidence) -> ReleaseAlert? {
        let worse = ReleaseGuard.isWorse(evidence)
        for (id, reporter) in reporters.sorted(by: { $0.key < $1.key }) where reporter.status == .unverified {
            guard ReleaseGuard.isWorse(sum([evidence, reporter.evidence])) != worse else { continue }
            return ReleaseAlert(
                reporter: id,
                reason: "implausible report: '\(id)' would make the verdict \(worse ? "not worse" : "worse") with "
                    + "\(reporter.volume) evaluations, but its key has fetched no flags and been served no evaluations")
        }
        return nil
    }
}
