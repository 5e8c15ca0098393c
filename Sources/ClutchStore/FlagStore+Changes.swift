import ClutchCore
import Foundation
import GRDB

// Transition: the SQLite forms of the instruction helpers, for the scheduler and the release
// runner until they are written once (``Rows/applyInstructions(_:_:flag:environment:ifRevision:change:)``,
// ``Rows/plan(_:_:_:_:_:)``).
extension FlagStore {
    /// The write of ``apply(_:flag:environment:ifRevision:dryRun:change:)`` inside the caller's
    /// transaction, so that the scheduler claims a schedule and applies it in one transaction.
    static func applyInstructions(
        _ db: Database, _ instructions: [Instruction], flag key: String, environment: String, ifRevision: Int64?,
        change: ChangeInfo
    ) throws -> Change<InstructionResult?> {
        let (old, new, diff) = try plan(db, instructions, key, environment, ifRevision)
        let written = try Tables.commitFlag(db, key: key, old: old, new: new, action: "change", change: change)
        return written.with(written.value.map { InstructionResult(record: $0, diff: diff, dryRun: false) })
    }

    /// The flag before and after the instructions, validated, and what they change.
    static func plan(
        _ db: Database, _ instructions: [Instruction], _ key: String, _ environment: String, _ ifRevision: Int64?
    ) throws -> (FlagRecord, Flag, [FieldChange]) {
        try Tables.requireEnvironment(db, environment)
        let old = try Tables.requireFlag(db, key)
        try Tables.checkRevision(old, ifRevision)
        let new = try FlagEdits.applying(instructions, to: old.flag, environment: environment)
        try Tables.validate(db, new)
        return (old, new, FlagDiff.changes(from: old.flag, to: new))
    }
}
