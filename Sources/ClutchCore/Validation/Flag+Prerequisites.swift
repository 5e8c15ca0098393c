extension Flag {
    /// Problems with prerequisites that only the other flags reveal, with paths relative to this
    /// flag: a prerequisite naming a flag that does not exist or is archived, or a variant that
    /// flag lacks, or leading back to this flag (a cycle, per environment); and, for the flags
    /// that require this one, a variant they need that this flag no longer has, or this flag
    /// archived while they need it. What needs no other flag (keys, duplicates, a flag requiring
    /// itself) is checked by ``validationIssues(cohorts:)``.
    ///
    /// - Parameters:
    ///   - flags: the other flags by key, as they will be once this one is written.
    ///   - dependents: the flags that name this one as a prerequisite in some environment.
    public func prerequisiteIssues(among flags: (String) -> Flag?, requiredBy dependents: [Flag]) -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        for (environment, state) in environments.sorted(by: { $0.key < $1.key }) {
            for (i, prerequisite) in state.prerequisites.enumerated() where prerequisite.flag != key {
                let path = "environments.\(environment).prerequisites[\(i)]"
                guard let required = flags(prerequisite.flag) else {
                    issues.append(ValidationIssue(path: "\(path).flag", message: "flag '\(prerequisite.flag)' does not exist"))
                    continue
                }
                if required.archived {
                    issues.append(ValidationIssue(
                        path: "\(path).flag", message: "flag '\(prerequisite.flag)' is archived: SDKs no longer get it, so it could never hold"))
                } else if required.variant(prerequisite.variant) == nil {
                    let known = required.variants.map(\.key).joined(separator: ", ")
                    issues.append(ValidationIssue(
                        path: "\(path).variant",
                        message: "flag '\(prerequisite.flag)' has no variant '\(prerequisite.variant)' (its variants: \(known))"))
                }
                if let chain = Self.chain(from: prerequisite.flag, to: key, environment: environment, flags: flags) {
                    issues.append(ValidationIssue(
                        path: "\(path).flag", message: "cycle \(([key] + chain).joined(separator: " → "))"))
                } else {
                    // Evaluation follows at most `maxPrerequisiteDepth` links: refuse a chain it would give up on.
                    var memo: [String: Int] = [:]
                    let depth = 1 + Self.depth(of: prerequisite.flag, environment: environment, flags: flags, memo: &memo)
                    if depth > Engine.maxPrerequisiteDepth {
                        issues.append(ValidationIssue(
                            path: "\(path).flag",
                            message: "prerequisites chain \(depth) flags deep from here; at most \(Engine.maxPrerequisiteDepth) are evaluated"))
                    }
                }
            }
        }
        for dependent in dependents.sorted(by: { $0.key < $1.key }) where dependent.key != key && !dependent.archived {
            for (environment, state) in dependent.environments.sorted(by: { $0.key < $1.key }) {
                for (i, prerequisite) in state.prerequisites.enumerated() where prerequisite.flag == key {
                    let place = "'\(dependent.key)' in \(environment) (environments.\(environment).prerequisites[\(i)])"
                    if archived {
                        issues.append(ValidationIssue(path: "archived", message: "flag \(place) requires this flag: it cannot be archived"))
                    } else if variant(prerequisite.variant) == nil {
                        issues.append(ValidationIssue(
                            path: "variants", message: "flag \(place) requires this flag's variant '\(prerequisite.variant)'"))
                    }
                }
            }
        }
        return issues
    }

    /// How many prerequisite links the longest chain below `key` has in `environment` (0 for a
    /// flag without prerequisites). Called on graphs without cycles through `key`; `memo` also
    /// stops at any other cycle (a flag on the current path counts as 0).
    static func depth(of key: String, environment: String, flags: (String) -> Flag?, memo: inout [String: Int]) -> Int {
        if let known = memo[key] { return known }
        memo[key] = 0
        var deepest = 0
        for prerequisite in flags(key)?.state(in: environment).prerequisites ?? [] {
            deepest = max(deepest, 1 + depth(of: prerequisite.flag, environment: environment, flags: flags, memo: &memo))
            if deepest > Engine.maxPrerequisiteDepth { break }
        }
        memo[key] = deepest
        return deepest
    }

    /// The keys from `start` to `target` following prerequisites in `environment` (`[start, …,
    /// target]`), if `target` can be reached. Each flag is visited once, so existing cycles that do
    /// not pass through `target` cannot make it loop.
    static func chain(from start: String, to target: String, environment: String, flags: (String) -> Flag?) -> [String]? {
        var cameFrom: [String: String] = [:]
        var visited: Set<String> = [start]
        var pending = [start]
        while let key = pending.popLast() {
            if key == target {
                var path = [key]
                while let previous = cameFrom[path[path.count - 1]] { path.append(previous) }
                return path.reversed()
            }
            guard let flag = flags(key) else { continue }
            for prerequisite in flag.state(in: environment).prerequisites where visited.insert(prerequisite.flag).inserted {
                cameFrom[prerequisite.flag] = key
                pending.append(prerequisite.flag)
            }
        }
        return nil
    }
}
