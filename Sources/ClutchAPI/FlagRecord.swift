import ClutchCore
import Foundation

/// A flag as stored: its current definition, its latest revision number and when and by whom it changed.
public struct FlagRecord: Sendable, Hashable, Codable {
    public var flag: Flag
    /// The flag's latest revision number; what `If-Match` names.
    public var revision: Int64
    public var createdAt: Date
    public var updatedAt: Date
    public var updatedBy: String
    /// Evaluation counts reported by SDKs, by environment; `nil` when none were reported.
    public var usage: [String: FlagUsage]?
    /// Its stage overall and per environment, computed when it is read (``FlagLifecycle``);
    /// `nil` in the answers to writes, which read no usage.
    public var lifecycle: FlagLifecycle?
    /// In the answer to a write: the attributes it uses that no context of the environment has
    /// carried (``AttributeWarnings``); `nil` when there are none, and in every read.
    public var warnings: [AttributeWarning]?
    /// `true` when the flag's owner is no member now (removed since, or named before owners
    /// were checked): the flag keeps naming them, as history does, and says so; `nil` otherwise
    /// and in the answers to writes.
    public var ownerRemoved: Bool?

    public init(
        flag: Flag, revision: Int64, createdAt: Date, updatedAt: Date, updatedBy: String, usage: [String: FlagUsage]? = nil,
        lifecycle: FlagLifecycle? = nil, warnings: [AttributeWarning]? = nil, ownerRemoved: Bool? = nil
    ) {
        self.flag = flag
        self.revision = revision
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.updatedBy = updatedBy
        self.usage = usage
        self.lifecycle = lifecycle
        self.warnings = warnings
        self.ownerRemoved = ownerRemoved
    }

    /// The owner as people read it: `alice@example.com`, `alice@example.com (removed)`, or `nil`.
    public var ownerText: String? {
        flag.owner.map { ownerRemoved == true ? "\($0) (removed)" : $0 }
    }
}

/// A cohort of one environment as stored.
public struct CohortRecord: Sendable, Hashable, Codable {
    public var cohort: Cohort
    public var environment: String
    /// The cohort's latest revision number in its environment.
    public var revision: Int64
    public var updatedAt: Date
    public var updatedBy: String

    public init(cohort: Cohort, environment: String, revision: Int64, updatedAt: Date, updatedBy: String) {
        self.cohort = cohort
        self.environment = environment
        self.revision = revision
        self.updatedAt = updatedAt
        self.updatedBy = updatedBy
    }
}

extension FlagRecord {
    /// Its lifecycle in `environment` when one is named (and known), else overall: what the
    /// flag lists show and filter by stage.
    public func lifecycle(in environment: String?) -> FlagLifecycle? {
        environment.flatMap { lifecycle?.environments?[$0] } ?? lifecycle
    }
}
