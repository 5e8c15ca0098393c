import ClutchCore
import Foundation

/// What importing a document does, checked against the database: every problem is found before
/// anything is written. Pure: ``Rows/importPlan(_:_:)`` reads what it needs first, so that the
/// check of n flags costs n lookups, never n queries of every flag.
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

    /// The plan from what the database holds: its environments and cohort keys, each stored
    /// cohort (environment, key) and flag the document names, the members' emails by email key
    /// (whom an owner may name), and the prerequisite check of a flag with the document's flags
    /// standing in for stored ones.
    init(
        _ document: ClutchDocument, environments: Set<String>, cohortKeys: [String: Set<String>],
        storedCohort: (String, String) throws -> CohortRecord?, storedFlag: (String) throws -> FlagRecord?,
        members: [String: String],
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
            // Owners come from Clutch documents only (other tools' formats carry none).
            let owner = PeopleRules.owner(new.owner, old: old?.flag.owner) { members[$0] }
            new.owner = owner.owner
            if let problem = owner.problem { issues.append(ValidationIssue(path: "\(path).owner", message: problem)) }
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
            let fields = FlagDiff.changes(from: item.old?.cohort, to: Rows.normalized(item.new))
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
