import ClutchCore
import Foundation

/// Cohorts and their members.
extension SQLStore {
    /// The cohorts of `environment`, sorted by key.
    public func cohorts(environment: String) async throws -> [CohortRecord] {
        try await read { session in
            try await Rows.requireEnvironment(session, environment)
            return try await Rows.cohorts(session, environment: environment)
        }
    }

    /// The cohort `key` of `environment`, or `notFound`.
    public func cohort(_ key: String, environment: String) async throws -> CohortRecord {
        try await read { session in try await Rows.requireCohort(session, key, environment) }
    }

    /// Creates a cohort in `environment`.
    public func createCohort(_ cohort: Cohort, environment: String, change: ChangeInfo) async throws -> Change<CohortRecord> {
        try Rows.validate(cohort)
        let result = try await write { session -> Change<CohortRecord?> in
            try await Rows.requireEnvironment(session, environment)
            if try await Rows.cohortDefinition(session, cohort.key, environment: environment) != nil {
                throw StoreError.conflict("cohort '\(cohort.key)' already exists in environment '\(environment)'", field: "key")
            }
            return try await Rows.commitCohort(
                session, environment: environment, key: cohort.key, old: nil, new: cohort, action: "create", change: change)
        }
        return try written(result, cohort.key, environment, "create", change)
    }

    /// Replaces a cohort's definition.
    public func updateCohort(_ cohort: Cohort, environment: String, ifRevision: Int64?, change: ChangeInfo) async throws -> Change<CohortRecord> {
        try Rows.validate(cohort)
        let result = try await write { session -> Change<CohortRecord?> in
            let old = try await Rows.requireCohort(session, cohort.key, environment)
            try Rows.checkRevision(old, ifRevision)
            return try await Rows.commitCohort(
                session, environment: environment, key: cohort.key, old: old, new: cohort, action: "update", change: change)
        }
        return try written(result, cohort.key, environment, "update", change)
    }

    /// Adds and removes explicit members (additions already present and removals absent are
    /// ignored). Writes only those members and a revision naming them: the cost follows the
    /// members named, not the size of the cohort. Refused when it would leave a cohort without
    /// clauses and without members; a change that changes nothing writes nothing.
    public func updateMembers(
        cohort key: String, environment: String, add: [String], remove: [String], change: ChangeInfo
    ) async throws -> Change<MembershipResult> {
        try await commitMembers(try Rows.checkedMembers(add: add, remove: remove), cohort: key, environment: environment, change: change)
    }

    /// Applies member instructions (`addMembers`, `removeMembers`) in order, as one change: for
    /// each member its last instruction decides. Otherwise as ``updateMembers(cohort:environment:add:remove:change:)``.
    public func applyMembers(
        _ instructions: [MemberInstruction], cohort key: String, environment: String, change: ChangeInfo
    ) async throws -> Change<MembershipResult> {
        let requested: MemberChange
        do {
            requested = try MemberInstruction.netChange(instructions)
        } catch {
            throw StoreError.invalid(error)
        }
        return try await commitMembers(requested, cohort: key, environment: environment, change: change)
    }

    private func commitMembers(
        _ requested: MemberChange, cohort key: String, environment: String, change: ChangeInfo
    ) async throws -> Change<MembershipResult> {
        let result = try await write { session in
            try await Rows.applyMembers(session, requested, cohort: key, environment: environment, change: change)
        }
        if !result.versions.isEmpty {
            logger.info("cohort members changed", metadata: [
                "cohort": "\(key)", "environment": "\(environment)", "added": "\(result.value.added.count)",
                "removed": "\(result.value.removed.count)", "revision": "\(result.value.revision)", "actor": "\(change.actor)",
            ])
        }
        return result
    }

    /// Deletes a cohort; refused (`conflict`, naming the flags) while a flag's rule in that environment names it.
    public func deleteCohort(_ key: String, environment: String, change: ChangeInfo) async throws -> Change<Void> {
        let result = try await write { session -> Change<CohortRecord?> in
            let old = try await Rows.requireCohort(session, key, environment)
            let users = try await Rows.allFlags(session).filter { record in
                record.flag.environments[environment]?.rules.contains { rule in
                    rule.clauses.contains { $0.cohort == key }
                } ?? false
            }.map(\.flag.key)
            try Rows.checkUnusedCohort(key, environment: environment, users: users)
            return try await Rows.commitCohort(session, environment: environment, key: key, old: old, new: nil, action: "delete", change: change)
        }
        logger.info("cohort deleted", metadata: ["cohort": "\(key)", "environment": "\(environment)", "actor": "\(change.actor)"])
        return result.with(())
    }

    /// Unwraps a committed cohort change and logs it.
    func written(_ result: Change<CohortRecord?>, _ key: String, _ environment: String, _ action: String, _ change: ChangeInfo) throws -> Change<CohortRecord> {
        guard let record = result.value else {
            throw StoreError.notFound("cohort '\(key)' does not exist in environment '\(environment)'")
        }
        if !result.versions.isEmpty {
            logger.info("cohort changed", metadata: [
                "cohort": "\(key)", "environment": "\(environment)", "action": "\(action)",
                "revision": "\(record.revision)", "actor": "\(change.actor)",
            ])
        }
        return result.with(record)
    }
}
