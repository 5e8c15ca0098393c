import ClutchCore
import Foundation
import PostgresNIO

/// Row-level helpers of the PostgreSQL store, as ``Tables`` is for SQLite: reading and writing
/// rows only. Every decision (what a change bumps, how it is summarised, whether it is valid)
/// is made by the shared ``FlagChangePlan``, ``StoreRules`` and ``FlagEdits``. Every function runs
/// inside the caller's transaction.
enum PostgresTables {
    // MARK: Environments

    static func environments(_ session: PostgresSession) async throws -> [EnvironmentRecord] {
        try await session.rows("SELECT key, created_at, version FROM environment ORDER BY key COLLATE \"C\"").map { row in
            EnvironmentRecord(key: try row.get("key"), createdAt: try row.get("created_at"), version: try row.get("version"))
        }
    }

    static func environmentKeys(_ session: PostgresSession) async throws -> [String] {
        try await session.values(String.self, "SELECT key FROM environment ORDER BY key COLLATE \"C\"")
    }

    static func environmentExists(_ session: PostgresSession, _ key: String) async throws -> Bool {
        try await session.value(Int.self, "SELECT 1::BIGINT FROM environment WHERE key = \(key)") != nil
    }

    static func requireEnvironment(_ session: PostgresSession, _ key: String, field: String? = nil) async throws {
        guard try await environmentExists(session, key) else {
            throw StoreRules.unknownEnvironment(key, known: try await environmentKeys(session), field: field)
        }
    }

    /// Bumps each environment's snapshot version and returns the new versions and the old ones;
    /// notifies the other replicas of each, delivered when the transaction commits.
    static func bump(
        _ session: PostgresSession, _ environments: some Sequence<String>
    ) async throws -> (versions: [String: Int64], previous: [String: Int64]) {
        var versions: [String: Int64] = [:]
        var previous: [String: Int64] = [:]
        for environment in Set(environments).sorted() {
            if let version = try await session.value(
                Int64.self, "UPDATE environment SET version = version + 1 WHERE key = \(environment) RETURNING version")
            {
                versions[environment] = version
                previous[environment] = version - 1
                try await session.execute("SELECT pg_notify(\(PostgresStore.changesChannel), \("\(environment):\(version)"))")
            }
        }
        return (versions, previous)
    }

    // MARK: Flags

    static func flag(_ session: PostgresSession, _ key: String) async throws -> FlagRecord? {
        try await session.row("SELECT * FROM flag WHERE key = \(key)").map(flagRecord)
    }

    static func requireFlag(_ session: PostgresSession, _ key: String) async throws -> FlagRecord {
        guard let record = try await flag(session, key) else {
            throw StoreRules.unknownFlag(key, known: try await session.values(String.self, "SELECT key FROM flag"))
        }
        return record
    }

    static func flagRecord(_ row: PostgresRandomAccessRow) throws -> FlagRecord {
        FlagRecord(
            flag: try FlagDefinitionCache.flag(key: try row.get("key"), definition: try row.get("definition")),
            revision: try row.get("revision"), createdAt: try row.get("created_at"),
            updatedAt: try row.get("updated_at"), updatedBy: try row.get("updated_by"))
    }

    static func allFlags(_ session: PostgresSession) async throws -> [FlagRecord] {
        try await session.rows("SELECT * FROM flag ORDER BY key COLLATE \"C\"").map(flagRecord)
    }

    static func cohortKeys(_ session: PostgresSession) async throws -> [String: Set<String>] {
        var keys: [String: Set<String>] = [:]
        for environment in try await environmentKeys(session) { keys[environment] = [] }
        for row in try await session.rows("SELECT environment, key FROM cohort") {
            keys[try row.get("environment"), default: []].insert(try row.get("key"))
        }
        return keys
    }

    /// The stored flags whose state names `key` as a prerequisite in some environment.
    static func dependents(_ session: PostgresSession, of key: String) async throws -> [Flag] {
        try await session.values(
            String.self,
            """
            SELECT definition FROM flag
            WHERE key IN (SELECT flag FROM flag_requires WHERE requires = \(key))
            ORDER BY key COLLATE "C"
            """
        ).map { Tables.normalized(try Tables.decode(Flag.self, $0)) }
    }

    /// ``StoreRules/prerequisiteIssues(_:dependents:overlay:lookup:)`` against the stored flags.
    /// Only when `flag` has or is a prerequisite are flags read: those the check can reach, what
    /// `flag` and the flags requiring it require, transitively (`flag_requires`), in one query.
    static func prerequisiteIssues(_ session: PostgresSession, _ flag: Flag, overlay: PrerequisiteOverlay = .none) async throws -> [ValidationIssue] {
        let dependents = try await dependents(session, of: flag.key)
        var start = Set(StoreRules.requiredKeys(flag))
        for dependent in dependents { start.formUnion(StoreRules.requiredKeys(dependent)) }
        var stored: [String: Flag] = [:]
        if overlay.hasPrerequisites {
            // Flags of the same change may require any stored flag.
            for record in try await allFlags(session) { stored[record.flag.key] = record.flag }
        } else if !start.isEmpty {
            let definitions = try await session.values(
                String.self,
                """
                WITH RECURSIVE reach(key) AS (
                    SELECT unnest(\(start.sorted()))
                    UNION SELECT r.requires FROM flag_requires r JOIN reach ON r.flag = reach.key)
                SELECT definition FROM flag WHERE key IN (SELECT key FROM reach)
                """)
            for text in definitions {
                let found = Tables.normalized(try Tables.decode(Flag.self, text))
                stored[found.key] = found
            }
        }
        return try StoreRules.prerequisiteIssues(flag, dependents: dependents, overlay: overlay) { stored[$0] }
    }

    static func validate(_ session: PostgresSession, _ flag: Flag, prefix: String = "") async throws {
        let environments = Set(try await environmentKeys(session))
        let cohorts = try await cohortKeys(session)
        // Read before the synchronous rule runs; the rule asks for it only when the rest is valid.
        let prerequisites = try await prerequisiteIssues(session, flag)
        try StoreRules.validate(flag, environments: environments, cohorts: cohorts, prefix: prefix) { prerequisites }
    }

    static func checkNotRequired(_ session: PostgresSession, _ key: String, action: String) async throws {
        try StoreRules.checkNotRequired(key, dependents: try await dependents(session, of: key), action: action)
    }

    /// Writes `new` over `old` as one change, planned by ``FlagChangePlan``: the row, a revision,
    /// an audit event, its `flag.changed` webhook event and the version bumps. Writing what is stored changes nothing.
    static func commitFlag(
        _ session: PostgresSession, key: String, old: FlagRecord?, new: Flag?, action: String, change: ChangeInfo,
        summaryPrefix: String? = nil
    ) async throws -> Change<FlagRecord?> {
        let plan = FlagChangePlan(old: old?.flag, new: new, environments: try await environmentKeys(session), summaryPrefix: summaryPrefix)
        if plan.isNoChange { return Change(value: old, versions: [:]) }
        let now = Date()
        let latest = try await session.value(
            Int64.self, "SELECT MAX(number) FROM revision WHERE entity = 'flag' AND environment = '' AND key = \(key)") ?? 0
        let number = latest + 1
        let content = try plan.new.map(Tables.json)
        if let content, let new = plan.new {
            if old == nil {
                try await session.execute(
                    """
                    INSERT INTO flag (key, definition, revision, archived, created_at, updated_at, updated_by)
                    VALUES (\(key), \(content), \(number), \(new.archived), \(now), \(now), \(change.actor))
                    """)
            } else {
                try await session.execute(
                    """
                    UPDATE flag SET definition = \(content), revision = \(number), archived = \(new.archived),
                                    updated_at = \(now), updated_by = \(change.actor)
                    WHERE key = \(key)
                    """)
            }
        } else {
            try await session.execute("DELETE FROM flag WHERE key = \(key)")
        }
        // Which flags require which, for ``dependents(_:of:)`` (SQLite's Tables.recordRequires).
        try await session.execute("DELETE FROM flag_requires WHERE flag = \(key)")
        for required in StoreRules.requiredKeys(plan.new) {
            try await session.execute("INSERT INTO flag_requires (requires, flag) VALUES (\(required), \(key))")
        }
        let changed = try Tables.json(plan.changedEnvironments)
        try await session.execute(
            """
            INSERT INTO revision (entity, key, environment, number, content, actor, message, action, summary,
                                  changed_environments, definition_changed, created_at)
            VALUES ('flag', \(key), '', \(number), \(content), \(change.actor), \(change.message), \(action), \(plan.summary),
                    \(changed), \(plan.definitionChanged), \(now))
            """)
        try await audit(
            session, at: now, change: change, action: action, entity: "flag", key: key, environment: plan.auditEnvironment, revision: number)
        try await recordEvent(session, type: .flagChanged, data: plan.changedEvent(key: key, revision: number, action: action, change: change), at: now)
        let (versions, previous) = try await bump(session, plan.affected)
        return Change(
            value: try await flag(session, key), versions: versions,
            touched: Touched(previousVersions: previous, flags: versions.mapValues { _ in [key] }))
    }

    // MARK: Revisions

    static func revision(_ row: PostgresRandomAccessRow) throws -> Revision {
        let content: String? = try row.get("content")
        return Revision(
            number: try row.get("number"), flagKey: try row.get("key"), createdAt: try row.get("created_at"),
            actor: try row.get("actor"), message: try row.get("message"), action: try row.get("action"),
            summary: try row.get("summary"),
            flag: try content.map { Tables.normalized(try Tables.decode(Flag.self, $0)) },
            environments: try Tables.decode([String].self, try row.get("changed_environments")),
            definitionChanged: try row.get("definition_changed"))
    }

    static func revision(_ session: PostgresSession, _ key: String, _ number: Int64) async throws -> Revision {
        guard let row = try await session.row(
            "SELECT * FROM revision WHERE entity = 'flag' AND environment = '' AND key = \(key) AND number = \(number)")
        else { throw StoreError.notFound("flag '\(key)' has no revision \(number)", field: "revision") }
        return try revision(row)
    }

    // MARK: Audit

    static func audit(
        _ session: PostgresSession, at: Date, change: ChangeInfo, action: String, entity: String, key: String,
        environment: String?, revision: Int64?
    ) async throws {
        try await session.execute(
            """
            INSERT INTO audit_event (at, actor, action, entity, key, environment, revision, message)
            VALUES (\(at), \(change.actor), \(action), \(entity), \(key), \(environment), \(revision), \(change.message))
            """)
    }

    // MARK: Usage

    static func usage(_ session: PostgresSession, flag: String?) async throws -> [String: [String: FlagUsage]] {
        let rows: [PostgresRandomAccessRow]
        if let flag {
            rows = try await session.rows("SELECT * FROM usage WHERE flag = \(flag)")
        } else {
            rows = try await session.rows("SELECT * FROM usage")
        }
        var out: [String: [String: FlagUsage]] = [:]
        for row in rows {
            let flag: String = try row.get("flag"), environment: String = try row.get("environment")
            let variant: String = try row.get("variant"), count: Int64 = try row.get("count")
            let last: Date = try row.get("last_evaluated")
            var entry = out[flag]?[environment] ?? FlagUsage(lastEvaluated: last, variants: [:])
            entry.variants[variant] = UsageArithmetic.add(entry.variants[variant] ?? 0, count)
            entry.lastEvaluated = max(entry.lastEvaluated, last)
            out[flag, default: [:]][environment] = entry
        }
        return out
    }
}
