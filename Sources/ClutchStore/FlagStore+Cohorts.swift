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

    /// Adds and removes explicit members (additions already present and removals absent are
    /// ignored). Writes only those members and a revision naming them: the cost follows the
    /// members named, not the size of the cohort. Refused when it would leave a cohort without
    /// clauses and without members; a change that changes nothing writes nothing.
    public func updateMembers(
        cohort key: String, environment: String, add: [String], remove: [String], change: ChangeInfo
    ) async throws -> Change<MembershipResult> {
        try await commitMembers(try Self.checkedMembers(add: add, remove: remove), cohort: key, environment: environment, change: change)
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
        let result = try await pool.write { db in
            try Self.commitMembers(db, requested, cohort: key, environment: environment, change: change)
        }
        if !result.versions.isEmpty {
            logger.info("cohort members changed", metadata: [
                "cohort": "\(key)", "environment": "\(environment)", "added": "\(result.value.added.count)",
                "removed": "\(result.value.removed.count)", "revision": "\(result.value.revision)", "actor": "\(change.actor)",
            ])
        }
        return result
    }

    /// The write of ``applyMembers(_:cohort:environment:change:)`` inside the caller's
    /// transaction (the scheduler claims a schedule and applies it in one transaction).
    static func commitMembers(
        _ db: Database, _ requested: MemberChange, cohort key: String, environment: String, change: ChangeInfo
    ) throws -> Change<MembershipResult> {
        try Tables.requireEnvironment(db, environment)
        guard let old = try Tables.cohortDefinition(db, key, environment: environment) else {
            throw StoreError.notFound("cohort '\(key)' does not exist in environment '\(environment)'")
        }
        let written = try Tables.commitMembers(db, old, change: requested, change: change)
        let record = try Tables.cohortDefinition(db, key, environment: environment) ?? old
        let answer = MembershipResult(
            cohort: key, environment: environment, revision: record.revision,
            size: try Tables.memberCount(db, key, environment: environment),
            added: written?.0.added ?? [], removed: written?.0.removed ?? [],
            updatedAt: record.updatedAt, updatedBy: record.updatedBy)
        return (written?.1 ?? Change(value: (), versions: [:])).with(answer)
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

    /// Deletes a cohort; refused (`conflict`, naming the flags) while a flag's rule in that environment names it.
    public func deleteCohort(_ key: String, environment: String, change: ChangeInfo) async throws -> Change<Void> {
        let result = try await pool.write { db -> Change<CohortRecord?> in
            let old = try FlagStore.requireCohort(db, key, environment)
            let users = try Tables.allFlags(db).filter { record in
                record.flag.environments[environment]?.rules.contains { rule in
                    rule.clauses.contains { $0.cohort == key }
                } ?? false
            }.map(\.flag.key)
            try FlagStore.checkUnusedCohort(key, environment: environment, users: users)
            return try Tables.commitCohort(db, environment: environment, key: key, old: old, new: nil, action: "delete", change: change)
        }
        logger.info("cohort deleted", metadata: ["cohort": "\(key)", "environment": "\(environment)", "actor": "\(change.actor)"])
        return result.with(())
    }

    /// Refuses deleting a cohort that the rules of flags (`users`) name in its environment.
    static func checkUnusedCohort(_ key: String, environment: String, users: [String]) throws {
        guard !users.isEmpty else { return }
        throw StoreError.conflict(
            "cohort '\(key)' is used by the rules of \(users.count == 1 ? "flag" : "flags") \(users.map { "'\($0)'" }.joined(separator: ", ")) in '\(environment)'")
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
