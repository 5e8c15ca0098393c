import ClutchCore
import Foundation
import GRDB

/// Row-level helpers shared by the store's operations. Every function runs inside the caller's
/// transaction.
enum Tables {
    // MARK: JSON

    static func json<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try ClutchJSON.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try ClutchJSON.decode(type, from: Data(text.utf8))
    }

    /// A flag as the store keeps it: variant values in their type's canonical form, so that a
    /// double flag's `1` and `1.0` compare equal after a round trip through JSON.
    static func normalized(_ flag: Flag) -> Flag {
        var flag = flag
        flag.variants = flag.variants.map { variant in
            var variant = variant
            variant.value = flag.type.normalize(variant.value)
            return variant
        }
        return flag
    }

    // MARK: Environments

    static func environments(_ db: Database) throws -> [EnvironmentRecord] {
        try Row.fetchAll(db, sql: "SELECT key, created_at, version FROM environment ORDER BY key").map { row in
            EnvironmentRecord(
                key: try row.decode(String.self, forColumn: "key"),
                createdAt: try row.decode(Date.self, forColumn: "created_at"),
                version: try row.decode(Int64.self, forColumn: "version"))
        }
    }

    static func environmentKeys(_ db: Database) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT key FROM environment ORDER BY key")
    }

    static func environmentExists(_ db: Database, _ key: String) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT 1 FROM environment WHERE key = ?", arguments: [key]) ?? false
    }

    static func requireEnvironment(_ db: Database, _ key: String, field: String? = nil) throws {
        guard try environmentExists(db, key) else {
            throw StoreRules.unknownEnvironment(key, known: try environmentKeys(db), field: field)
        }
    }

    /// Bumps each environment's snapshot version and returns the new versions and the old ones.
    static func bump(_ db: Database, _ environments: some Sequence<String>) throws -> (versions: [String: Int64], previous: [String: Int64]) {
        var versions: [String: Int64] = [:]
        var previous: [String: Int64] = [:]
        for environment in Set(environments) {
            try db.execute(sql: "UPDATE environment SET version = version + 1 WHERE key = ?", arguments: [environment])
            if let version = try Int64.fetchOne(db, sql: "SELECT version FROM environment WHERE key = ?", arguments: [environment]) {
                versions[environment] = version
                previous[environment] = version - 1
            }
        }
        return (versions, previous)
    }

    // MARK: Flags

    /// The flag `key` as stored, without usage: write paths never read usage, so no usage data
    /// (which SDK keys report) can stand in the way of a change.
    static func flag(_ db: Database, _ key: String) throws -> FlagRecord? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM flag WHERE key = ?", arguments: [key]) else { return nil }
        return try flagRecord(row)
    }

    static func requireFlag(_ db: Database, _ key: String) throws -> FlagRecord {
        guard let record = try flag(db, key) else {
            throw StoreRules.unknownFlag(key, known: try String.fetchAll(db, sql: "SELECT key FROM flag"))
        }
        return record
    }

    static func flagRecord(_ row: Row) throws -> FlagRecord {
        FlagRecord(
            flag: try FlagDefinitionCache.flag(key: try row.decode(String.self, forColumn: "key"), definition: try row.decode(String.self, forColumn: "definition")),
            revision: try row.decode(Int64.self, forColumn: "revision"),
            createdAt: try row.decode(Date.self, forColumn: "created_at"),
            updatedAt: try row.decode(Date.self, forColumn: "updated_at"),
            updatedBy: try row.decode(String.self, forColumn: "updated_by"))
    }

    static func allFlags(_ db: Database) throws -> [FlagRecord] {
        try Row.fetchAll(db, sql: "SELECT * FROM flag ORDER BY key").map(flagRecord)
    }

    static func checkRevision(_ record: FlagRecord, _ ifRevision: Int64?) throws {
        if let ifRevision, ifRevision != record.revision {
            throw StoreError.conflict(
                "flag '\(record.flag.key)' is at revision \(record.revision), not \(ifRevision): reload it and apply your change again",
                field: "If-Match")
        }
    }

    /// Cohort keys by environment, as flag validation wants them.
    static func cohortKeys(_ db: Database) throws -> [String: Set<String>] {
        var keys: [String: Set<String>] = [:]
        for environment in try environmentKeys(db) { keys[environment] = [] }
        for row in try Row.fetchAll(db, sql: "SELECT environment, key FROM cohort") {
            keys[try row.decode(String.self, forColumn: "environment"), default: []]
                .insert(try row.decode(String.self, forColumn: "key"))
        }
        return keys
    }

    /// Refuses a flag whose states name unknown environments (not found) or that is invalid, on
    /// its own or with the flags it requires or that require it (``prerequisiteIssues(_:_:overlay:)``).
    /// `prefix` is the flag's place in a document, for error paths.
    static func validate(_ db: Database, _ flag: Flag, prefix: String = "", cohorts: [String: Set<String>]? = nil) throws {
        try StoreRules.validate(
            flag, environments: Set(try environmentKeys(db)), cohorts: try cohorts ?? cohortKeys(db), prefix: prefix,
            prerequisiteIssues: { try prerequisiteIssues(db, flag) })
    }

    /// Writes `new` over `old` (`nil` = absent) as one change: the current row, an immutable
    /// revision, an audit event and the snapshot versions of the environments whose view changed.
    /// Writing what is already stored changes nothing and returns no versions.
    static func commitFlag(
        _ db: Database, key: String, old: FlagRecord?, new: Flag?, action: String, change: ChangeInfo,
        summaryPrefix: String? = nil
    ) throws -> Change<FlagRecord?> {
        let plan = FlagChangePlan(old: old?.flag, new: new, environments: try environmentKeys(db), summaryPrefix: summaryPrefix)
        if plan.isNoChange { return Change(value: old, versions: [:]) }
        let new = plan.new
        let now = Date()
        let latest = try Int64.fetchOne(
            db, sql: "SELECT MAX(number) FROM revision WHERE entity = 'flag' AND environment = '' AND key = ?", arguments: [key]) ?? 0
        let number = latest + 1
        let content = try new.map(json)
        if let content, let new {
            if old == nil {
                try db.execute(
                    sql: """
                        INSERT INTO flag (key, definition, revision, archived, created_at, updated_at, updated_by)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [key, content, number, new.archived, now, now, change.actor])
            } else {
                try db.execute(
                    sql: "UPDATE flag SET definition = ?, revision = ?, archived = ?, updated_at = ?, updated_by = ? WHERE key = ?",
                    arguments: [content, number, new.archived, now, change.actor, key])
            }
        } else {
            try db.execute(sql: "DELETE FROM flag WHERE key = ?", arguments: [key])
        }
        try recordRequires(db, key: key, new)
        try db.execute(
            sql: """
                INSERT INTO revision (entity, key, environment, number, content, actor, message, action, summary,
                                      changed_environments, definition_changed, created_at)
                VALUES ('flag', ?, '', ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [key, number, content, change.actor, change.message, action, plan.summary,
                        try json(plan.changedEnvironments), plan.definitionChanged, now])
        try audit(db, at: now, change: change, action: action, entity: "flag", key: key, environment: plan.auditEnvironment, revision: number)
        try recordEvent(db, type: .flagChanged, data: plan.changedEvent(key: key, revision: number, action: action, change: change), at: now)
        let (versions, previous) = try bump(db, plan.affected)
        return Change(
            value: try flag(db, key), versions: versions,
            touched: Touched(previousVersions: previous, flags: versions.mapValues { _ in [key] }))
    }

    // MARK: Revisions

    static func revision(_ row: Row) throws -> Revision {
        let content = try row.decode(String?.self, forColumn: "content")
        return Revision(
            number: try row.decode(Int64.self, forColumn: "number"),
            flagKey: try row.decode(String.self, forColumn: "key"),
            createdAt: try row.decode(Date.self, forColumn: "created_at"),
            actor: try row.decode(String.self, forColumn: "actor"),
            message: try row.decode(String?.self, forColumn: "message"),
            action: try row.decode(String.self, forColumn: "action"),
            summary: try row.decode(String.self, forColumn: "summary"),
            flag: try content.map { normalized(try decode(Flag.self, $0)) },
            environments: try decode([String].self, try row.decode(String.self, forColumn: "changed_environments")),
            definitionChanged: try row.decode(Bool.self, forColumn: "definition_changed"))
    }

    // MARK: Cohorts
    //
    // Transition: what the SQLite code of other families (schedules, console queries) still
    // calls until it is written once; the cohort rows are written once in `Rows+Cohorts.swift`.

    /// The cohort's row, without its members.
    static func cohortRecord(_ row: Row, members: [String] = []) throws -> CohortRecord {
        var cohort = try decode(Cohort.self, try row.decode(String.self, forColumn: "definition"))
        cohort.members = members
        return CohortRecord(
            cohort: cohort,
            environment: try row.decode(String.self, forColumn: "environment"),
            revision: try row.decode(Int64.self, forColumn: "revision"),
            updatedAt: try row.decode(Date.self, forColumn: "updated_at"),
            updatedBy: try row.decode(String.self, forColumn: "updated_by"))
    }

    /// The cohort without reading its members: for writes that change only some of them.
    static func cohortDefinition(_ db: Database, _ key: String, environment: String) throws -> CohortRecord? {
        try Row.fetchOne(db, sql: "SELECT * FROM cohort WHERE environment = ? AND key = ?", arguments: [environment, key])
            .map { try cohortRecord($0) }
    }

    /// The number of members of a cohort (kept in its row by ``writeMembers``).
    static func memberCount(_ db: Database, _ key: String, environment: String) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT member_count FROM cohort WHERE environment = ? AND key = ?", arguments: [environment, key]) ?? 0
    }

    /// Adds and removes member rows; answers the change as it took effect (members already
    /// present are not added, absent ones not removed).
    static func writeMembers(_ db: Database, environment: String, cohort key: String, _ change: MemberChange) throws -> MemberChange {
        var effective = MemberChange()
        let delete = try db.makeStatement(sql: "DELETE FROM cohort_member WHERE environment = ? AND cohort = ? AND member = ?")
        for member in change.removed {
            try delete.execute(arguments: [environment, key, member])
            if db.changesCount > 0 { effective.removed.append(member) }
        }
        let insert = try db.makeStatement(sql: "INSERT OR IGNORE INTO cohort_member (environment, cohort, member) VALUES (?, ?, ?)")
        for member in change.added {
            try insert.execute(arguments: [environment, key, member])
            if db.changesCount > 0 { effective.added.append(member) }
        }
        if !effective.isEmpty {
            try db.execute(
                sql: "UPDATE cohort SET member_count = member_count + ? WHERE environment = ? AND key = ?",
                arguments: [effective.added.count - effective.removed.count, environment, key])
        }
        return effective
    }

    /// Changes some members of an existing cohort: rows, revision, audit event, version bump.
    /// Answers `nil` (and writes nothing) when the change would change nothing.
    static func commitMembers(
        _ db: Database, _ old: CohortRecord, change members: MemberChange, change: ChangeInfo
    ) throws -> (MemberChange, Change<Void>)? {
        let environment = old.environment, key = old.cohort.key
        let effective = try writeMembers(db, environment: environment, cohort: key, members)
        if effective.isEmpty { return nil }
        if old.cohort.clauses.isEmpty, try memberCount(db, key, environment: environment) == 0 {
            throw StoreError.invalid(ValidationError(path: "remove", "a cohort needs members or clauses: this would remove the last member"))
        }
        let now = Date()
        _ = try record(
            db, environment: environment, key: key, content: Rows.CohortRevisionContent(definition: nil, members: effective),
            action: "members", summary: "members +\(effective.added.count) -\(effective.removed.count)", change: change, at: now)
        let (versions, previous) = try bump(db, [environment])
        return (effective, Change(value: (), versions: versions,
                                  touched: Touched(previousVersions: previous, members: [environment: [key: effective]])))
    }

    /// Appends the cohort's next revision and its audit event, and stamps the cohort row with it.
    private static func record(
        _ db: Database, environment: String, key: String, content: Rows.CohortRevisionContent, action: String, summary: String,
        change: ChangeInfo, at now: Date
    ) throws -> Int64 {
        // The row's revision too: a cohort written before revisions were kept has none in `revision`.
        let latest = try Int64.fetchOne(
            db, sql: """
                SELECT MAX(IFNULL((SELECT MAX(number) FROM revision WHERE entity = 'cohort' AND environment = ?1 AND key = ?2), 0),
                           IFNULL((SELECT revision FROM cohort WHERE environment = ?1 AND key = ?2), 0))
                """,
            arguments: [environment, key]) ?? 0
        let number = latest + 1
        try db.execute(
            sql: "UPDATE cohort SET revision = ?, updated_at = ?, updated_by = ? WHERE environment = ? AND key = ?",
            arguments: [number, now, change.actor, environment, key])
        try db.execute(
            sql: """
                INSERT INTO revision (entity, key, environment, number, content, actor, message, action, summary,
                                      changed_environments, definition_changed, created_at)
                VALUES ('cohort', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [key, environment, number, try json(content), change.actor, change.message, action, summary,
                        try json([environment]), content.definition != nil, now])
        try audit(db, at: now, change: change, action: action, entity: "cohort", key: key, environment: environment, revision: number)
        return number
    }

    // MARK: Audit

    static func audit(
        _ db: Database, at: Date, change: ChangeInfo, action: String, entity: String, key: String,
        environment: String?, revision: Int64?
    ) throws {
        try db.execute(
            sql: """
                INSERT INTO audit_event (at, actor, action, entity, key, environment, revision, message)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [at, change.actor, action, entity, key, environment, revision, change.message])
    }

    // MARK: Usage

    static func usage(_ db: Database, flag: String?) throws -> [String: [String: FlagUsage]] {
        let rows: [Row]
        if let flag {
            rows = try Row.fetchAll(db, sql: "SELECT * FROM usage WHERE flag = ?", arguments: [flag])
        } else {
            rows = try Row.fetchAll(db, sql: "SELECT * FROM usage")
        }
        var out: [String: [String: FlagUsage]] = [:]
        for row in rows {
            // Usage is statistics reported with public SDK keys: a row that does not decode is
            // read as well as it can be (a count stored as REAL saturates), never an error.
            guard let flag = row["flag"] as String?, let environment = row["environment"] as String?,
                  let variant = row["variant"] as String?
            else { continue }
            let count = UsageArithmetic.count(from: row["count"] as DatabaseValue)
            let last = (row["last_evaluated"] as Date?) ?? .distantPast
            var entry = out[flag]?[environment] ?? FlagUsage(lastEvaluated: last, variants: [:])
            entry.variants[variant] = UsageArithmetic.add(entry.variants[variant] ?? 0, count)
            entry.lastEvaluated = max(entry.lastEvaluated, last)
            out[flag, default: [:]][environment] = entry
        }
        return out
    }

    static func usage(_ db: Database, flag: String) throws -> [String: FlagUsage]? {
        try usage(db, flag: Optional(flag))[flag]
    }
}
