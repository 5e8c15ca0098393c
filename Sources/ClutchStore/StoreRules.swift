import ClutchCore

/// Flags written in one change (an import), standing in for the stored ones, indexed once by the
/// flags they require: checking each of n imported flags then costs what that flag touches, not n
/// (a scan of the whole overlay per flag made a 20,000-flag import take a quarter of an hour).
struct PrerequisiteOverlay {
    private var flags: [String: Flag] = [:]
    /// For each flag key, the overlay's flags that require it in some environment, by key.
    private var requiredBy: [String: [Flag]] = [:]

    static let none = PrerequisiteOverlay()

    init(_ flags: [String: Flag] = [:]) {
        self.flags = flags
        for flag in flags.values.sorted(by: { $0.key < $1.key }) {
            let required = Set(flag.environments.values.flatMap { $0.prerequisites.map(\.flag) })
            for key in required { requiredBy[key, default: []].append(flag) }
        }
    }

    subscript(key: String) -> Flag? { flags[key] }

    /// The overlay's flags that require `key`.
    func requiring(_ key: String) -> [Flag] { requiredBy[key] ?? [] }

    /// Whether any flag of the overlay has a prerequisite.
    var hasPrerequisites: Bool { !requiredBy.isEmpty }
}

/// The store's rules that do not depend on the database: how a refusal reads, what a valid flag
/// is across flags, how each kind of flag change forms the new flag. SQLite (`Tables`,
/// `FlagStore`) and PostgreSQL (`PostgresTables`, `PostgresStore`) read and write rows their own
/// way and call these for every decision, so both accept and refuse the same changes alike.
enum StoreRules {
    // MARK: Refusals

    static func unknownEnvironment(_ key: String, known: [String], field: String? = nil) -> StoreError {
        let suggestion = Suggestions.phrase(Suggestions.closest(to: key, in: known))
        return StoreError.notFound(
            "environment '\(key)' does not exist\(suggestion) (environments: \(known.joined(separator: ", ")))", field: field)
    }

    static func unknownFlag(_ key: String, known: [String]) -> StoreError {
        StoreError.notFound("flag '\(key)' does not exist\(Suggestions.phrase(Suggestions.closest(to: key, in: known)))")
    }

    // MARK: Validation

    /// Refuses a flag whose states name unknown environments (not found) or that is invalid on
    /// its own or with the flags around it (`prerequisiteIssues`, asked only when the rest is valid).
    static func validate(
        _ flag: Flag, environments known: Set<String>, cohorts: [String: Set<String>], prefix: String = "",
        prerequisiteIssues: () throws -> [ValidationIssue]
    ) throws {
        for environment in flag.environments.keys.sorted() where !known.contains(environment) {
            let path = "environments.\(environment)"
            throw StoreError.notFound("environment '\(environment)' does not exist", field: prefix.isEmpty ? path : "\(prefix).\(path)")
        }
        do {
            try flag.validate(cohorts: cohorts)
        } catch {
            throw StoreError.invalid(error, prefix: prefix)
        }
        let issues = try prerequisiteIssues()
        if !issues.isEmpty { throw StoreError.invalid(ValidationError(issues), prefix: prefix) }
    }

    /// Every problem with `flag`'s prerequisites and with the stored flags that require it
    /// (`dependents`); `overlay` holds flags written in the same change and stands in for stored
    /// ones; `lookup` reads a stored flag. Flags are read as the cycle search reaches them, each once.
    static func prerequisiteIssues(
        _ flag: Flag, dependents stored: [Flag], overlay: PrerequisiteOverlay, lookup: (String) throws -> Flag?
    ) throws -> [ValidationIssue] {
        var dependents = stored.filter { overlay[$0.key] == nil }
        dependents += overlay.requiring(flag.key)
        let requires = flag.environments.values.contains { !$0.prerequisites.isEmpty }
        guard requires || !dependents.isEmpty else { return [] }
        var cache: [String: Flag?] = [flag.key: flag]
        var failure: (any Error)?
        let issues = flag.prerequisiteIssues(among: { key in
            if let known = cache[key] { return known }
            let found: Flag?
            if let written = overlay[key] {
                found = written
            } else {
                do {
                    found = try lookup(key)
                } catch {
                    failure = failure ?? error
                    found = nil
                }
            }
            cache[key] = found
            return found
        }, requiredBy: dependents)
        if let failure { throw failure }
        return issues
    }

    /// The flags `flag` requires in any environment, sorted, each once: the rows of `flag_requires`,
    /// the index by which a change finds the flags that require the one it changes.
    static func requiredKeys(_ flag: Flag?) -> [String] {
        guard let flag else { return [] }
        return Set(flag.environments.values.flatMap { $0.prerequisites.map(\.flag) }).sorted()
    }

    /// Refuses (conflict, even with `force`) to delete or archive flag `key` while flags that are
    /// not archived require it (`dependents`): they would serve their off variant to everyone.
    static func checkNotRequired(_ key: String, dependents: [Flag], action: String) throws {
        var places: [(flag: String, environments: [String])] = []
        for dependent in dependents where dependent.key != key && !dependent.archived {
            let environments = dependent.environments.filter { $0.value.prerequisites.contains { $0.flag == key } }.keys.sorted()
            places.append((dependent.key, environments))
        }
        guard !places.isEmpty else { return }
        let named = places.map { "'\($0.flag)' (\($0.environments.joined(separator: ", ")))" }.joined(separator: ", ")
        // One place: the exact command; several: its shape.
        let command = places.count == 1 && places[0].environments.count == 1
            ? "clutch prerequisites remove \(places[0].flag) --requires \(key) --env \(places[0].environments[0])"
            : "clutch prerequisites remove FLAG --requires \(key) --env ENV"
        throw StoreError.conflict(
            "flag '\(key)' is a prerequisite of \(named): it cannot be \(action) while they require it. "
                + "Remove it from their prerequisites first (\(command))")
    }
}
