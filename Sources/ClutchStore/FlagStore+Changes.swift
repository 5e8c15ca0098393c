import ClutchCore
import Foundation
import GRDB

/// What applying instructions gave: the record after them and the fields they changed. In a
/// dry run nothing was written and `record` is the record as it would be.
public struct InstructionResult: Sendable, Hashable {
    public var record: FlagRecord
    public var diff: [FieldChange]
    public var dryRun: Bool

    public init(record: FlagRecord, diff: [FieldChange], dryRun: Bool) {
        self.record = record
        self.diff = diff
        self.dryRun = dryRun
    }
}

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
