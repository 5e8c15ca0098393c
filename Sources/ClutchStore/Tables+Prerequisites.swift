import ClutchCore
import GRDB

/// Prerequisites across flags, checked inside the write's transaction: a flag is valid only
/// together with the flags it requires and the flags that require it.
extension Tables {
    /// The stored flags whose state names `key` as a prerequisite in some environment, by key.
    static func dependents(_ db: Database, of key: String) throws -> [Flag] {
        try String.fetchAll(
            db, sql: """
                SELECT definition FROM flag
                WHERE key IN (SELECT flag FROM flag_requires WHERE requires = ?)
                ORDER BY key
                """, arguments: [key]
        ).map { try normalized(decode(Flag.self, $0)) }
    }

    /// Keeps `flag_requires` in step with flag `key`'s new definition (`nil`: the flag is gone).
    static func recordRequires(_ db: Database, key: String, _ flag: Flag?) throws {
        try db.execute(sql: "DELETE FROM flag_requires WHERE flag = ?", arguments: [key])
        for required in StoreRules.requiredKeys(flag) {
            try db.execute(sql: "INSERT INTO flag_requires (requires, flag) VALUES (?, ?)", arguments: [required, key])
        }
    }

    /// Every problem with `flag`'s prerequisites and with the flags that require it, against the
    /// stored flags; `overlay` holds flags written in the same change (an import), by key, and
    /// stands in for the stored ones. Paths are relative to `flag`. The one check of prerequisites
    /// across flags that every write of a flag goes through (``validate(_:_:prefix:cohorts:)``
    /// and imports).
    static func prerequisiteIssues(_ db: Database, _ flag: Flag, overlay: PrerequisiteOverlay = .none) throws -> [ValidationIssue] {
        // Most flags neither have nor are prerequisites: then nothing is read but one query.
        try StoreRules.prerequisiteIssues(flag, dependents: try dependents(db, of: flag.key), overlay: overlay) { key in
            try self.flag(db, key)?.flag
        }
    }

    /// Refuses (conflict, even with `force`) to delete or archive flag `key` while flags that are
    /// not archived require it: they would serve their off variant to everyone from then on.
    static func checkNotRequired(_ db: Database, _ key: String, action: String) throws {
        try StoreRules.checkNotRequired(key, dependents: try dependents(db, of: key), action: action)
    }
}
