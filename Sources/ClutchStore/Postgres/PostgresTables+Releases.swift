import ClutchCore
import Foundation

/// Transition: the flag-change plan the unconverted schedule operations
/// (PostgresStore+Schedules.swift) still call; the release rows are written once in
/// `Operations/Rows+Releases.swift`.
extension PostgresTables {
    /// The flag before and after `instructions` in `environment`, validated, and what they change.
    static func plan(
        _ session: PostgresSession, _ instructions: [Instruction], _ key: String, _ environment: String, _ ifRevision: Int64?
    ) async throws -> (FlagRecord, Flag, [FieldChange]) {
        try await requireEnvironment(session, environment)
        let old = try await requireFlag(session, key)
        try Tables.checkRevision(old, ifRevision)
        let new = try FlagEdits.applying(instructions, to: old.flag, environment: environment)
        try await validate(session, new)
        return (old, new, FlagDiff.changes(from: old.flag, to: new))
    }

    /// ``plan(_:_:_:_:_:)`` and its commit as one change, in the caller's transaction (an API
    /// change, a scheduled one).
    static func applyInstructions(
        _ session: PostgresSession, _ instructions: [Instruction], flag key: String, environment: String, ifRevision: Int64?,
        change: ChangeInfo
    ) async throws -> Change<InstructionResult?> {
        let (old, new, diff) = try await plan(session, instructions, key, environment, ifRevision)
        let written = try await commitFlag(session, key: key, old: old, new: new, action: "change", change: change)
        return written.with(written.value.map { InstructionResult(record: $0, diff: diff, dryRun: false) })
    }
}
