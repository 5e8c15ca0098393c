import ClutchCore
import Foundation

/// How each kind of flag change forms the flag it writes from the flag stored: one definition
/// for every store, so SQLite and PostgreSQL write the same flag for the same request.
enum FlagEdits {
    /// A new flag as stored: normalized; environments it leaves out get the flag off. Validate
    /// `normalized` before filling in (the caller named only what it sent).
    static func created(_ normalized: Flag, environments: [String]) -> Flag {
        var new = normalized
        for environment in environments where new.environments[environment] == nil {
            new.environments[environment] = FlagState(enabled: false)
        }
        return new
    }

    /// A replaced definition: states of environments it leaves out stay as they are.
    static func updated(_ old: Flag, to flag: Flag) -> Flag {
        var new = Tables.normalized(flag)
        for (environment, state) in old.environments where new.environments[environment] == nil {
            new.environments[environment] = state
        }
        return new
    }

    /// The flag with `state` in `environment`.
    static func withState(_ old: Flag, environment: String, state: FlagState) -> Flag {
        var new = old
        new.environments[environment] = state
        return new
    }

    /// A validation failure of a state-only change, with paths relative to the state sent.
    static func relativeToState(_ error: StoreError, environment: String) -> StoreError {
        guard case .invalid(let validation) = error.kind else { return error }
        let prefix = "environments.\(environment)."
        let issues = validation.issues.map { issue in
            ValidationIssue(path: issue.path.hasPrefix(prefix) ? String(issue.path.dropFirst(prefix.count)) : issue.path, message: issue.message)
        }
        return StoreError.invalid(ValidationError(issues))
    }

    /// The flag switched on or off in `environment`.
    static func enabled(_ old: Flag, environment: String, enabled: Bool) -> Flag {
        var new = old
        var state = new.state(in: environment)
        state.enabled = enabled
        new.environments[environment] = state
        return new
    }

    /// The environments a kill names (all when `nil`), each known, or `notFound` naming the first unknown one.
    static func killTargets(_ environments: [String]?, known: [String]) throws -> [String] {
        let targets = environments ?? known
        for (i, environment) in targets.enumerated() where !known.contains(environment) {
            throw StoreError.notFound("environment '\(environment)' does not exist", field: "environments[\(i)]")
        }
        return targets
    }

    /// The flag switched off in `targets`.
    static func killed(_ old: Flag, in targets: [String]) -> Flag {
        var new = old
        for environment in targets where new.state(in: environment).enabled {
            new.environments[environment]?.enabled = false
        }
        return new
    }

    /// The flag of a deleted key as restored from the `content` of its last revision: states of
    /// environments that no longer exist dropped, environments created since off.
    static func restored(_ content: Flag, environments: [String]) -> Flag {
        var flag = Tables.normalized(content)
        flag.environments = flag.environments.filter { environments.contains($0.key) }
        return created(flag, environments: environments)
    }

    /// The revision a rollback restores: `number`, or the one before the latest.
    static func rollbackTarget(_ old: FlagRecord, to number: Int64?) throws -> Int64 {
        let target = number ?? (old.revision - 1)
        guard target >= 1 else {
            throw StoreError.notFound("flag '\(old.flag.key)' has no revision before \(old.revision) to restore", field: "revision")
        }
        return target
    }

    /// The flag a rollback to `revision` writes: the whole content, or only `environment`'s state,
    /// and the summary prefix that names what was restored.
    static func rolledBack(
        _ old: Flag, to revision: Revision, environment: String?, environments: [String]
    ) throws -> (flag: Flag, summaryPrefix: String) {
        guard let content = revision.flag else {
            throw StoreError.badRequest(
                "revision \(revision.number) of flag '\(old.key)' deleted it: there is nothing to restore", field: "revision")
        }
        var new: Flag
        if let environment {
            new = old
            new.environments[environment] = content.environments[environment] ?? FlagState(enabled: false)
        } else {
            new = created(content, environments: environments)
        }
        return (new, "restored revision \(revision.number)" + (environment.map { " (\($0))" } ?? ""))
    }

    /// The flag after `instructions` in `environment`, new rules given ids (invalid input: `invalid`).
    static func applying(_ instructions: [Instruction], to old: Flag, environment: String) throws -> Flag {
        let applied: Flag
        do {
            applied = try old.applying(instructions, environment: environment, newRuleID: RuleID.random)
        } catch {
            throw StoreError.invalid(error)
        }
        return applied.assigningRuleIDs(keeping: old)
    }
}
