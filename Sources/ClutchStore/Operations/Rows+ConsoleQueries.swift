import ClutchCore
import Foundation

extension Rows {
    // MARK: Audit events

    static func auditEvent(_ row: SQLRow) throws -> AuditEvent {
        AuditEvent(
            id: try row.get("id"), at: try row.get("at"), actor: try row.get("actor"), action: try row.get("action"),
            entity: try row.get("entity"), key: try row.get("key"), environment: try row.get("environment"),
            revision: try row.get("revision"), message: try row.get("message"))
    }

    // MARK: Cohorts without their members

    /// A cohort's row as a record, with `members` (none: the console's reads never load them).
    static func cohortRecord(_ row: SQLRow, members: [String] = []) throws -> CohortRecord {
        var cohort = try Tables.decode(Cohort.self, try row.get("definition"))
        cohort.members = members
        return CohortRecord(
            cohort: cohort, environment: try row.get("environment"), revision: try row.get("revision"),
            updatedAt: try row.get("updated_at"), updatedBy: try row.get("updated_by"))
    }

    /// The cohort without reading its members.
    static func cohortDefinition(_ session: any SQLSession, _ key: String, environment: String) async throws -> CohortRecord? {
        try await session.row("SELECT * FROM cohort WHERE environment = \(environment) AND key = \(key)").map { try cohortRecord($0) }
    }

    /// The number of members of a cohort (kept in its row as members are written).
    static func memberCount(_ session: any SQLSession, _ key: String, environment: String) async throws -> Int {
        try await session.value(Int.self, "SELECT member_count FROM cohort WHERE environment = \(environment) AND key = \(key)") ?? 0
    }
}
