import ClutchCore
import Foundation

/// Snapshots and deltas for the engines; export and import of documents.
extension SQLStore {
    // MARK: Snapshots

    /// Everything an environment's engine needs, read in one transaction: unarchived flags
    /// (with that environment's state only) and the environment's cohorts, sorted by key.
    public func snapshot(environment: String) async throws -> Snapshot {
        try await read { session in
            guard let version = try await session.value(Int64.self, "SELECT version FROM environment WHERE key = \(environment)") else {
                throw StoreError.notFound("environment '\(environment)' does not exist")
            }
            let flags = try await Rows.allFlags(session).compactMap { FlagChangePlan.view($0.flag, in: environment) }
            let cohorts = try await Rows.cohorts(session, environment: environment).map(\.cohort)
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
        try await read { session in
            guard let version = try await session.value(Int64.self, "SELECT version FROM environment WHERE key = \(environment)") else {
                throw StoreError.notFound("environment '\(environment)' does not exist")
            }
            var delta = SnapshotDelta(version: version, members: members.filter { !cohorts.contains($0.key) })
            for key in flags {
                delta.flags[key] = .some(try await Rows.flag(session, key).flatMap { FlagChangePlan.view($0.flag, in: environment) })
            }
            for key in cohorts {
                delta.cohorts[key] = .some(try await Rows.cohort(session, key, environment: environment)?.cohort)
            }
            return delta
        }
    }

    // MARK: Documents

    /// Every flag (archived ones too) and cohort as one document; with `environment`, only that
    /// environment's states and cohorts.
    public func export(environment: String?) async throws -> ClutchDocument {
        try await read { session in
            if let environment { try await Rows.requireEnvironment(session, environment) }
            var flags = try await Rows.allFlags(session).map(\.flag)
            var cohorts: [String: [Cohort]] = [:]
            for key in try await Rows.environmentKeys(session) where environment == nil || environment == key {
                let list = try await Rows.cohorts(session, environment: key).map(\.cohort)
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

    /// Imports a document: each flag and cohort in it is created or replaced; the rest is left
    /// alone. A flag's states for environments the document leaves out are kept. All or nothing,
    /// in one transaction; every problem is reported with its path in the document. With
    /// `dryRun`, the same result is computed and nothing is written.
    public func importDocument(_ document: ClutchDocument, dryRun: Bool, change: ChangeInfo) async throws -> Change<ImportResult> {
        if dryRun {
            let plan = try await read { session in try await Rows.importPlan(session, document) }
            return Change(value: plan.result, versions: [:])
        }
        let result = try await write { session -> Change<ImportResult> in
            let plan = try await Rows.importPlan(session, document)
            var versions: [String: Int64] = [:]
            var touched = Touched()
            for item in plan.cohorts where item.old?.cohort != Rows.normalized(item.new) {
                let written = try await Rows.commitCohort(
                    session, environment: item.environment, key: item.new.key, old: item.old, new: item.new, action: "import", change: change)
                versions.merge(written.versions) { max($0, $1) }
                touched.merge(written.touched)
            }
            for item in plan.flags where item.old?.flag != item.new {
                let written = try await Rows.commitFlag(session, key: item.new.key, old: item.old, new: item.new, action: "import", change: change)
                versions.merge(written.versions) { max($0, $1) }
                touched.merge(written.touched)
            }
            return Change(value: plan.result, versions: versions, touched: touched)
        }
        logger.info("document imported", metadata: [
            "changed": "\(result.value.changes.filter { $0.action != "unchanged" }.count)", "actor": "\(change.actor)",
        ])
        return result
    }
}
