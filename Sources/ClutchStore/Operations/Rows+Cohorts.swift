import ClutchCore
import Foundation

/// Cohort rows, written once for both databases.
///
/// A cohort's definition (description, attribute, clauses) is one row of `cohort`; its members
/// are rows of `cohort_member`, so that adding or removing a few members writes only those rows
/// and a revision naming only them, however large the cohort is. Members are sorted by their
/// UTF-8 bytes (``MemberOrder``): SQLite's `BINARY` collation, PostgreSQL's column collation "C".
extension Rows {
    // MARK: Reading

    /// The cohort's row, without its members.
    static func cohortRecord(_ row: SQLRow, members: [String] = []) throws -> CohortRecord {
        var cohort = try Tables.decode(Cohort.self, try row.get("definition"))
        cohort.members = members
        return CohortRecord(
            cohort: cohort, environment: try row.get("environment"), revision: try row.get("revision"),
            updatedAt: try row.get("updated_at"), updatedBy: try row.get("updated_by"))
    }

    /// The cohort with its members (sorted by UTF-8 bytes).
    static func cohort(_ session: any SQLSession, _ key: String, environment: String) async throws -> CohortRecord? {
        guard let row = try await session.row("SELECT * FROM cohort WHERE environment = \(environment) AND key = \(key)") else {
            return nil
        }
        let members = try await session.values(
            String.self,
            """
            SELECT member FROM cohort_member WHERE environment = \(environment) AND cohort = \(key)
            ORDER BY member\(raw: session.dialect.byteOrder)
            """)
        return try cohortRecord(row, members: members)
    }

    /// The cohort without reading its members: for writes that change only some of them.
    static func cohortDefinition(_ session: any SQLSession, _ key: String, environment: String) async throws -> CohortRecord? {
        try await session.row("SELECT * FROM cohort WHERE environment = \(environment) AND key = \(key)").map { try cohortRecord($0) }
    }

    /// The cohort with its members, or `notFound` (for the environment first).
    static func requireCohort(_ session: any SQLSession, _ key: String, _ environment: String) async throws -> CohortRecord {
        try await requireEnvironment(session, environment)
        guard let record = try await cohort(session, key, environment: environment) else {
            throw StoreError.notFound("cohort '\(key)' does not exist in environment '\(environment)'")
        }
        return record
    }

    /// The environment's cohorts with their members, sorted by key. The members of all of them
    /// are read as one list of values (no row per member: ``SQLSession/values(_:_:)``), cut
    /// where each cohort's count says, in the same transaction and the same order.
    static func cohorts(_ session: any SQLSession, environment: String) async throws -> [CohortRecord] {
        let order = session.dialect.byteOrder
        var counts: [(cohort: String, count: Int)] = []
        for row in try await session.rows(
            """
            SELECT cohort, COUNT(*) AS n FROM cohort_member WHERE environment = \(environment)
            GROUP BY cohort ORDER BY cohort\(raw: order)
            """)
        {
            counts.append((try row.get("cohort"), try row.get("n")))
        }
        let all = try await session.values(
            String.self,
            "SELECT member FROM cohort_member WHERE environment = \(environment) ORDER BY cohort\(raw: order), member\(raw: order)")
        var members: [String: [String]] = [:]
        var start = 0
        for (cohort, count) in counts {
            let end = min(start + count, all.count)
            members[cohort] = Array(all[start..<end])
            start = end
        }
        return try await session.rows(
            "SELECT * FROM cohort WHERE environment = \(environment) ORDER BY key\(raw: order)"
        ).map { row in try cohortRecord(row, members: members[try row.get("key", as: String.self)] ?? []) }
    }

    /// The number of members of a cohort (kept in its row by ``writeMembers(_:environment:cohort:_:)``).
    static func memberCount(_ session: any SQLSession, _ key: String, environment: String) async throws -> Int {
        try await session.value(Int.self, "SELECT member_count FROM cohort WHERE environment = \(environment) AND key = \(key)") ?? 0
    }

    // MARK: Writing

    /// Adds and removes member rows (sorted lists, without repeats), each way in one statement
    /// whatever their number, the members bound as one parameter (``SQLDialect/isElement(_:of:)``,
    /// ``SQLDialect/textElements(_:)``). Answers the change as it took effect (members already
    /// present are not added, absent ones not removed).
    static func writeMembers(_ session: any SQLSession, environment: String, cohort key: String, _ change: MemberChange) async throws -> MemberChange {
        var effective = MemberChange()
        if !change.removed.isEmpty {
            effective.removed = MemberOrder.sorted(try await session.values(
                String.self,
                """
                DELETE FROM cohort_member
                WHERE environment = \(environment) AND cohort = \(key) AND \(session.dialect.isElement("member", of: change.removed))
                RETURNING member
                """))
        }
        if !change.added.isEmpty {
            // `WHERE true`: SQLite's parser needs it between `INSERT … SELECT` and `ON CONFLICT`.
            effective.added = MemberOrder.sorted(try await session.values(
                String.self,
                """
                INSERT INTO cohort_member (environment, cohort, member)
                SELECT \(environment), \(key), value FROM (\(session.dialect.textElements(change.added))) AS added WHERE true
                ON CONFLICT DO NOTHING RETURNING member
                """))
        }
        if !effective.isEmpty {
            let delta = Int64(effective.added.count - effective.removed.count)
            try await session.execute(
                "UPDATE cohort SET member_count = member_count + \(delta) WHERE environment = \(environment) AND key = \(key)")
        }
        return effective
    }

    /// Writes a cohort change like ``commitFlag(_:key:old:new:action:change:summaryPrefix:now:)``;
    /// a cohort change bumps its own environment only. `new` replaces the definition and the
    /// member list (only the members that differ are written); `nil` deletes the cohort.
    static func commitCohort(
        _ session: any SQLSession, environment: String, key: String, old: CohortRecord?, new: Cohort?, action: String,
        change: ChangeInfo
    ) async throws -> Change<CohortRecord?> {
        let new = new.map(normalized)
        if old?.cohort == new { return Change(value: old, versions: [:]) }
        // A new cohort serves nobody yet, and a cohort in use cannot be deleted: only an update governs.
        if let old, let new, !MemberOrder.difference(from: old.cohort.members, to: new.members).isEmpty
            || old.cohort.clauses != new.clauses || old.cohort.attribute != new.attribute
        {
            try await checkCohortGovernance(session, environment: environment, cohort: key, change: change)
        }
        let now = session.now
        var definition = new
        definition?.members = []
        let members = MemberOrder.difference(from: old?.cohort.members ?? [], to: new?.members ?? [])
        if let definition {
            let text = try Tables.json(definition)
            if old == nil {
                try await session.execute(
                    """
                    INSERT INTO cohort (environment, key, definition, revision, updated_at, updated_by)
                    VALUES (\(environment), \(key), \(text), 0, \(now), \(change.actor))
                    """)
            } else {
                try await session.execute("UPDATE cohort SET definition = \(text) WHERE environment = \(environment) AND key = \(key)")
            }
            _ = try await writeMembers(session, environment: environment, cohort: key, members)
        } else {
            try await session.execute("DELETE FROM cohort_member WHERE environment = \(environment) AND cohort = \(key)")
            try await session.execute("DELETE FROM cohort WHERE environment = \(environment) AND key = \(key)")
        }
        let summary = cohortSummary(from: old?.cohort, to: new, members: members)
        _ = try await recordCohort(
            session, environment: environment, key: key, content: CohortRevisionContent(definition: definition, members: members),
            action: action, summary: summary, change: change, at: now)
        let (versions, previous) = try await bump(session, [environment], cohorts: [key])
        let record = try await cohort(session, key, environment: environment)
        var touched = Touched(previousVersions: previous, cohorts: [environment: [key]])
        if let version = versions[environment] {
            touched.written[environment] = SnapshotDelta(version: version, cohorts: [key: record?.cohort])
        }
        return Change(value: record, versions: versions, touched: touched)
    }

    /// The write of ``SQLStore/applyMembers(_:cohort:environment:change:)`` inside the caller's
    /// transaction (the scheduler claims a schedule and applies it in one transaction): the
    /// membership as it is after the change.
    static func applyMembers(
        _ session: any SQLSession, _ requested: MemberChange, cohort key: String, environment: String, change: ChangeInfo
    ) async throws -> Change<MembershipResult> {
        try await requireEnvironment(session, environment)
        guard let old = try await cohortDefinition(session, key, environment: environment) else {
            throw StoreError.notFound("cohort '\(key)' does not exist in environment '\(environment)'")
        }
        let written = try await commitMembers(session, old, change: requested, change: change)
        let record = try await cohortDefinition(session, key, environment: environment) ?? old
        let answer = MembershipResult(
            cohort: key, environment: environment, revision: record.revision,
            size: try await memberCount(session, key, environment: environment),
            added: written?.0.added ?? [], removed: written?.0.removed ?? [],
            updatedAt: record.updatedAt, updatedBy: record.updatedBy)
        return (written?.1 ?? Change(value: (), versions: [:])).with(answer)
    }

    /// Changes some members of an existing cohort: rows, revision, audit event, version bump.
    /// Answers `nil` (and writes nothing) when the change would change nothing.
    static func commitMembers(
        _ session: any SQLSession, _ old: CohortRecord, change members: MemberChange, change: ChangeInfo
    ) async throws -> (MemberChange, Change<Void>)? {
        let environment = old.environment, key = old.cohort.key
        let effective = try await writeMembers(session, environment: environment, cohort: key, members)
        if effective.isEmpty { return nil }
        // Refused here, the members just written roll back with the transaction.
        try await checkCohortGovernance(session, environment: environment, cohort: key, change: change)
        if old.cohort.clauses.isEmpty, try await memberCount(session, key, environment: environment) == 0 {
            throw StoreError.invalid(ValidationError(path: "remove", "a cohort needs members or clauses: this would remove the last member"))
        }
        let now = session.now
        _ = try await recordCohort(
            session, environment: environment, key: key, content: CohortRevisionContent(definition: nil, members: effective),
            action: "members", summary: "members +\(effective.added.count) -\(effective.removed.count)", change: change, at: now)
        let (versions, previous) = try await bump(session, [environment], cohorts: [key])
        var touched = Touched(previousVersions: previous, members: [environment: [key: effective]])
        // The members travel in `touched.members`; nothing else of the cohort changed.
        if let version = versions[environment] { touched.written[environment] = SnapshotDelta(version: version) }
        return (effective, Change(value: (), versions: versions, touched: touched))
    }

    /// Appends the cohort's next revision and its audit event, and stamps the cohort row with it.
    private static func recordCohort(
        _ session: any SQLSession, environment: String, key: String, content: CohortRevisionContent, action: String,
        summary: String, change: ChangeInfo, at now: Date
    ) async throws -> Int64 {
        // The row's revision too: a cohort written before revisions were kept has none in `revision`.
        let latest = max(
            try await session.value(
                Int64.self, "SELECT MAX(number) FROM revision WHERE entity = 'cohort' AND environment = \(environment) AND key = \(key)") ?? 0,
            try await session.value(Int64.self, "SELECT revision FROM cohort WHERE environment = \(environment) AND key = \(key)") ?? 0)
        let number = latest + 1
        try await session.execute(
            """
            UPDATE cohort SET revision = \(number), updated_at = \(now), updated_by = \(change.actor)
            WHERE environment = \(environment) AND key = \(key)
            """)
        try await session.execute(
            """
            INSERT INTO revision (entity, key, environment, number, content, actor, message, action, summary,
                                  changed_environments, definition_changed, created_at)
            VALUES ('cohort', \(key), \(environment), \(number), \(try Tables.json(content)), \(change.actor), \(change.message),
                    \(action), \(summary), \(try Tables.json([environment])), \(content.definition != nil), \(now))
            """)
        try await audit(session, at: now, change: change, action: action, entity: "cohort", key: key, environment: environment, revision: number)
        return number
    }

    // MARK: Rules

    /// A cohort as the store keeps it: members sorted by UTF-8 bytes, without repeats, so that
    /// a definition and the same one read back compare equal.
    static func normalized(_ cohort: Cohort) -> Cohort {
        var cohort = cohort
        if !MemberOrder.isSorted(cohort.members) { cohort.members = MemberOrder.sorted(cohort.members) }
        return cohort
    }

    /// What a cohort revision stores: the definition without members, and the members the
    /// change added and removed (never the whole member list of a large cohort).
    struct CohortRevisionContent: Encodable {
        var definition: Cohort?
        var members: MemberChange
    }

    /// A cohort revision's one-line summary.
    static func cohortSummary(from old: Cohort?, to new: Cohort?, members: MemberChange) -> String {
        switch (old, new) {
        case (nil, _): return "created"
        case (_, nil): return "deleted"
        case (let before?, let after?):
            var parts: [String] = []
            if !members.isEmpty { parts.append("members +\(members.added.count) -\(members.removed.count)") }
            if before.clauses != after.clauses { parts.append("clauses changed") }
            if before.attribute != after.attribute { parts.append("attribute \(before.attribute) → \(after.attribute)") }
            if before.description != after.description { parts.append("description changed") }
            return parts.joined(separator: "; ")
        }
    }

    /// Refuses an invalid cohort (`invalid`, paths after `prefix`).
    static func validate(_ cohort: Cohort, prefix: String = "") throws {
        do {
            try cohort.validate()
        } catch {
            throw StoreError.invalid(error, prefix: prefix)
        }
    }

    /// With `ifRevision`, refuses (conflict) a cohort that is at another revision.
    static func checkRevision(_ record: CohortRecord, _ ifRevision: Int64?) throws {
        if let ifRevision, ifRevision != record.revision {
            throw StoreError.conflict(
                "cohort '\(record.cohort.key)' is at revision \(record.revision), not \(ifRevision): reload it and apply your change again",
                field: "If-Match")
        }
    }

    /// The requested change with repeats dropped; a member both added and removed is refused.
    static func checkedMembers(add: [String], remove: [String]) throws -> MemberChange {
        let added = MemberOrder.sorted(add), removed = MemberOrder.sorted(remove)
        let both = MemberOrder.difference(from: added, to: removed)
        if both.added.count + both.removed.count < added.count + removed.count {
            let overlap = added.filter { member in removed.contains { MemberOrder.same($0, member) } }
            throw StoreError.invalid(ValidationError(
                path: "remove", "'\(overlap.first ?? "")' is both added and removed: name each member once"))
        }
        for (field, members) in [("add", added), ("remove", removed)] {
            if let empty = members.firstIndex(where: \.isEmpty) {
                throw StoreError.invalid(ValidationError(path: "\(field)[\(empty)]", "a member must not be empty"))
            }
        }
        return MemberChange(added: added, removed: removed)
    }

    /// Refuses deleting a cohort that the rules of flags (`users`) name in its environment.
    static func checkUnusedCohort(_ key: String, environment: String, users: [String]) throws {
        guard !users.isEmpty else { return }
        throw StoreError.conflict(
            "cohort '\(key)' is used by the rules of \(users.count == 1 ? "flag" : "flags") \(users.map { "'\($0)'" }.joined(separator: ", ")) in '\(environment)'")
    }
}
