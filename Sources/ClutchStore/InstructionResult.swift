import Foundation

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
