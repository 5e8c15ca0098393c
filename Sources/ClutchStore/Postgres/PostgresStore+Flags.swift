import ClutchCore
import Foundation
import PostgresNIO

/// Flags, instructions, revisions and rollback: each as ``FlagStore`` does it, the same
/// ``FlagEdits`` forming the flag and the same ``FlagChangePlan`` recording it.
extension PostgresStore {











    // MARK: Revisions




    /// Unwraps a committed flag change and logs it.
    func written(_ result: Change<FlagRecord?>, _ key: String, _ action: String, _ change: ChangeInfo) throws -> Change<FlagRecord> {
        guard let record = result.value else { throw StoreError.notFound("flag '\(key)' does not exist") }
        if !result.versions.isEmpty || action == "create" {
            logger.info("flag changed", metadata: [
                "flag": "\(key)", "action": "\(action)", "revision": "\(record.revision)", "actor": "\(change.actor)",
            ])
        }
        return result.with(record)
    }
}
