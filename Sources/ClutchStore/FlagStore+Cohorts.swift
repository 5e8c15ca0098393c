import ClutchCore
import Foundation
import GRDB

extension FlagStore {
    /// The cohorts of `environment`, sorted by key.
    public func cohorts(environment: String) async throws -> [CohortRecord] {
        try await pool.read { db in
            try Tables.requireEnvironment(db, environment)
            return try Tables.cohorts(db, environment: environment)
        }
    }

    /// The cohort `key` of `environment`, or `notFound`.
    public func cohort(_ key: String, environment: String) async throws -> CohortRecord {
        try await pool.read { db in try FlagStore.requireCohort(db, key, environment) }
    }

    static func requireCohort(_ db: Database, _ key: String, _ environment: String) throws -> CohortRecord {
        try Tables.requireEnvironment(db, environment)
        guard let record = try Tables.cohort(db, key, environment: environment) else {
            throw StoreError.notFound("cohort '\(key)' does not exist in environment '\(environment)'")
        }
        return record
    }

    static func checkRevision(_ record: CohortRecord, _ ifRevision: Int64?) throws {
        if let ifRevision, ifRevision != record.revision {
            throw StoreError.conflict(
                "cohort '\(record.cohort.key)' is at revision \(record.revision), not \(ifRevision): reload it and apply your change again",
                field: "If-Match")
        }
    }

    /// Creates a cohort in `environment`.
    public func createCohort(_ cohort: Cohort, environment: String, change: ChangeInfo) async throws -> Change<CohortRecord> {
        try Tables.validate(cohort)
        let result = try await pool.write { db -> Change<CohortRecord?> in
            try Tables.requireEnvironment(db, environment)
            if try Tables.cohort(db, cohort.key, environment: environment) != nil {
                throw StoreError.conflict("cohort '\(cohort.key)' already exists in environment '\(environment)'", field: "key")
            }
            return try Tables.commitCohort(db, environment: environment, key: cohort.key, old: nil, new: cohort, action: "create", change: change)
        }
        return try written(result, cohort.key, environment, "create", change)
    }

    /// Replaces a cohort's definition.
    public func updateCohort(_ cohort: Cohort, environment: String, ifRevision: Int64?, change: ChangeInfo) async throws -> Change<CohortRecord> {
        try Tables.validate(cohort)
        let result = try await pool.write { db -> Change<CohortRecord?> in
            let old = try FlagStore.requireCohort(db, cohort.key, environment)
            try FlagStore.checkRevision(old, ifRevision)
            return try Tables.commitCohort(db, environment: environment, key: cohort.key, old: old, new: cohort, action: "update", change: change)
        }
        return try written(result, cohort.key, environment, "update", change)
    }

    /// Adds and removes explicit members (additions already present and removals absent are ignored).
    public func updateMembers(
        cohort key: String, environment: String, add: [String], remove: [String], change: ChangeInfo
    ) async throws -> Change<CohortRecord> {
        let result = try await pool.write { db -> Change<CohortRecord?> in
            let old = try FlagStore.requireCohort(db, key, environment)
            var new = old.cohort
            let removed = Set(remove)
            new.members.removeAll { removed.contains($0) }
            var present = Set(new.members)
            for member in add where present.insert(member).inserted { new.members.append(member) }
            try Tables.validate(new)
            return try Tables.commitCohort(db, environment: environment, key: key, old: old, new: new, action: "members", change: change)
        }
        return try written(result, key, environment, "members", change)
    }

    /// Deletes a cohort; refused (`conflict`, naming the flags) while a flag's rule in that environment names it.
    public func deleteCohort(_ key: String, environment: String, change: ChangeInfo) async throws -> Change<Void> {
        let result = try await pool.write { db -> Change<CohortRecord?> in
            let old = try FlagStore.requireCohort(db, key, environment)
            let users = try Tables.allFlags(db).filter { record in
                record.flag.environments[environment]?.rules.contains { rule in
                    rule.clauses.contains { $0.cohort == key }
                } ?? false
            }.map(\.flag.key)
            if !users.isEmpty {
                throw StoreError.conflict(
                    "cohort '\(key)' is used by the rules of \(users.count == 1 ? "flag" : "flags") \(users.map { "'\($0)'" }.joined(separator: ", ")) in '\(environment)'")
            }
            return try Tables.commitCohort(db, environment: environment, key: key, old: old, new: nil, action: "delete", change: change)
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
