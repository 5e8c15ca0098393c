import ClutchCore
import Foundation

/// A change to apply later: the instructions of one flag's state in one environment (or of one
/// cohort's members), applied by the server's scheduler at `at` in one transaction.
public struct ScheduleRecord: Sendable, Hashable, Codable {
    /// What a schedule changes.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// A flag's state in one environment, with flag ``Instruction``s.
        case flag
        /// A cohort's members in one environment, with ``MemberInstruction``s.
        case cohort
    }

    /// Where a schedule is in its life. Only `pending` schedules change.
    public enum Status: String, Sendable, Hashable, Codable, CaseIterable {
        case pending, applied, failed, cancelled
    }

    /// `sch_` + random characters.
    public var id: String
    public var kind: Kind
    /// The flag's or the cohort's key.
    public var key: String
    public var environment: String
    /// The instructions as they were sent (flag or member instructions, as `kind` says).
    public var instructions: [Value]
    /// The author's message, recorded with the change.
    public var message: String?
    /// When the change is due.
    public var at: Date
    public var status: Status
    public var createdAt: Date
    /// Who scheduled it: named in the change the scheduler makes.
    public var createdBy: String
    /// When it was applied, failed or cancelled.
    public var finishedAt: Date?
    /// Who cancelled it, or the scheduler's actor.
    public var finishedBy: String?
    /// The flag's or cohort's revision the change made (applied schedules).
    public var revision: Int64?
    /// Why it failed, or a note on how it was applied (late after a restart).
    public var error: String?
    public var note: String?
    /// In the answer to creating a flag's schedule: attributes the change will start to use that
    /// no context of the environment has carried so far (``AttributeWarnings``). Absent otherwise.
    public var warnings: [AttributeWarning]?

    public init(
        id: String, kind: Kind, key: String, environment: String, instructions: [Value], message: String?, at: Date,
        status: Status, createdAt: Date, createdBy: String, finishedAt: Date? = nil, finishedBy: String? = nil,
        revision: Int64? = nil, error: String? = nil, note: String? = nil
    ) {
        self.id = id
        self.kind = kind
        self.key = key
        self.environment = environment
        self.instructions = instructions
        self.message = message
        self.at = at
        self.status = status
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.finishedAt = finishedAt
        self.finishedBy = finishedBy
        self.revision = revision
        self.error = error
        self.note = note
    }
}
