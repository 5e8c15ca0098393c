import ClutchCore
import Foundation

// Transition: the cohort reads the console's queries need (``SQLStore/memberPage(cohort:environment:after:search:limit:)``,
// ``SQLStore/cohortSummaries(environment:)``). The cohorts family writes the same three
// functions, with the same signatures, in `Rows+Cohorts.swift`: once both are merged, this file
// goes.
extension Rows {
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
