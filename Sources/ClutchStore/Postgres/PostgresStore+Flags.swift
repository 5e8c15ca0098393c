import ClutchCore
import Foundation
import PostgresNIO

/// Flags, instructions, revisions and rollback: each as ``FlagStore`` does it, the same
/// ``FlagEdits`` forming the flag and the same ``FlagChangePlan`` recording it.
extension PostgresStore {











    // MARK: Revisions




    /// The flag now, the flag as restoring revision `number` would make it (validated), and the
    /// summary prefix naming the revision: one computation for the rollback and its preview.
    static func restored(
        _ session: PostgresSession, _ key: String, to number: Int64?, environment: String?, ifRevision: Int64?
    ) async throws -> (old: FlagRecord, new: Flag, summaryPrefix: String) {
        if let environment { try await PostgresTables.requireEnvironment(session, environment, field: "environment") }
        let old = try await PostgresTables.requireFlag(session, key)
        try Tables.checkRevision(old, ifRevision)
        let target = try FlagEdits.rollbackTarget(old, to: number)
        let (new, summaryPrefix) = try FlagEdits.rolledBack(
            old.flag, to: try await PostgresTables.revision(session, key, target), environment: environment,
            environments: try await PostgresTables.environmentKeys(session))
        try await PostgresTables.validate(session, new)
        return (old, new, summaryPrefix)
    }

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
