import ClutchCore
import Foundation
import GRDB

extension FlagStore {


    static func revision(_ db: Database, _ key: String, _ number: Int64) throws -> Revision {
        guard let row = try Row.fetchOne(
            db, sql: "SELECT * FROM revision WHERE entity = 'flag' AND environment = '' AND key = ? AND number = ?",
            arguments: [key, number])
        else { throw StoreError.notFound("flag '\(key)' has no revision \(number)", field: "revision") }
        return try Tables.revision(row)
    }


    /// The flag now, the flag as restoring revision `number` (default: the one before the
    /// latest) would make it (validated), and the summary prefix naming the revision restored:
    /// one computation for the rollback and its preview.
    static func restored(
        _ db: Database, _ key: String, to number: Int64?, environment: String?, ifRevision: Int64?
    ) throws -> (old: FlagRecord, new: Flag, summaryPrefix: String) {
        if let environment { try Tables.requireEnvironment(db, environment, field: "environment") }
        let old = try Tables.requireFlag(db, key)
        try Tables.checkRevision(old, ifRevision)
        let target = try FlagEdits.rollbackTarget(old, to: number)
        let (new, summaryPrefix) = try FlagEdits.rolledBack(
            old.flag, to: try FlagStore.revision(db, key, target), environment: environment, environments: try Tables.environmentKeys(db))
        try Tables.validate(db, new)
        return (old, new, summaryPrefix)
    }
}
