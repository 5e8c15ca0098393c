import Foundation

/// Evaluations and errors of one side of a release.
public struct SideCounts: Sendable, Hashable, Codable {
    public var evaluations: Int64
    public var errors: Int64

    public init(evaluations: Int64 = 0, errors: Int64 = 0) {
        self.evaluations = evaluations
        self.errors = errors
    }

    public static func + (a: SideCounts, b: SideCounts) -> SideCounts {
        SideCounts(evaluations: a.evaluations.addingSaturating(b.evaluations), errors: a.errors.addingSaturating(b.errors))
    }

    /// Errors per evaluation; 0 without evaluations.
    public var rate: Double { evaluations > 0 ? Double(errors) / Double(evaluations) : 0 }
}

/// The two sides of a release's rollout: the released variant and the rest of the traffic the
/// same rollout served (see ``UsageCount/rollout``).
public struct GuardSample: Sendable, Hashable, Codable {
    public var new: SideCounts
    public var other: SideCounts

    public init(new: SideCounts = SideCounts(), other: SideCounts = SideCounts()) {
        self.new = new
        self.other = other
    }

    public static func + (a: GuardSample, b: GuardSample) -> GuardSample {
        GuardSample(new: a.new + b.new, other: a.other + b.other)
    }

    public var isEmpty: Bool { self == GuardSample() }
}

/// What the guard makes of the data so far.
public enum ReleaseVerdict: String, Sendable, Hashable, Codable, CaseIterable {
    /// Fewer than the minimum evaluations on a side in this step.
    case collecting
    /// Enough data, and no evidence that the new variant is worse.
    case healthy
    /// The new variant's error rate is above the allowed ratio (with always-valid confidence).
    case worse
    /// The split of evaluations does not match the rollout's percentage: the data cannot be trusted.
    case sampleRatioMismatch = "sample_ratio_mismatch"
}

/// The guard's accumulated evidence that the new variant is worse: the log likelihood ratio of
/// each alternative on ``ReleaseGuard/alternatives`` against the null hypothesis.
public struct ErrorEvidence: Sendable, Hashable, Codable {
    public var logRatios: [Double]

    public init(logRatios: [Double] = Array(repeating: 0, count: ReleaseGuard.alternatives.count)) {
        self.logRatios = logRatios
    }
}

/// The release guard's statistics: pure functions, run by the server's release runner and by
/// `clutch-bench` alike.
///
/// **Errors (always valid).** Errors on each side arrive as Poisson counts with exposure equal to
/// the side's evaluations. Given a batch of `E` errors, the new side's share is
/// `Binomial(E, p(ρ))` with `p(ρ) = ρ·n_new / (ρ·n_new + n_other)`, where ρ is the ratio of the
/// error rates. The null hypothesis is ρ ≤ r (r = `maxErrorRatio`). For each alternative ρₖ > r on
/// a fixed grid the product over batches of `Binom(e; E, p(ρₖ)) / Binom(e; E, p(r))` is a
/// martingale under ρ = r (a supermartingale for ρ < r), and so is their average with fixed weights
/// (a mixture sequential probability ratio test). By Ville's inequality the mixture exceeds
/// `1/α` with probability at most α however often it is looked at, so the release can check it
/// after every usage report. Batches keep their own exposures, so the test stays valid when the
/// rollout's percentage changes between steps.
///
/// **Sample ratio.** Within a step the new side's share of rollout-decided evaluations should be
/// the step's percentage q. The Beta(q·K, (1−q)·K)-mixture likelihood ratio against
/// `Binomial(n, q)` is again an always-valid e-value; the release is held when it exceeds
/// `1/srmAlpha` and the observed share is off by more than ``srmTolerance`` (evaluations of one
/// user are not independent, so tiny relative differences are not treated as broken data).
public enum ReleaseGuard {
    /// The false-alarm bound of the error test: a release whose new variant is no worse than
    /// allowed is rolled back with probability at most 1 %.
    public static let alpha = 0.01
    /// The false-alarm bound of the sample-ratio test, per step.
    public static let srmAlpha = 0.001
    /// The smallest relative difference of the observed split that holds a release.
    public static let srmTolerance = 0.2
    /// Seconds after a step starts during which reports still carry evaluations of the previous
    /// percentage: two report intervals of an SDK while a release runs (5 s each).
    public static let settleSeconds: Double = 10
    /// The concentration K of the sample-ratio test's Beta prior.
    static let srmConcentration = 100.0

    /// The alternatives, as multiples of `maxErrorRatio`: 1.1× to 20×, evenly spaced in log scale,
    /// each weighted equally.
    public static let alternatives: [Double] = (0..<32).map { exp(log(1.1) + Double($0) * (log(20.0) - log(1.1)) / 31) }

    /// Adds one batch of data to `evidence`. A batch with no evaluations on a side carries no
    /// information about the ratio and is left for later by the caller.
    public static func update(_ evidence: inout ErrorEvidence, with batch: GuardSample, maxErrorRatio: Double) {
        let nNew = Double(batch.new.evaluations), nOther = Double(batch.other.evaluations)
        let eNew = Double(batch.new.errors), eOther = Double(batch.other.errors)
        guard nNew > 0, nOther > 0, eNew + eOther > 0 else { return }
        func logShares(_ ratio: Double) -> (Double, Double) {
            let a = ratio * nNew
            let total = log(a + nOther)
            return (log(a) - total, log(nOther) - total)
        }
        let (null, nullRest) = logShares(maxErrorRatio)
        if evidence.logRatios.count != alternatives.count { evidence = ErrorEvidence() }
        for (k, multiple) in alternatives.enumerated() {
            let (share, rest) = logShares(maxErrorRatio * multiple)
            evidence.logRatios[k] += eNew * (share - null) + eOther * (rest - nullRest)
        }
    }

    /// The mixture's log e-value: log of the average likelihood ratio.
    public static func logEValue(_ evidence: ErrorEvidence) -> Double {
        guard let top = evidence.logRatios.max() else { return 0 }
        let sum = evidence.logRatios.reduce(0) { $0 + exp($1 - top) }
        return top + log(sum / Double(evidence.logRatios.count))
    }

    /// Whether the evidence shows the new variant worse than allowed.
    public static func isWorse(_ evidence: ErrorEvidence) -> Bool {
        logEValue(evidence) >= log(1 / alpha)
    }

    /// The sample-ratio test's log e-value for `new` of `new + other` evaluations against the
    /// expected share `q` (0 < q < 1).
    public static func sampleRatioLogEValue(new: Int64, other: Int64, expectedShare q: Double) -> Double {
        guard q > 0, q < 1, new >= 0, other >= 0 else { return 0 }
        let x = Double(new), y = Double(other)
        let a = q * srmConcentration, b = (1 - q) * srmConcentration
        return logBeta(a + x, b + y) - logBeta(a, b) - x * log(q) - y * log(1 - q)
    }

    /// Whether the split of a step's evaluations shows a sample-ratio mismatch.
    public static func isSampleRatioMismatch(_ step: GuardSample, expectedShare q: Double) -> Bool {
        let total = Double(step.new.evaluations) + Double(step.other.evaluations)
        guard q > 0, q < 1, total > 0 else { return false }
        let observed = Double(step.new.evaluations) / total
        let off = abs(observed - q) / min(q, 1 - q)
        return off > srmTolerance
            && sampleRatioLogEValue(new: step.new.evaluations, other: step.other.evaluations, expectedShare: q) >= log(1 / srmAlpha)
    }

    /// The verdict on a step's data and the release's evidence.
    public static func verdict(evidence: ErrorEvidence, step: GuardSample, expectedShare: Double, minSamples: Int64) -> ReleaseVerdict {
        if isWorse(evidence) { return .worse }
        if isSampleRatioMismatch(step, expectedShare: expectedShare) { return .sampleRatioMismatch }
        if step.new.evaluations < minSamples || step.other.evaluations < minSamples { return .collecting }
        return .healthy
    }

    static func logBeta(_ a: Double, _ b: Double) -> Double {
        lgamma(a) + lgamma(b) - lgamma(a + b)
    }
}

extension Int64 {
    /// `self + other`, stopping at `Int64.max`.
    func addingSaturating(_ other: Int64) -> Int64 {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? (other > 0 ? .max : .min) : sum
    }
}
