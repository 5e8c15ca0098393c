import ClutchCore
import Foundation
import GRDB

extension FlagStore {
    /// The flag's revisions, newest first. With `environment`, only those that changed that
    /// environment's state or the flag itself. History outlives a deleted flag.
    public func revisions(flag key: String, environment: String?) async throws -> [Revision] {
        try await pool.read { db in
            if let environment { try Tables.requireEnvironment(db, environment) }
            let rows = try Row.fetchAll(
                db, sql: "SELECT * FROM revision WHERE entity = 'flag' AND environment = '' AND key = ? ORDER BY number DESC",
                arguments: [key])
            if rows.isEmpty { throw StoreError.notFound("flag '\(key)' does not exist") }
            let revisions = try rows.map(Tables.revision)
            guard let environment else { return revisions }
            return revisions.filter { $0.definitionChanged || $0.environments.contains(environment) }
        }
    }

    /// Revision `number` of the flag, or `notFound`.
    public func revision(flag key: String, number: Int64) async throws -> Revision {
        try await pool.read { db in try FlagStore.revision(db, key, number) }
    }

    static func revision(_ db: Database, _ key: String, _ number: Int64) throws -> Revision {
        guard let row = try Row.fetchOne(
            db, sql: "SELECT * FROM revision WHERE entity = 'flag' AND environment = '' AND key = ? AND number = ?",
            arguments: [key, number])
        else { throw StoreError.notFound("flag '\(key)' has no revision \(number)", field: "revision") }
        return try Tables.revision(row)
    }

    /// Restores revision `number` (default: the one before the latest) as a new revision: the whole
    /// flag, or only `environment`'s state when given. The restored content must still be valid
    /// (for example its cohorts must exist).
    /// With `ifRevision`, refused (conflict) unless the flag is at that revision, checked inside
    /// the write's transaction.
    public func rollback(
        flag key: String, to number: Int64?, environment: String?, ifRevision: Int64? = nil, change: ChangeInfo
    ) async throws -> Change<FlagRecord> {
        let result = try await pool.write { db -> Change<FlagRecord?> in
            let (old, new, summaryPrefix) = try FlagStore.restored(db, key, to: number, environment: environment, ifRevision: ifRevision)
            return try Tables.commitFlag(
                db, key: key, old: old, new: new, action: "rollback", change: change, summaryPrefix: summaryPrefix)
        }
        return try written(result, key, "rollback", change)
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
