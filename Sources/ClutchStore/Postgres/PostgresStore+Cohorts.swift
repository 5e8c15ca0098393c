import ClutchCore
import Foundation
import PostgresNIO

/// Cohorts and their members, as ``FlagStore`` keeps them.
extension PostgresStore {
    public func cohorts(environment: String) async throws -> [CohortRecord] {
        try await read { session in
            try await PostgresTables.requireEnvironment(session, environment)
            return try await PostgresTables.cohorts(session, environment: environment)
        }
    }

    public func cohort(_ key: String, environment: String) async throws -> CohortRecord {
        try await read { session in try await PostgresTables.requireCohort(session, key, environment) }
    }

    public func createCohort(_ cohort: Cohort, environment: String, change: ChangeInfo) async throws -> Change<CohortRecord> {
        try Tables.validate(cohort)
        let result = try await write { session -> Change<CohortRecord?> in
            try await PostgresTables.requireEnvironment(session, environment)
            if try await PostgresTables.cohortDefinition(session, cohort.key, environment: environment) != nil {
                throw StoreError.conflict("cohort '\(cohort.key)' already exists in environment '\(environment)'", field: "key")
            }
            return try await PostgresTables.commitCohort(
                session, environment: environment, key: cohort.key, old: nil, new: cohort, action: "create", change: change)
        }
        return try written(result, cohort.key, environment, "create", change)
    }

    public func updateCohort(_ cohort: Cohort, environment: String, ifRevision: Int64?, change: ChangeInfo) async throws -> Change<CohortRecord> {
        try Tables.validate(cohort)
        let result = try await write { session -> Change<CohortRecord?> in
            let old = try await PostgresTables.requireCohort(session, cohort.key, environment)
            try FlagStore.checkRevision(old, ifRevision)
            return try await PostgresTables.commitCohort(
                session, environment: environment, key: cohort.key, old: old, new: cohort, action: "update", change: change)
        }
        return try written(result, cohort.key, environment, "update", change)
    }

    public func updateMembers(
        cohort key: String, environment: String, add: [String], remove: [String], change: ChangeInfo
    ) async throws -> Change<MembershipResult> {
        try await commitMembers(try FlagStore.checkedMembers(add: add, remove: remove), cohort: key, environment: environment, change: change)
    }

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
        let result = try await write { session -> Change<MembershipResult> in
            try await PostgresTables.applyMembers(session, requested, cohort: key, environment: environment, change: change)
        }
        if !result.versions.isEmpty {
            logger.info("cohort members changed", metadata: [
                "cohort": "\(key)", "environment": "\(environment)", "added": "\(result.value.added.count)",
                "removed": "\(result.value.removed.count)", "revision": "\(result.value.revision)", "actor": "\(change.actor)",
            ])
        }
        return result
    }

    public func deleteCohort(_ key: String, environment: String, change: ChangeInfo) async throws -> Change<Void> {
        let result = try await write { session -> Change<CohortRecord?> in
            let old = try await PostgresTables.requireCohort(session, key, environment)
            let users = try await PostgresTables.allFlags(session).filter { record in
                record.flag.environments[environment]?.rules.contains { rule in
                    rule.clauses.contains { $0.cohort == key }
                } ?? false
            }.map(\.flag.key)
            try FlagStore.checkUnusedCohort(key, environment: environment, users: users)
            return try await PostgresTables.commitCohort(
                session, environment: environment, key: key, old: old, new: nil, action: "delete", change: change)
        }
        logger.info("cohort deleted", metadata: ["cohort": "\(key)", "environment": "\(environment)", "actor": "\(change.actor)"])
        return result.with(())
    }

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
