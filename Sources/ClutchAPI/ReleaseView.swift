import ClutchCore
import Foundation

/// A release as the API shows it: the policy, where it is, the figures per side and its history
/// (OpenAPI `Release`; the server makes it from the store's `Release`).
public struct ReleaseView: Sendable, Hashable, Codable {
    /// One side's counts: the new variant's, or everything else's.
    public struct Side: Sendable, Hashable, Codable {
        public var evaluations: Int64
        public var errors: Int64
        public var errorRate: Double

        public init(_ counts: SideCounts) {
            evaluations = counts.evaluations
            errors = counts.errors
            errorRate = counts.rate
        }
    }

    public struct Figures: Sendable, Hashable, Codable {
        public var new: Side
        public var other: Side

        public init(_ sample: GuardSample) {
            new = Side(sample.new)
            other = Side(sample.other)
        }
    }

    /// One reporter's data (``ReporterProgress``): what it reported, its own evidence and whether it counts.
    public struct Reporter: Sendable, Hashable, Codable {
        public var reporter: String
        public var status: String
        public var reason: String?
        public var new: Side
        public var other: Side
        /// The log of its own mixture e-value: its share of the evidence (positive: toward worse).
        public var logEValue: Double

        public init(_ id: String, _ progress: ReporterProgress) {
            reporter = id
            status = progress.status.rawValue
            reason = progress.reason
            new = Side(progress.total.new)
            other = Side(progress.total.other)
            logEValue = ReleaseGuard.logEValue(progress.evidence)
        }

        enum CodingKeys: String, CodingKey { case reporter, status, reason, new, other, logEValue }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(reporter, forKey: .reporter)
            try c.encode(status, forKey: .status)
            try c.encodeIfPresent(reason, forKey: .reason)
            try c.encode(new, forKey: .new)
            try c.encode(other, forKey: .other)
            try c.encode(logEValue.isFinite ? logEValue : (logEValue > 0 ? 1e300 : -1e300), forKey: .logEValue)
        }
    }

    /// One turn's weighed data (``ReleaseSample``): the points of the error-rate chart.
    public struct Sample: Sendable, Hashable, Codable {
        public var at: Date
        /// The step, from 1.
        public var step: Int
        public var percent: Double
        public var new: Side
        public var other: Side

        public init(_ sample: ReleaseSample) {
            at = sample.at
            step = sample.step
            percent = sample.percent
            new = Side(sample.new)
            other = Side(sample.other)
        }
    }

    public var flag: String
    public var environment: String
    public var state: String
    public var variant: String
    public var bucketBy: String
    public var steps: [Double]
    public var stepDuration: Double
    public var minSamples: Int64
    public var maxErrorRatio: Double
    /// The current step, from 1.
    public var step: Int
    public var percent: Double
    public var stepStartedAt: Date
    public var secondsInStep: Double
    public var verdict: String
    public var eValue: Double
    public var rollbackThreshold: Double
    public var total: Figures
    public var currentStep: Figures
    public var reason: String?
    public var message: String?
    public var startedBy: String
    public var startedAt: Date
    public var updatedAt: Date
    /// What the flag served before the release (absent for releases of versions that did not record it).
    public var replaced: ReleaseBaseline?
    public var transitions: [ReleaseTransition]
    /// Every reporter, most evaluations first.
    public var reporters: [Reporter]
    /// What the runner weighed at each turn, oldest first (bounded: older ones merged in pairs).
    public var samples: [Sample]
    /// In the answer to starting a release: its sticky attribute when no context of the
    /// environment has carried it (a typo there serves the new variant to no one). Absent otherwise.
    public var warnings: [AttributeWarning]?

    /// A release of `policy` in `state`, at `progress`, serving the variant to `percent`; `now`
    /// counts the seconds in the current step of an active release (an ended one stopped at
    /// `updatedAt`).
    public init(
        flag: String, environment: String, state: ReleaseState, policy: ReleasePolicy, progress: ReleaseProgress,
        percent: Double, reason: String?, message: String?, startedBy: String, startedAt: Date, updatedAt: Date,
        replaced: ReleaseBaseline?, transitions: [ReleaseTransition], samples: [ReleaseSample] = [], now: Date
    ) {
        self.flag = flag
        self.environment = environment
        self.state = state.rawValue
        variant = policy.variant
        bucketBy = policy.bucketBy
        steps = policy.steps
        stepDuration = policy.stepDuration
        minSamples = policy.minSamples
        maxErrorRatio = policy.maxErrorRatio
        step = progress.stepIndex + 1
        self.percent = percent
        stepStartedAt = progress.stepStartedAt
        secondsInStep = max(0, (state.isActive ? now : updatedAt).timeIntervalSince(progress.stepStartedAt))
        verdict = progress.verdict.rawValue
        eValue = min(exp(min(ReleaseGuard.logEValue(progress.evidence), 700)), 1e300)
        rollbackThreshold = 1 / ReleaseGuard.alpha
        total = Figures(progress.total)
        currentStep = Figures(progress.step)
        self.reason = reason
        self.message = message
        self.startedBy = startedBy
        self.startedAt = startedAt
        self.updatedAt = updatedAt
        self.replaced = replaced
        self.transitions = transitions
        reporters = progress.reporters
            .sorted { ($0.value.volume, $1.key) > ($1.value.volume, $0.key) }
            .map { Reporter($0.key, $0.value) }
        self.samples = samples.map(Sample.init)
    }
}
