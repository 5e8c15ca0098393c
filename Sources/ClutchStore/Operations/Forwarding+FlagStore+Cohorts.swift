import ClutchCore
import Foundation

/// Transition: the cohort, document and snapshot operations written once in ``SQLStore``.
extension FlagStore {
    public func cohorts(environment: String) async throws -> [CohortRecord] { try await sql.cohorts(environment: environment) }
    public func cohort(_ key: String, environment: String) async throws -> CohortRecord { try await sql.cohort(key, environment: environment) }
    public func createCohort(_ cohort: Cohort, environment: String, change: ChangeInfo) async throws -> Change<CohortRecord> {
        try await sql.createCohort(cohort, environment: environment, change: change)
    }
    public func updateCohort(_ cohort: Cohort, environment: String, ifRevision: Int64?, change: ChangeInfo) async throws -> Change<CohortRecord> {
        try await sql.updateCohort(cohort, environment: environment, ifRevision: ifRevision, change: change)
    }
    public func updateMembers(
        cohort key: String, environment: String, add: [String], remove: [String], change: ChangeInfo
    ) async throws -> Change<MembershipResult> {
        try await sql.updateMembers(cohort: key, environment: environment, add: add, remove: remove, change: change)
    }
    public func applyMembers(
        _ instructions: [MemberInstruction], cohort key: String, environment: String, change: ChangeInfo
    ) async throws -> Change<MembershipResult> {
        try await sql.applyMembers(instructions, cohort: key, environment: environment, change: change)
    }
    public func deleteCohort(_ key: String, environment: String, change: ChangeInfo) async throws -> Change<Void> {
        try await sql.deleteCohort(key, environment: environment, change: change)
    }
    public func snapshot(environment: String) async throws -> Snapshot { try await sql.snapshot(environment: environment) }
    public func delta(
        environment: String, flags: Set<String>, cohorts: Set<String>, members: [String: MemberChange] = [:]
    ) async throws -> SnapshotDelta {
        try await sql.delta(environment: environment, flags: flags, cohorts: cohorts, members: members)
    }
    public func export(environment: String?) async throws -> ClutchDocument { try await sql.export(environment: environment) }
    public func importDocument(_ document: ClutchDocument, dryRun: Bool, change: ChangeInfo) async throws -> Change<ImportResult> {
        try await sql.importDocument(document, dryRun: dryRun, change: change)
    }
}
