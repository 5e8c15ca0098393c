import ClutchCore
import Foundation

/// What imports read, written once for both databases.
extension Rows {
    /// The ``ImportPlan`` of `document` against the stored rows, read first and in a number of
    /// queries that does not grow with the document's flags: every flag, the `flag_requires`
    /// index, and the cohorts the document names. Each flag's prerequisite check then looks up
    /// what it reaches in memory, with the document's flags standing in for stored ones
    /// (``PrerequisiteOverlay``), so an import stays linear in its flags.
    static func importPlan(_ session: any SQLSession, _ document: ClutchDocument) async throws -> ImportPlan {
        var storedCohorts: [String: [String: CohortRecord]] = [:]
        for (environment, list) in document.cohorts {
            for item in list {
                storedCohorts[environment, default: [:]][item.key] = try await cohort(session, item.key, environment: environment)
            }
        }
        var storedFlags: [String: FlagRecord] = [:]
        for record in try await allFlags(session) { storedFlags[record.flag.key] = record }
        let stored = storedFlags.mapValues(\.flag)
        // The flags requiring each flag, as ``dependents(_:of:)`` reads them one flag at a time.
        var requiredBy: [String: Set<String>] = [:]
        for row in try await session.rows("SELECT requires, flag FROM flag_requires") {
            requiredBy[try row.get("requires", as: String.self), default: []].insert(try row.get("flag", as: String.self))
        }
        return try ImportPlan(
            document, environments: Set(try await environmentKeys(session)), cohortKeys: try await cohortKeys(session),
            storedCohort: { environment, key in storedCohorts[environment]?[key] },
            storedFlag: { storedFlags[$0] }, members: try await memberEmails(session),
            prerequisiteIssues: { flag, overlay in
                let dependents = (requiredBy[flag.key] ?? [])
                    .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
                    .compactMap { stored[$0] }
                return try StoreRules.prerequisiteIssues(flag, dependents: dependents, overlay: overlay) { stored[$0] }
            })
    }
}
