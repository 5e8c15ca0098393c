import ClutchCore
import Foundation
import GRDB

extension FlagStore {
    /// Imports a document: each flag and cohort in it is created or replaced; the rest is left
    /// alone. A flag's states for environments the document leaves out are kept. All or nothing,
    /// in one transaction; every problem is reported with its path in the document. With
    /// `dryRun`, the same result is computed and nothing is written.
    public func importDocument(_ document: ClutchDocument, dryRun: Bool, change: ChangeInfo) async throws -> Change<ImportResult> {
        if dryRun {
            let plan = try await pool.read { db in try ImportPlan(document, db) }
            return Change(value: plan.result, versions: [:])
        }
        let result = try await pool.write { db -> Change<ImportResult> in
            let plan = try ImportPlan(document, db)
            var versions: [String: Int64] = [:]
            var touched = Touched()
            for item in plan.cohorts where item.old?.cohort != Tables.normalized(item.new) {
                let written = try Tables.commitCohort(
                    db, environment: item.environment, key: item.new.key, old: item.old, new: item.new, action: "import", change: change)
                versions.merge(written.versions) { max($0, $1) }
                touched.merge(written.touched)
            }
            for item in plan.flags where item.old?.flag != item.new {
                let written = try Tables.commitFlag(db, key: item.new.key, old: item.old, new: item.new, action: "import", change: change)
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

/// What importing a document does, checked against the database: every problem is found before anything is written.
struct ImportPlan {
    struct CohortItem {
        var environment: String
        var old: CohortRecord?
        var new: Cohort
    }

    struct FlagItem {
        var old: FlagRecord?
        var new: Flag
    }

    var cohorts: [CohortItem] = []
    var flags: [FlagItem] = []

    init(_ document: ClutchDocument, _ db: Database) throws {
        try self.init(
            document, environments: Set(try Tables.environmentKeys(db)), cohortKeys: try Tables.cohortKeys(db),
            storedCohort: { try Tables.cohort(db, $1, environment: $0) }, storedFlag: { try Tables.flag(db, $0) },
            prerequisiteIssues: { try Tables.prerequisiteIssues(db, $0, overlay: $1) })
    }

    /// The plan from what the database holds: its environments and cohort keys, each stored
    /// cohort (environment, key) and flag the document names, and the prerequisite check of a
    /// flag with the document's flags standing in for stored ones.
    init(
        _ document: ClutchDocument, environments: Set<String>, cohortKeys: [String: Set<String>],
        storedCohort: (String, String) throws -> CohortRecord?, storedFlag: (String) throws -> FlagRecord?,
        prerequisiteIssues: (Flag, PrerequisiteOverlay) throws -> [ValidationIssue]
    ) throws {
        var issues: [ValidationIssue] = []
        var cohortKeys = cohortKeys
        for (environment, list) in document.cohorts.sorted(by: { $0.key < $1.key }) {
            guard environments.contains(environment) else {
                throw StoreError.notFound("environment '\(environment)' does not exist", field: "cohorts.\(environment)")
            }
            var seen = Set<String>()
            for (i, cohort) in list.enumerated() {
                let path = "cohorts.\(environment)[\(i)]"
                if !seen.insert(cohort.key).inserted {
                    issues.append(ValidationIssue(path: "\(path).key", message: "duplicate cohort '\(cohort.key)'"))
                }
                issues += cohort.validationIssues().map { ValidationIssue(path: "\(path).\($0.path)", message: $0.message) }
                cohortKeys[environment, default: []].insert(cohort.key)
                cohorts.append(CohortItem(environment: environment, old: try storedCohort(environment, cohort.key), new: cohort))
            }
        }
        // The document's flags as they will be written, for prerequisites among them.
        var written: [String: Flag] = [:]
        var seen = Set<String>()
        for (i, flag) in document.flags.enumerated() {
            let path = "flags[\(i)]"
            if !seen.insert(flag.key).inserted {
                issues.append(ValidationIssue(path: "\(path).key", message: "duplicate flag '\(flag.key)'"))
            }
            for environment in flag.environments.keys.sorted() where !environments.contains(environment) {
                throw StoreError.notFound("environment '\(environment)' does not exist", field: "\(path).environments.\(environment)")
            }
            let old = try storedFlag(flag.key)
            var new = Tables.normalized(flag)
            for environment in environments.sorted() where new.environments[environment] == nil {
                new.environments[environment] = old?.flag.environments[environment] ?? FlagState(enabled: false)
            }
            // Rules written back without ids (an edited export) keep the ids they have.
            new = new.assigningRuleIDs(keeping: old?.flag)
            issues += new.validationIssues(cohorts: cohortKeys).map { ValidationIssue(path: "\(path).\($0.path)", message: $0.message) }
            flags.append(FlagItem(old: old, new: new))
            if written[new.key] == nil { written[new.key] = new }
        }
        if issues.isEmpty {
            let overlay = PrerequisiteOverlay(written)
            for (i, item) in flags.enumerated() {
                issues += try prerequisiteIssues(item.new, overlay)
                    .map { ValidationIssue(path: "flags[\(i)].\($0.path)", message: $0.message) }
            }
        }
        if !issues.isEmpty { throw StoreError.invalid(ValidationError(issues)) }
    }

    var result: ImportResult {
        var changes: [ImportChange] = []
        for item in cohorts {
            let fields = FlagDiff.changes(from: item.old?.cohort, to: Tables.normalized(item.new))
            changes.append(ImportChange(
                kind: "cohort", key: item.new.key, environment: item.environment,
                action: item.old == nil ? "create" : (fields.isEmpty ? "unchanged" : "update"), fields: fields))
        }
        for item in flags {
            let fields = FlagDiff.changes(from: item.old?.flag, to: item.new)
            changes.append(ImportChange(
                kind: "flag", key: item.new.key, environment: nil,
                action: item.old == nil ? "create" : (fields.isEmpty ? "unchanged" : "update"), fields: fields))
        }
        return ImportResult(changes: changes)
    }
}
