import ClutchCore

/// What writing `new` over `old` means, worked out without a database: the one place that
/// decides which environments a flag change bumps, whether it changed the definition, and how
/// its revision and audit event describe it. Every store (SQLite, PostgreSQL) commits a flag
/// change from one of these, so both record the same change the same way.
public struct FlagChangePlan: Sendable {
    /// The flag as it will be stored (`nil`: deleted), every rule with a stable id.
    public var new: Flag?
    /// The stored flag before the change (`nil`: absent).
    public var old: Flag?
    /// Environments whose state the change edited, sorted.
    public var changedEnvironments: [String]
    /// Whether anything but the states changed (or the flag was created or deleted).
    public var definitionChanged: Bool
    /// Environments whose SDK view changed: their snapshot versions are bumped.
    public var affected: [String]
    /// The revision's one-line summary.
    public var summary: String

    /// Plans writing `new` over `old` in a database holding `environments`. `summaryPrefix`
    /// starts the summary (a rollback names the revision it restored).
    public init(old: Flag?, new: Flag?, environments: [String], summaryPrefix: String? = nil) {
        // Every rule gets a stable id; a rule written back unchanged without one keeps its id.
        let new = new.map { $0.assigningRuleIDs(keeping: old) }
        self.old = old
        self.new = new
        let stateKeys = Set(old.map { Array($0.environments.keys) } ?? []).union(new.map { Array($0.environments.keys) } ?? [])
        changedEnvironments = stateKeys.filter { old?.environments[$0] != new?.environments[$0] }.sorted()
        var oldBare = old
        oldBare?.environments = [:]
        var newBare = new
        newBare?.environments = [:]
        definitionChanged = old == nil || new == nil || oldBare != newBare
        affected = environments.filter { Self.view(old, in: $0) != Self.view(new, in: $0) }
        var summary = RevisionSummary.of(from: old, to: new)
        if let summaryPrefix { summary = "\(summaryPrefix): \(summary)" }
        self.summary = summary
    }

    /// Whether writing it would change nothing (then nothing is written and no version bumped).
    public var isNoChange: Bool { old == new }

    /// The environment the audit event names: the one state changed, when only one was.
    public var auditEnvironment: String? {
        !definitionChanged && changedEnvironments.count == 1 ? changedEnvironments.first : nil
    }

    /// What SDKs of `environment` see of `flag`: nothing when it is absent or archived, and never
    /// its owner — an email address is no business of the apps an SDK key ships in (and changing
    /// it changes nothing SDKs see).
    public static func view(_ flag: Flag?, in environment: String) -> Flag? {
        guard var flag, !flag.archived else { return nil }
        flag.environments = [environment: flag.state(in: environment)]
        flag.owner = nil
        return flag
    }
}
