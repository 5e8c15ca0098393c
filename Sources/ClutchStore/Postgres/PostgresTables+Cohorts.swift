import ClutchCore
import Foundation
import PostgresNIO

/// Cohort rows in PostgreSQL, laid out as in SQLite: the definition in `cohort`, members in
/// `cohort_member` (sorted by bytes: the column's collation is "C"), so a membership change
/// writes only the members it names.
extension PostgresTables {
    static func cohortRecord(_ row: PostgresRandomAccessRow, members: [String] = []) throws -> CohortRecord {
        var cohort = try Tables.decode(Cohort.self, try row.get("definition"))
        cohort.members = members
        return CohortRecord(
            cohort: cohort, environment: try row.get("environment"), revision: try row.get("revision"),
            updatedAt: try row.get("updated_at"), updatedBy: try row.get("updated_by"))
    }

    static func cohort(_ session: PostgresSession, _ key: String, environment: String) async throws -> CohortRecord? {
        guard let row = try await session.row("SELECT * FROM cohort WHERE environment = \(environment) AND key = \(key)") else {
            return nil
        }
        let members = try await session.values(
            String.self, "SELECT member FROM cohort_member WHERE environment = \(environment) AND cohort = \(key) ORDER BY member")
        return try cohortRecord(row, members: members)
    }

    static func cohortDefinition(_ session: PostgresSession, _ key: String, environment: String) async throws -> CohortRecord? {
        try await session.row("SELECT * FROM cohort WHERE environment = \(environment) AND key = \(key)").map { try cohortRecord($0) }
    }

    static func requireCohort(_ session: PostgresSession, _ key: String, _ environment: String) async throws -> CohortRecord {
        try await requireEnvironment(session, environment)
        guard let record = try await cohort(session, key, environment: environment) else {
            throw StoreError.notFound("cohort '\(key)' does not exist in environment '\(environment)'")
        }
        return record
    }

    static func cohorts(_ session: PostgresSession, environment: String) async throws -> [CohortRecord] {
        var members: [String: [String]] = [:]
        for row in try await session.rows(
            "SELECT cohort, member FROM cohort_member WHERE environment = \(environment) ORDER BY cohort, member")
        {
            members[try row.get("cohort"), default: []].append(try row.get("member"))
        }
        return try await session.rows("SELECT * FROM cohort WHERE environment = \(environment) ORDER BY key COLLATE \"C\"").map { row in
            try cohortRecord(row, members: members[try row.get("key", as: String.self)] ?? [])
        }
    }

    static func memberCount(_ session: PostgresSession, _ key: String, environment: String) async throws -> Int {
        try await session.value(Int.self, "SELECT member_count FROM cohort WHERE environment = \(environment) AND key = \(key)") ?? 0
    }

    /// Adds and removes member rows (a statement each way, whatever their number); answers the
    /// change as it took effect.
    static func writeMembers(_ session: PostgresSession, environment: String, cohort key: String, _ change: MemberChange) async throws -> MemberChange {
        var effective = MemberChange()
        if !change.removed.isEmpty {
            effective.removed = MemberOrder.sorted(try await session.values(
                String.self,
                """
                DELETE FROM cohort_member WHERE environment = \(environment) AND cohort = \(key) AND member = ANY(\(change.removed))
                RETURNING member
                """))
        }
        if !change.added.isEmpty {
            effective.added = MemberOrder.sorted(try await session.values(
                String.self,
                """
                INSERT INTO cohort_member (environment, cohort, member)
                SELECT \(environment), \(key), member FROM unnest(\(change.added)::TEXT[]) AS member
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

    /// Writes a cohort change as ``Tables/commitCohort(_:environment:key:old:new:action:change:)`` does.
    static func commitCohort(
        _ session: PostgresSession, environment: String, key: String, old: CohortRecord?, new: Cohort?, action: String, change: ChangeInfo
    ) async throws -> Change<CohortRecord?> {
        let new = new.map(Tables.normalized)
        if old?.cohort == new { return Change(value: old, versions: [:]) }
        let now = Date()
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
        let summary = Tables.cohortSummary(from: old?.cohort, to: new, members: members)
        _ = try await record(
            session, environment: environment, key: key,
            content: Tables.CohortRevisionContent(definition: definition, members: members), action: action, summary: summary,
            change: change, at: now)
        let (versions, previous) = try await bump(session, [environment])
        return Change(
            value: try await cohort(session, key, environment: environment), versions: versions,
            touched: Touched(previousVersions: previous, cohorts: [environment: [key]]))
    }

    /// The write of ``PostgresStore/applyMembers(_:cohort:environment:change:)`` inside the
    /// caller's transaction (the scheduler claims a schedule and applies it in one transaction).
    static func applyMembers(
        _ session: PostgresSession, _ requested: MemberChange, cohort key: String, environment: String, change: ChangeInfo
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

    /// Changes some members of an existing cohort; `nil` when it would change nothing.
    static func commitMembers(
        _ session: PostgresSession, _ old: CohortRecord, change members: MemberChange, change: ChangeInfo
    ) async throws -> (MemberChange, Change<Void>)? {
        let environment = old.environment, key = old.cohort.key
        let effective = try await writeMembers(session, environment: environment, cohort: key, members)
        if effective.isEmpty { return nil }
        if old.cohort.clauses.isEmpty, try await memberCount(session, key, environment: environment) == 0 {
            throw StoreError.invalid(ValidationError(path: "remove", "a cohort needs members or clauses: this would remove the last member"))
        }
        let now = Date()
        _ = try await record(
            session, environment: environment, key: key, content: Tables.CohortRevisionContent(definition: nil, members: effective),
            action: "members", summary: "members +\(effective.added.count) -\(effective.removed.count)", change: change, at: now)
        let (versions, previous) = try await bump(session, [environment])
        return (effective, Change(value: (), versions: versions,
                                  touched: Touched(previousVersions: previous, members: [environment: [key: effective]])))
    }

    /// Appends the cohort's next revision and its audit event, and stamps the cohort row with it.
    private static func record(
        _ session: PostgresSession, environment: String, key: String, content: Tables.CohortRevisionContent, action: String,
        summary: String, change: ChangeInfo, at now: Date
    ) async throws -> Int64 {
        let latest = try await session.value(
            Int64.self,
            """
            SELECT GREATEST(
                COALESCE((SELECT MAX(number) FROM revision WHERE entity = 'cohort' AND environment = \(environment) AND key = \(key)), 0),
                COALESCE((SELECT revision FROM cohort WHERE environment = \(environment) AND key = \(key)), 0))
            """) ?? 0
        let number = latest + 1
        try await session.execute(
            """
            UPDATE cohort SET revision = \(number), updated_at = \(now), updated_by = \(change.actor)
            WHERE environment = \(environment) AND key = \(key)
            """)
        let text = try Tables.json(content)
        let environments = try Tables.json([environment])
        try await session.execute(
            """
            INSERT INTO revision (entity, key, environment, number, content, actor, message, action, summary,
                                  changed_environments, definition_changed, created_at)
            VALUES ('cohort', \(key), \(environment), \(number), \(text), \(change.actor), \(change.message), \(action), \(summary),
                    \(environments), \(content.definition != nil), \(now))
            """)
        try await audit(session, at: now, change: change, action: action, entity: "cohort", key: key, environment: environment, revision: number)
        return number
    }
}
