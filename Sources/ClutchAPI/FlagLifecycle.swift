import ClutchCore
import Foundation

/// Where a flag is on its way from created to cleaned up. Computed from the flag's state, its
/// usage and the clock (``FlagLifecycle/of(_:createdAt:usage:stateChangedAt:environments:now:unusedDays:)``),
/// never stored: a second, stored truth would drift from the state and the usage it is read from.
public enum FlagStage: String, Sendable, Hashable, Codable, CaseIterable {
    /// Never evaluated (where it is judged).
    case new
    /// Evaluated, and serving more than one variant or still rolling out.
    case live
    /// Serving one variant to everyone wherever it is evaluated.
    case rolledOut = "rolled-out"
    /// Rolled out for ``FlagLifecycle/rolledOutDays`` days, past its kind's expected life, or not
    /// evaluated for ``FlagLifecycle/unusedDays`` days: its checks can probably leave the code.
    case stale
    /// Archived: no longer served.
    case archived

    /// Every stage's name, for error messages and help.
    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// A flag's stage overall and in each environment, with the facts it was read from: what
/// `clutch flags list`, `flags get`, `cleanup`, the console and the `flag.stale` event show.
public struct FlagLifecycle: Sendable, Hashable, Codable {
    public var stage: FlagStage
    /// Why it is stale ("on for everyone in every environment for 21 days"); `nil` otherwise.
    public var reason: String?
    /// The latest evaluation counted (where it is judged); `nil` when never evaluated.
    public var lastEvaluated: Date?
    /// The one variant everyone gets, when rolled out (or stale after being rolled out).
    public var variant: String?
    /// Since when that one variant has been served: the last change of the state.
    public var rolledOutSince: Date?
    /// The stage in each environment; `nil` in the per-environment readings themselves.
    public var environments: [String: FlagLifecycle]?

    public init(
        stage: FlagStage, reason: String? = nil, lastEvaluated: Date? = nil, variant: String? = nil,
        rolledOutSince: Date? = nil, environments: [String: FlagLifecycle]? = nil
    ) {
        self.stage = stage
        self.reason = reason
        self.lastEvaluated = lastEvaluated
        self.variant = variant
        self.rolledOutSince = rolledOutSince
        self.environments = environments
    }

    /// Days a flag may serve one variant to everyone before it is stale.
    public static let rolledOutDays = 14
    /// Days without an evaluation (or, never evaluated, since it was created) before it is stale.
    public static let unusedDays = 30

    /// The one rule for a flag's stage, overall and per environment in `environments`.
    ///
    /// - `usage`: the flag's usage by environment (an environment without an entry never
    ///   evaluated it); `stateChangedAt`: when its state in each environment last changed
    ///   (absent: not since it was created).
    /// - Overall, the flag is judged over every environment that evaluates it: rolled out when
    ///   they all serve the same one variant to everyone.
    /// - Kill switches and permissions (no expected life) are never stale by age — neither by
    ///   time rolled out nor by expected life — only by going unevaluated.
    /// - `unusedDays` is the days without evaluation that make a flag stale (`clutch flags
    ///   stale --days` asks for another number; everything else uses ``unusedDays``).
    public static func of(
        _ flag: Flag, createdAt: Date, usage: [String: FlagUsage], stateChangedAt: [String: Date], environments: [String],
        now: Date, unusedDays: Int = FlagLifecycle.unusedDays
    ) -> FlagLifecycle {
        let judge = Judge(flag: flag, createdAt: createdAt, usage: usage, stateChangedAt: stateChangedAt, now: now, unusedDays: unusedDays)
        var overall = judge.reading(over: environments, everyEnvironment: true)
        overall.environments = Dictionary(uniqueKeysWithValues: environments.map { ($0, judge.reading(over: [$0], everyEnvironment: false)) })
        return overall
    }

    /// The variant `flag` serves to every context in `environment`, if it serves only one: its
    /// off variant while it is off; with it on, its default when nothing else (prerequisites,
    /// targets, rules) decides and the default is one variant or a rollout giving one variant
    /// 100 %.
    public static func servedToEveryone(_ flag: Flag, in environment: String) -> String? {
        let state = flag.state(in: environment)
        guard state.enabled else { return flag.offVariant }
        guard state.prerequisites.isEmpty, state.targets.isEmpty, state.rules.isEmpty else { return nil }
        let serve = state.default ?? flag.naturalDefault
        if let variant = serve.variant { return variant }
        return serve.rollout?.weights.first { $0.weight == Rollout.totalWeight }?.variant
    }

    /// The reading of one flag over a set of environments.
    private struct Judge {
        let flag: Flag
        let createdAt: Date
        let usage: [String: FlagUsage]
        let stateChangedAt: [String: Date]
        let now: Date
        let unusedDays: Int

        func reading(over environments: [String], everyEnvironment: Bool) -> FlagLifecycle {
            let evaluated = environments.filter { usage[$0] != nil }
            let lastEvaluated = evaluated.compactMap { usage[$0]?.lastEvaluated }.max()
            if flag.archived { return FlagLifecycle(stage: .archived, lastEvaluated: lastEvaluated) }
            let life = flag.kind.expectedLifeDays
            let age = now.timeIntervalSince(createdAt)
            let pastLife = life.map { age >= Double($0) * 86_400 } ?? false
            let lifeReason = life.map { "past the \($0) days \(flag.kind.withArticle) flag is expected to live (created \(Self.days(age)) ago)" }
            guard let lastEvaluated else {
                if pastLife { return FlagLifecycle(stage: .stale, reason: lifeReason) }
                if age >= Double(unusedDays) * 86_400 { return FlagLifecycle(stage: .stale, reason: "never evaluated in the \(Self.days(age)) since it was created") }
                return FlagLifecycle(stage: .new)
            }
            let served = evaluated.map { FlagLifecycle.servedToEveryone(flag, in: $0) }
            let variant = served.first ?? nil
            let rolledOut = variant != nil && served.allSatisfy { $0 == variant }
            let since = rolledOut ? evaluated.map { stateChangedAt[$0] ?? createdAt }.max() : nil
            var reading = FlagLifecycle(
                stage: rolledOut ? .rolledOut : .live, lastEvaluated: lastEvaluated, variant: rolledOut ? variant : nil, rolledOutSince: since)
            let unused = now.timeIntervalSince(lastEvaluated)
            if unused >= Double(unusedDays) * 86_400 {
                reading.stage = .stale
                reading.reason = "not evaluated for \(Self.days(unused))"
            } else if life == nil {
                return reading
            } else if let since, let variant, now.timeIntervalSince(since) >= Double(FlagLifecycle.rolledOutDays) * 86_400 {
                let scope = everyEnvironment && evaluated.count == environments.count ? "every environment" : evaluated.joined(separator: ", ")
                reading.stage = .stale
                reading.reason = "\(Self.served(variant, of: flag)) for everyone in \(scope) for \(Self.days(now.timeIntervalSince(since)))"
            } else if pastLife {
                reading.stage = .stale
                reading.reason = lifeReason
            }
            return reading
        }

        /// "on" and "off" for a boolean flag's own variants, else the variant's key quoted.
        static func served(_ variant: String, of flag: Flag) -> String {
            flag.type == .boolean && (variant == "on" || variant == "off") ? variant : "'\(variant)'"
        }

        static func days(_ seconds: TimeInterval) -> String {
            let days = Int(max(0, seconds) / 86_400)
            return days == 1 ? "1 day" : "\(days) days"
        }
    }
}
