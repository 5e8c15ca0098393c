import ClutchCore
import Foundation

/// A new schedule as a client asks for it.
public struct ScheduleRequest: Sendable, Hashable {
    public var kind: ScheduleRecord.Kind
    public var key: String
    public var environment: String
    public var instructions: [Value]
    public var message: String?
    public var at: Date

    public init(kind: ScheduleRecord.Kind, key: String, environment: String, instructions: [Value], message: String?, at: Date) {
        self.kind = kind
        self.key = key
        self.environment = environment
        self.instructions = instructions
        self.message = message
        self.at = at
    }
}

/// What running one due schedule did.
public struct ScheduleOutcome: Sendable {
    /// The schedule after the run (`applied` or `failed`); `nil` when it was no longer pending
    /// (cancelled meanwhile, or taken by another scheduler).
    public var schedule: ScheduleRecord?
    /// The change written, for publishing to SDKs (no versions when it failed or changed nothing).
    public var change: Change<Void>
}
