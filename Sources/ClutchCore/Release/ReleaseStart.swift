/// What a flag served everyone not targeted in an environment just before a release replaced it.
/// Kept with the release so that `abort` can put it back, and so that the release can start from
/// the exposure people already had instead of taking the variant away from them.
public struct ReleaseBaseline: Sendable, Hashable, Codable {
    /// Whether the flag was on in the environment.
    public var enabled: Bool
    /// What the default served (the natural default written out when the state had none).
    public var serve: Serve
    /// The percentage of everyone not targeted who got the released variant (0 while the flag was off).
    public var percent: Double
    /// For people: `50% on / 50% off by targetingKey`, `on (natural default)`, or `off`.
    public var text: String

    public init(enabled: Bool, serve: Serve, percent: Double, text: String) {
        self.enabled = enabled
        self.serve = serve
        self.percent = percent
        self.text = text
    }
}

/// Where a release starts. One rule for both stores, worked out without a database:
///
/// - The release continues the current exposure `p` (the share of everyone not targeted who
///   already gets the variant): its first step is the larger of `p` and its first step, and the
///   steps at or below that are skipped — so a release never lowers exposure by itself. At 50 %
///   with steps 1, 5, 25, 50, 100 it runs 50, 100; at 30 % it runs 30, 50, 100; at 0 % all of them.
/// - It can continue a rollout only when keeping the percentage keeps the same people: the
///   rollout buckets by the release's attribute and the variant holds its first buckets (as
///   every `rollout --percent` and every release writes it). Otherwise — another attribute, the
///   variant's buckets elsewhere, or everyone already getting it — it is refused naming what the
///   flag serves, unless `restartFrom` says where to start instead (which may lower exposure:
///   the caller asked for it).
public enum ReleaseStart {
    /// The field of the request that overrides the current exposure.
    public static let restartField = "restartFrom"

    /// Why a release cannot start as asked.
    public enum Refusal: Error, Sendable, Hashable {
        /// `restartFrom` is not a percentage above 0 and below 100.
        case invalid(ValidationIssue)
        /// The current exposure cannot be continued: the sentence naming it.
        case cannotContinue(String)
    }

    /// The policy a release of `flag` in `environment` runs (its steps starting from the current
    /// exposure, or from `restartFrom`), and what the flag served before it.
    public static func plan(
        _ policy: ReleasePolicy, flag: Flag, environment: String, restartFrom: Double?
    ) throws(Refusal) -> (policy: ReleasePolicy, baseline: ReleaseBaseline) {
        let state = flag.state(in: environment)
        let serve = state.default ?? flag.naturalDefault
        let text = state.enabled ? Describe.fallback(flag, state) : "off"
        let exposure = Self.exposure(of: policy, flag: flag, state: state, serve: serve, text: text, environment: environment)
        let baseline = ReleaseBaseline(enabled: state.enabled, serve: serve, percent: exposure.percent, text: text)
        var planned = policy
        if let restartFrom {
            guard restartFrom.isFinite, restartFrom > 0, restartFrom < 100 else {
                throw .invalid(ValidationIssue(path: restartField, message: "restartFrom is a percentage above 0 and below 100"))
            }
            planned.steps = [restartFrom] + policy.steps.filter { $0 > restartFrom }
        } else if let conflict = exposure.conflict {
            throw .cannotContinue(conflict + "; give restartFrom (clutch release start --restart-from PERCENT) to start again from that percentage")
        } else if exposure.percent > 0, let first = policy.steps.first {
            let start = max(exposure.percent, first)
            planned.steps = [start] + policy.steps.filter { $0 > start }
        }
        return (planned, baseline)
    }

    /// The share of everyone not targeted who gets the release's variant now, and why a release
    /// cannot continue it, if it cannot.
    private static func exposure(
        of policy: ReleasePolicy, flag: Flag, state: FlagState, serve: Serve, text: String, environment: String
    ) -> (percent: Double, conflict: String?) {
        let variant = policy.variant
        let already = "everyone not targeted in \(environment) already gets '\(variant)'"
        guard state.enabled else {
            return flag.offVariant == variant ? (100, "\(already): the flag is off there and '\(variant)' is its off variant") : (0, nil)
        }
        if let served = serve.variant { return served == variant ? (100, "\(already) (the default serves \(text))") : (0, nil) }
        guard let rollout = serve.rollout else { return (0, nil) }
        let weights = rollout.weights.filter { $0.weight > 0 }
        let weight = weights.filter { $0.variant == variant }.reduce(0) { $0 + $1.weight }
        let percent = Double(weight) / 1000
        if weight == 0 { return (0, nil) }
        if weight >= Rollout.totalWeight { return (100, "\(already) (the default serves \(text))") }
        let cannot = "the default in \(environment) serves \(text); a release of '\(variant)' by \(policy.bucketBy) cannot continue it"
        if rollout.bucketBy != policy.bucketBy {
            return (percent, "\(cannot) without giving '\(variant)' to other people (it buckets by \(rollout.bucketBy): "
                + "release by \(rollout.bucketBy) to continue it)")
        }
        // The release writes `percent of variant, rest off`: the variant's buckets come first.
        let leading = weights.prefix { $0.variant == variant }.reduce(0) { $0 + $1.weight }
        if leading != weight {
            return (percent, "\(cannot) without giving '\(variant)' to other people (its buckets are not the rollout's first ones)")
        }
        return (percent, nil)
    }
}
