import ClutchCore
import Foundation
import PostgresNIO

/// Snapshots, deltas, export and import, read and written as ``FlagStore`` does.
extension PostgresStore {
    public func snapshot(environment: String) async throws -> Snapshot {
        try await read { session in
            guard let version = try await session.value(Int64.self, "SELECT version FROM environment WHERE key = \(environment)") else {
                throw StoreError.notFound("environment '\(environment)' does not exist")
            }
            let flags = try await PostgresTables.allFlags(session).compactMap { FlagChangePlan.view($0.flag, in: environment) }
            let cohorts = try await PostgresTables.cohorts(session, environment: environment).map(\.cohort)
            return Snapshot(environment: environment, version: version, flags: flags, cohorts: cohorts)
        }
    }

    public func delta(
        environment: String, flags: Set<String>, cohorts: Set<String>, members: [String: MemberChange]
    ) async throws -> SnapshotDelta {
        try await read { session in
            guard let version = try await session.value(Int64.self, "SELECT version FROM environment WHERE key = \(environment)") else {
                throw StoreError.notFound("environment '\(environment)' does not exist")
            }
            var delta = SnapshotDelta(version: version, members: members.filter { !cohorts.contains($0.key) })
            for key in flags {
                delta.flags[key] = .some(try await PostgresTables.flag(session, key).flatMap { FlagChangePlan.view($0.flag, in: environment) })
            }
            for key in cohorts {
                delta.cohorts[key] = .some(try await PostgresTables.cohort(session, key, environment: environment)?.cohort)
            }
            return delta
        }
    }

    public func export(environment: String?) async throws -> ClutchDocument {
        try await read { session in
            if let environment { try await PostgresTables.requireEnvironment(session, environment) }
            var flags = try await PostgresTables.allFlags(session).map(\.flag)
            var cohorts: [String: [Cohort]] = [:]
            for key in try await PostgresTables.environmentKeys(session) where environment == nil || environment == key {
                let list = try await PostgresTables.cohorts(session, environment: key).map(\.cohort)
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

    public func importDocument(_ document: ClutchDocument, dryRun: Bool, change: ChangeInfo) async throws -> Change<ImportResult> {
        if dryRun {
            let plan = try await read { session in try await Self.importPlan(document, session) }
            return Change(value: plan.result, versions: [:])
        }
        let result = try await write { session -> Change<ImportResult> in
            let plan = try await Self.importPlan(document, session)
            var versions: [String: Int64] = [:]
            var touched = Touched()
            for item in plan.cohorts where item.old?.cohort != Tables.normalized(item.new) {
                let written = try await PostgresTables.commitCohort(
                    session, environment: item.environment, key: item.new.key, old: item.old, new: item.new, action: "import", change: change)
                versions.merge(written.versions) { max($0, $1) }
                touched.merge(written.touched)
            }
            for item in plan.flags where item.old?.flag != item.new {
                let written = try await PostgresTables.commitFlag(
                    session, key: item.new.key, old: item.old, new: item.new, action: "import", change: change)
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

    /// The shared ``ImportPlan``, from the rows the document names, read first.
    private static func importPlan(_ document: ClutchDocument, _ session: PostgresSession) async throws -> ImportPlan {
        var storedCohorts: [String: [String: CohortRecord]] = [:]
        for (environment, list) in document.cohorts {
            for cohort in list {
                storedCohorts[environment, default: [:]][cohort.key] = try await PostgresTables.cohort(session, cohort.key, environment: environment)
            }
        }
        var storedFlags: [String: FlagRecord] = [:]
        for record in try await PostgresTables.allFlags(session) { storedFlags[record.flag.key] = record }
        var dependents: [String: [Flag]] = [:]
        for flag in document.flags { dependents[flag.key] = try await PostgresTables.dependents(session, of: flag.key) }
        let stored = storedFlags.mapValues(\.flag)
        return try ImportPlan(
            document, environments: Set(try await PostgresTables.environmentKeys(session)),
            cohortKeys: try await PostgresTables.cohortKeys(session),
            storedCohort: { environment, key in storedCohorts[environment]?[key] ?? nil },
            storedFlag: { storedFlags[$0] },
            prerequisiteIssues: { flag, overlay in
                try StoreRules.prerequisiteIssues(flag, dependents: dependents[flag.key] ?? [], overlay: overlay) { stored[$0] }
            })
    }
}
