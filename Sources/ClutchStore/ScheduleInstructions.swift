import ClutchCore
import Foundation

/// The data of a `schedule.failed` event.
struct ScheduleFailedData: Encodable {
    var schedule: ScheduleRecord
    var error: String
}

/// Stored instructions as typed instructions; an instruction that does not decode is refused
/// naming its place (`instructions[1].variant`).
enum ScheduleInstructions {
    /// The actor of the changes the scheduler makes; the author is named in the message.
    static let schedulerActor = "clutch-scheduler"

    /// The message of a scheduled change: its author, the schedule, the author's message and a note.
    static func message(for schedule: ScheduleRecord, note: String?) -> String {
        var text = "scheduled by \(schedule.createdBy) (\(schedule.id), due \(Timestamp.format(schedule.at)))"
        if let message = schedule.message, !message.isEmpty { text += ": \(message)" }
        if let note { text += " [\(note)]" }
        return text
    }

    /// A request's instructions, typed.
    enum Checked {
        case flag([Instruction])
        case cohort([MemberInstruction])
    }

    /// The checks of a new schedule that need no database: due in the future, instructions that
    /// decode, at least one of them.
    static func checked(_ request: ScheduleRequest, now: Date) throws -> Checked {
        guard request.at > now else {
            throw StoreError.invalid(ValidationError(path: "at", "must be in the future (it is \(Timestamp.format(now)) now)"))
        }
        let checked: Checked
        let count: Int
        switch request.kind {
        case .flag:
            let instructions = try flag(request.instructions)
            (checked, count) = (.flag(instructions), instructions.count)
        case .cohort:
            let instructions = try members(request.instructions)
            (checked, count) = (.cohort(instructions), instructions.count)
        }
        guard count > 0 else { throw StoreError.invalid(ValidationError(path: "instructions", "give at least one instruction")) }
        return checked
    }

    /// `sch_` + random characters.
    static func newID() -> String { "sch_" + Secrets.randomHex(bytes: 8) }

    /// The net member change of a cohort schedule's stored instructions.
    static func memberChange(_ values: [Value]) throws -> MemberChange {
        do {
            return try MemberInstruction.netChange(try members(values))
        } catch let error as ValidationError {
            throw StoreError.invalid(error)
        }
    }

    /// Why running a schedule failed in a way that marks it failed (its instructions no longer
    /// apply, or do not decode); `nil` for other errors (the database), which leave it pending.
    static func failure(_ error: any Error) -> String? {
        switch error {
        case let error as StoreError: error.description
        case let error as BlockedError: error.description
        case let error as DecodingError: "the stored instructions do not decode: \(error)"
        default: nil
        }
    }

    /// The audit entries of a schedule's life.
    static func scheduledChange(_ id: String, _ request: ScheduleRequest, _ change: ChangeInfo) -> ChangeInfo {
        ChangeInfo(actor: change.actor, message: "schedule \(id) for \(Timestamp.format(request.at))")
    }

    static func cancelledChange(_ id: String, _ change: ChangeInfo) -> ChangeInfo {
        ChangeInfo(actor: change.actor, message: change.message ?? "cancelled schedule \(id)")
    }

    /// Who applies a schedule: `clutch-scheduler for <its author>`, with the author as they were
    /// named when they scheduled it.
    static func appliedBy(_ schedule: ScheduleRecord) -> String {
        "\(schedulerActor) for \(schedule.createdBy)"
    }

    static func failedChange(_ id: String, _ reason: String) -> ChangeInfo {
        ChangeInfo(actor: schedulerActor, message: "schedule \(id) failed: \(reason)")
    }

    /// The refusal to cancel a schedule that is no longer pending.
    static func notPending(_ record: ScheduleRecord) -> StoreError {
        StoreError.conflict("schedule \(record.id) is \(record.status.rawValue), not pending: only a pending schedule can be cancelled")
    }

    static func flag(_ values: [Value]) throws -> [Instruction] {
        try decode([Instruction].self, values)
    }

    static func members(_ values: [Value]) throws -> [MemberInstruction] {
        try decode([MemberInstruction].self, values)
    }

    private static func decode<T: Decodable>(_ type: T.Type, _ values: [Value]) throws -> T {
        do {
            return try ClutchJSON.decode(type, from: try ClutchJSON.encode(values))
        } catch let error as DecodingError {
            let (path, message) = describe(error)
            throw StoreError.invalid(ValidationError(path: path, message))
        }
    }

    private static func describe(_ error: DecodingError) -> (String, String) {
        func path(_ keys: [any CodingKey]) -> String {
            keys.reduce("instructions") { path, key in
                key.intValue.map { "\(path)[\($0)]" } ?? "\(path).\(key.stringValue)"
            }
        }
        switch error {
        case .dataCorrupted(let context): return (path(context.codingPath), context.debugDescription)
        case .keyNotFound(let key, let context): return (path(context.codingPath + [key]), "is required")
        case .typeMismatch(_, let context), .valueNotFound(_, let context): return (path(context.codingPath), context.debugDescription)
        @unknown default: return ("instructions", "\(error)")
        }
    }
}
