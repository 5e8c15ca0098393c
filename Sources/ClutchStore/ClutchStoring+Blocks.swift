import ClutchCore
import Foundation

/// Blocks: anyone's stop on a flag in an environment or on a whole environment (a change
/// freeze). While one holds, every flag write that widens exposure there is refused with
/// ``BlockedError`` inside its transaction. Part of ``ClutchStoring``.
public protocol BlockStoring: Sendable {
    /// Blocks `flag` in `environment` (every flag there when `nil`) until `until` (`nil`: until lifted).
    func createBlock(environment: String, flag: String?, reason: String, until: Date?, by blocker: Blocker, change: ChangeInfo) async throws
        -> BlockRecord
    /// The blocks that hold now, oldest first, in `environment` and stopping `flag` when given.
    func blocks(environment: String?, flag: String?) async throws -> [BlockRecord]
    /// Lifts a block: its blocker or an owner (others get an `AccessRefusal`).
    func deleteBlock(_ id: String, by blocker: Blocker, change: ChangeInfo) async throws -> BlockRecord
}
