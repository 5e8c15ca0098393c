import Foundation
import GRDB

extension FlagStore {
    /// Runs the migrations the SQLite file at `path` needs (none in a dry run) and answers
    /// their names. A file that does not exist yet is created (and, in a dry run, left alone).
    public static func migrate(path: String, dryRun: Bool) throws -> [String] {
        if dryRun, !FileManager.default.fileExists(atPath: path) { return Schema.migrationNames }
        // Its webhook secrets are sealed when a server opens it: only the server holds the key.
        _ = FileModes.makeDatabasePrivate(path)
        let queue = try DatabaseQueue(path: path, configuration: FlagStore.configuration())
        defer { try? queue.close() }
        let applied = try queue.read { db in try Schema.migrator.appliedIdentifiers(db) }
        let pending = Schema.migrationNames.filter { !applied.contains($0) }
        if !dryRun { try Schema.migrator.migrate(queue) }
        return pending
    }
}
