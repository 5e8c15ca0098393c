import ClutchCore
import Foundation
import GRDB

extension FlagStore {
    /// Everything an environment's engine needs, read in one transaction: unarchived flags
    /// (with that environment's state only) and the environment's cohorts, sorted by key.
    public func snapshot(environment: String) async throws -> Snapshot {
        try await pool.read { db in
            guard let version = try Int64.fetchOne(db, sql: "SELECT version FROM environment WHERE key = ?", arguments: [environment]) else {
                throw StoreError.notFound("environment '\(environment)' does not exist")
            }
            let flags = try Tables.allFlags(db).compactMap { Tables.view($0.flag, in: environment) }
            let cohorts = try Tables.cohorts(db, environment: environment).map(\.cohort)
            return Snapshot(environment: environment, version: version, flags: flags, cohorts: cohorts)
        }
    }

    /// The current state of some flags and cohorts of `environment` (with its state only; `nil`
    /// for one that is deleted or archived), and the environment's version, read in one
    /// transaction: what a change touched, for updating an engine without reading the rest.
    /// `members` (membership changes the change itself carries) are passed through, except for
    /// cohorts read whole.
    public func delta(
        environment: String, flags: Set<String>, cohorts: Set<String>, members: [String: MemberChange] = [:]
    ) async throws -> SnapshotDelta {
        try await pool.read { db in
            guard let version = try Int64.fetchOne(db, sql: "SELECT version FROM environment WHERE key = ?", arguments: [environment]) else {
                throw StoreError.notFound("environment '\(environment)' does not exist")
            }
            var delta = SnapshotDelta(version: version, members: members.filter { !cohorts.contains($0.key) })
            for key in flags {
                delta.flags[key] = .some(try Tables.flag(db, key).flatMap { Tables.view($0.flag, in: environment) })
            }
            for key in cohorts {
                delta.cohorts[key] = .some(try Tables.cohort(db, key, environment: environment)?.cohort)
            }
            return delta
        }
    }

    /// Every flag (archived ones too) and cohort as one document; with `environment`, only that
    /// environment's states and cohorts.
    public func export(environment: String?) async throws -> ClutchDocument {
        try await pool.read { db in
            if let environment { try Tables.requireEnvironment(db, environment) }
            var flags = try Tables.allFlags(db).map(\.flag)
            var cohorts: [String: [Cohort]] = [:]
            for key in try Tables.environmentKeys(db) where environment == nil || environment == key {
                let list = try Tables.cohorts(db, environment: key).map(\.cohort)
                if !list.isEmpty { cohorts[key] = list }
            }
            if let environment {
                flags = flags.map { flag in
                    var flag = flag
                    flag.environments = [environment: flag.state(in: environment)]
                    return flag
                }
            }
            return ClutchDocument(flags: flags, cohorts: cohorts)
        }
    }
}
