import ClutchCore
import Foundation

/// Row-level reads and writes shared by the store's operations, written once for both
/// databases. Every function runs inside the caller's transaction (``SQLSession``); every
/// decision (what a change bumps, how it is summarised, whether it is valid) is made by the
/// shared ``FlagChangePlan``, ``StoreRules`` and ``FlagEdits``.
enum Rows {
    // MARK: Environments

    static func environments(_ session: any SQLSession) async throws -> [EnvironmentRecord] {
        try await session.rows("SELECT * FROM environment ORDER BY key\(raw: session.dialect.byteOrder)").map { row in
            EnvironmentRecord(
                key: try row.get("key"), createdAt: try row.get("created_at"), version: try row.get("version"),
                protection: try protection(row))
        }
    }

    /// Creates the default environments in a database that has none (its first start).
    static func createDefaultEnvironments(_ session: any SQLSession, now: Date? = nil) async throws {
        guard try await !session.exists("SELECT 1 FROM environment") else { return }
        let now = now ?? session.now
        for key in FlagStore.defaultEnvironments {
            try await session.execute("INSERT INTO environment (key, created_at, version) VALUES (\(key), \(now), 0)")
        }
    }

    /// The ids of the keys webhook secrets are sealed with, to check the key file against.
    static func sealingKeyIDs(_ session: any SQLSession) async throws -> Set<String> {
        Set(try await session.values(String.self, "SELECT DISTINCT secret_key FROM webhook WHERE secret_key IS NOT NULL"))
    }

    static func environmentKeys(_ session: any SQLSession) async throws -> [String] {
        try await session.values(String.self, "SELECT key FROM environment ORDER BY key\(raw: session.dialect.byteOrder)")
    }

    static func environmentExists(_ session: any SQLSession, _ key: String) async throws -> Bool {
        try await session.exists("SELECT 1 FROM environment WHERE key = \(key)")
    }

    static func requireEnvironment(_ session: any SQLSession, _ key: String, field: String? = nil) async throws {
        guard try await environmentExists(session, key) else {
            throw StoreRules.unknownEnvironment(key, known: try await environmentKeys(session), field: field)
        }
    }

    /// Bumps each environment's snapshot version and returns the new versions and the old ones;
    /// the other replicas are told each (`environment:version`) when the transaction commits,
    /// and first which `flags` and `cohorts` changed there (``StoreNotification/delta``), so
    /// that they read only those.
    static func bump(
        _ session: any SQLSession, _ environments: some Sequence<String>, flags: Set<String> = [], cohorts: Set<String> = []
    ) async throws -> (versions: [String: Int64], previous: [String: Int64]) {
        var versions: [String: Int64] = [:]
        var previous: [String: Int64] = [:]
        // Sorted: two writers bumping the same environments lock them in the same order.
        for environment in Set(environments).sorted() {
            if let version = try await session.value(
                Int64.self, "UPDATE environment SET version = version + 1 WHERE key = \(environment) RETURNING version")
            {
                versions[environment] = version
                previous[environment] = version - 1
                if let payload = StoreNotification.deltaPayload(environment: environment, version: version, flags: flags, cohorts: cohorts) {
                    try await session.notify(payload)
                }
                try await session.notify("\(environment):\(version)")
            }
        }
        return (versions, previous)
    }

    // MARK: Flags

    /// The flag `key` as stored, without usage: write paths never read usage, so no usage data
    /// (which SDK keys report) can stand in the way of a change.
    static func flag(_ session: any SQLSession, _ key: String) async throws -> FlagRecord? {
        try await session.row("SELECT * FROM flag WHERE key = \(key)").map(flagRecord)
    }

    static func requireFlag(_ session: any SQLSession, _ key: String) async throws -> FlagRecord {
        guard let record = try await flag(session, key) else {
            throw StoreRules.unknownFlag(key, known: try await session.values(String.self, "SELECT key FROM flag"))
        }
        return record
    }

    static func flagRecord(_ row: SQLRow) throws -> FlagRecord {
        FlagRecord(
            flag: try FlagDefinitionCache.flag(key: try row.get("key"), definition: try row.get("definition")),
            revision: try row.get("revision"), createdAt: try row.get("created_at"),
            updatedAt: try row.get("updated_at"), updatedBy: try row.get("updated_by"))
    }

    static func allFlags(_ session: any SQLSession) async throws -> [FlagRecord] {
        try await session.rows("SELECT * FROM flag ORDER BY key\(raw: session.dialect.byteOrder)").map(flagRecord)
    }

    /// Cohort keys by environment, as flag validation wants them.
    static func cohortKeys(_ session: any SQLSession) async throws -> [String: Set<String>] {
        var keys: [String: Set<String>] = [:]
        for environment in try await environmentKeys(session) { keys[environment] = [] }
        for row in try await session.rows("SELECT environment, key FROM cohort") {
            keys[try row.get("environment"), default: []].insert(try row.get("key"))
        }
        return keys
    }

    // MARK: Validation and prerequisites

    /// Refuses a flag whose states name unknown environments (not found) or that is invalid, on
    /// its own or with the flags it requires or that require it (``prerequisiteIssues(_:_:overlay:)``).
    /// `prefix` is the flag's place in a document, for error paths.
    static func validate(_ session: any SQLSession, _ flag: Flag, prefix: String = "", cohorts: [String: Set<String>]? = nil) async throws {
        let environments = Set(try await environmentKeys(session))
        let cohorts = if let cohorts { cohorts } else { try await cohortKeys(session) }
        // Read before the synchronous rule runs; the rule asks for it only when the rest is valid.
        let prerequisites = try await prerequisiteIssues(session, flag)
        try StoreRules.validate(flag, environments: environments, cohorts: cohorts, prefix: prefix) { prerequisites }
    }

    /// The stored flags whose state names `key` as a prerequisite in some environment, by key.
    static func dependents(_ session: any SQLSession, of key: String) async throws -> [Flag] {
        try await session.values(
            String.self,
            """
            SELECT definition FROM flag
            WHERE key IN (SELECT flag FROM flag_requires WHERE requires = \(key))
            ORDER BY key\(raw: session.dialect.byteOrder)
            """
        ).map { Tables.normalized(try Tables.decode(Flag.self, $0)) }
    }

    /// Keeps `flag_requires` in step with flag `key`'s new definition (`nil`: the flag is gone).
    static func recordRequires(_ session: any SQLSession, key: String, _ flag: Flag?) async throws {
        try await session.execute("DELETE FROM flag_requires WHERE flag = \(key)")
        for required in StoreRules.requiredKeys(flag) {
            try await session.execute("INSERT INTO flag_requires (requires, flag) VALUES (\(required), \(key))")
        }
    }

    /// Every problem with `flag`'s prerequisites and with the flags that require it, against the
    /// stored flags; `overlay` holds flags written in the same change (an import), by key, and
    /// stands in for the stored ones. Paths are relative to `flag`. The one check of prerequisites
    /// across flags that every write of a flag goes through.
    ///
    /// Most flags neither have nor are prerequisites: then nothing is read but one query. Else
    /// the flags the check can reach are read in one query: what `flag` and the flags requiring
    /// it require, transitively (`flag_requires`).
    static func prerequisiteIssues(_ session: any SQLSession, _ flag: Flag, overlay: PrerequisiteOverlay = .none) async throws -> [ValidationIssue] {
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
                    SELECT key FROM flag WHERE key IN (\(list: start.sorted()))
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

    /// Refuses (conflict, even with `force`) to delete or archive flag `key` while flags that are
    /// not archived require it: they would serve their off variant to everyone from then on.
    static func checkNotRequired(_ session: any SQLSession, _ key: String, action: String) async throws {
        try StoreRules.checkNotRequired(key, dependents: try await dependents(session, of: key), action: action)
    }

    // MARK: Writing a flag

    /// Writes `new` over `old` (`nil` = absent) as one change, planned by ``FlagChangePlan``: the
    /// current row, an immutable revision, an audit event, its `flag.changed` webhook event and
    /// the snapshot versions of the environments whose view changed. Writing what is already
    /// stored changes nothing and returns no versions.
    static func commitFlag(
        _ session: any SQLSession, key: String, old: FlagRecord?, new: Flag?, action: String, change: ChangeInfo,
        summaryPrefix: String? = nil, now: Date? = nil
    ) async throws -> Change<FlagRecord?> {
        let now = now ?? session.now
        let plan = FlagChangePlan(old: old?.flag, new: new, environments: try await environmentKeys(session), summaryPrefix: summaryPrefix)
        if plan.isNoChange { return Change(value: old, versions: [:]) }
        try await checkGovernance(session, key: key, plan: plan, change: change)
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
            try await liftBlocks(session, ofDeletedFlag: key, change: change, now: now)
        }
        try await recordRequires(session, key: key, plan.new)
        if plan.new != nil { try await recordStateChanges(session, key: key, plan.changedEnvironments, at: now) }
        try await session.execute(
            """
            INSERT INTO revision (entity, key, environment, number, content, actor, message, action, summary,
                                  changed_environments, definition_changed, created_at)
            VALUES ('flag', \(key), '', \(number), \(content), \(change.actor), \(change.message), \(action), \(plan.summary),
                    \(try Tables.json(plan.changedEnvironments)), \(plan.definitionChanged), \(now))
            """)
        try await audit(
            session, at: now, change: change, action: action, entity: "flag", key: key, environment: plan.auditEnvironment, revision: number)
        try await recordEvent(session, type: .flagChanged, data: plan.changedEvent(key: key, revision: number, action: action, change: change), at: now)
        let (versions, previous) = try await bump(session, plan.affected, flags: [key])
        let record = try await flag(session, key)
        var touched = Touched(previousVersions: previous, flags: versions.mapValues { _ in [key] })
        for (environment, version) in versions {
            touched.written[environment] = SnapshotDelta(version: version, flags: [key: FlagChangePlan.view(record?.flag, in: environment)])
        }
        return Change(value: record, versions: versions, touched: touched)
    }

    // MARK: Revisions

    static func revision(_ row: SQLRow) throws -> Revision {
        let content: String? = try row.get("content")
        return Revision(
            number: try row.get("number"), flagKey: try row.get("key"), createdAt: try row.get("created_at"),
            actor: try row.get("actor"), message: try row.get("message"), action: try row.get("action"),
            summary: try row.get("summary"),
            flag: try content.map { Tables.normalized(try Tables.decode(Flag.self, $0)) },
            environments: try Tables.decode([String].self, try row.get("changed_environments")),
            definitionChanged: try row.get("definition_changed"))
    }

    static func revision(_ session: any SQLSession, _ key: String, _ number: Int64) async throws -> Revision {
        guard let row = try await session.row(
            "SELECT * FROM revision WHERE entity = 'flag' AND environment = '' AND key = \(key) AND number = \(number)")
        else { throw StoreError.notFound("flag '\(key)' has no revision \(number)", field: "revision") }
        return try revision(row)
    }

    // MARK: Audit

    static func audit(
        _ session: any SQLSession, at: Date, change: ChangeInfo, action: String, entity: String, key: String,
        environment: String?, revision: Int64?
    ) async throws {
        try await session.execute(
            """
            INSERT INTO audit_event (at, actor, action, entity, key, environment, revision, message)
            VALUES (\(at), \(change.actor), \(action), \(entity), \(key), \(environment), \(revision), \(change.message))
            """)
    }

    // MARK: Usage

    /// Usage by flag and environment (of the flags named, or of all). Usage is statistics reported with
    /// public SDK keys: a row that does not decode is read as well as it can be (a count stored
    /// as REAL saturates), never an error.
    static func usage(_ session: any SQLSession, flags: [String]?) async throws -> [String: [String: FlagUsage]] {
        let rows = try await session.rows("SELECT * FROM usage \(onlyFlags(flags, session.dialect))")
        var out: [String: [String: FlagUsage]] = [:]
        for row in rows {
            guard let flag = try? row.get("flag", as: String.self), let environment = try? row.get("environment", as: String.self),
                  let variant = try? row.get("variant", as: String.self)
            else { continue }
            let count = row.lenientCount("count")
            let last = (try? row.get("last_evaluated", as: Date?.self)) ?? .distantPast
            var entry = out[flag]?[environment] ?? FlagUsage(lastEvaluated: last, variants: [:])
            entry.variants[variant] = UsageArithmetic.add(entry.variants[variant] ?? 0, count)
            entry.lastEvaluated = max(entry.lastEvaluated, last)
            out[flag, default: [:]][environment] = entry
        }
        return out
    }

    // MARK: Webhook outbox

    /// Queues an event of `type` with `data` (any Encodable, written as JSON with sorted keys)
    /// for every webhook subscribed to `type`, in the caller's transaction: the event and one
    /// delivery per subscribed webhook commit with the change or not at all, so a crash or
    /// restart between the change and the sending loses nothing; the dispatchers are woken once
    /// it commits. Returns the event's id, or `nil` when no webhook wants this type (nothing is
    /// written).
    ///
    /// This is the one function to call for every event: `flag.changed` from ``commitFlag``,
    /// `schedule.failed` from the scheduler, `release.step` and `release.rolled_back` from the
    /// release guard, each in the same transaction as the change it reports.
    @discardableResult
    static func recordEvent(_ session: any SQLSession, type: WebhookEventType, data: some Encodable, at now: Date? = nil) async throws -> String? {
        let now = now ?? session.now
        let webhooks = try await session.rows("SELECT id, events FROM webhook ORDER BY id").map { row in
            (id: try row.get("id", as: String.self), events: try row.get("events", as: String.self))
        }
        let subscribers = try WebhookOutbox.subscribers(webhooks, to: type)
        guard !subscribers.isEmpty else { return nil }
        let (id, body) = try WebhookOutbox.event(type: type, data: data, at: now)
        try await session.execute("INSERT INTO webhook_event (id, type, body, created_at) VALUES (\(id), \(type.rawValue), \(body), \(now))")
        for webhook in subscribers {
            try await session.execute(
                """
                INSERT INTO webhook_delivery (webhook, event, status, attempts, next_attempt_at, created_at)
                VALUES (\(webhook), \(id), 'pending', 0, \(now), \(now))
                """)
        }
        try await session.queue(.deliveries)
        return id
    }
}
