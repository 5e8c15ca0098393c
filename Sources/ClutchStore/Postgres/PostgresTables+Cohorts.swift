import ClutchCore
import Foundation
import PostgresNIO

/// Transition: the cohort rows that the PostgreSQL code of other families (schedules, console
/// queries) still calls until it is written once; cohorts are written once in `Rows+Cohorts.swift`.
extension PostgresTables {
    static func cohortRecord(_ row: PostgresRandomAccessRow, members: [String] = []) throws -> CohortRecord {
        var cohort = try Tables.decode(Cohort.self, try row.get("definition"))
        cohort.members = members
        return CohortRecord(
            cohort: cohort, environment: try row.get("environment"), revision: try row.get("revision"),
            updatedAt: try row.get("updated_at"), updatedBy: try row.get("updated_by"))
    }

    static func cohortDefinition(_ session: PostgresSession, _ key: String, environment: String) async throws -> CohortRecord? {
        try await session.row("SELECT * FROM cohort WHERE environment = \(environment) AND key = \(key)").map { try cohortRecord($0) }
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

    /// The write of ``SQLStore/applyMembers(_:cohort:environment:change:)`` inside the
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
            session, environment: environment, key: key, content: Rows.CohortRevisionContent(definition: nil, members: effective),
            action: "members", summary: "members +\(effective.added.count) -\(effective.removed.count)", change: change, at: now)
        let (versions, previous) = try await bump(session, [environment])
        return (effective, Change(value: (), versions: versions,
                                  touched: Touched(previousVersions: previous, members: [environment: [key: effective]])))
    }

    /// Appends the cohort's next revision and its audit event, and stamps the cohort row with it.
    private static func record(
        _ session: PostgresSession, environment: String, key: String, content: Rows.CohortRevisionContent, action: String,
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
