/// Prerequisites in the engine: each compiled flag's prerequisites are resolved to positions in
/// the engine's flag table when the table is built, so checking one costs one evaluation of the
/// flag required and no lookup by key.
extension Engine {
    /// How deeply prerequisites may nest before evaluation gives up with an error. The store
    /// refuses cycles, but a snapshot can be written by hand (a file, a cache): a cycle there must
    /// end in an error, not a hang.
    public static let maxPrerequisiteDepth = 16
    /// How many prerequisite evaluations one evaluation may make: with the depth limit, this
    /// bounds a hand-made snapshot whose flags each require several others.
    public static let maxPrerequisiteEvaluations = 1_000

    /// `table` with the prerequisite positions of the flags `keys` looked up in it. Only entries
    /// are replaced, so positions in `table` stay valid in the result.
    static func resolvingPrerequisites(_ table: ChunkedTable<Entry>, of keys: Set<String>) -> ChunkedTable<Entry> {
        guard !keys.isEmpty else { return table }
        var changes: [(String, Entry?)] = []
        for key in keys {
            guard let entry = table[key], !entry.flag.prerequisites.isEmpty else { continue }
            let positions = entry.flag.prerequisites.map { table.index(of: $0.key) ?? -1 }
            changes.append((key, Entry(entry.flag, prerequisitePositions: positions)))
        }
        return table.updating(changes)
    }

    /// Evaluates `entry`, whose flag has prerequisites: the first that does not hold decides
    /// (off variant, `PREREQUISITE_FAILED`); when all hold, the flag's own targeting does.
    func evaluateWithPrerequisites(_ entry: Entry, _ context: EvaluationContext) -> EvaluationResult {
        var budget = Self.maxPrerequisiteEvaluations
        if let result = evaluate(entry, context, depth: 0, budget: &budget) { return result }
        let key = entry.flag.key
        return .failure(
            key, .parseError,
            "flag '\(key)' cannot be evaluated: its prerequisites nest deeper than \(Self.maxPrerequisiteDepth) flags "
                + "or need more than \(Self.maxPrerequisiteEvaluations) evaluations (do they form a cycle?)",
            flagType: entry.flag.type)
    }

    /// `nil` when the prerequisites nest too deeply or cost too many evaluations: the failure
    /// is the whole evaluation's, not one prerequisite's, so it goes up to the flag asked for.
    private func evaluate(_ entry: Entry, _ context: EvaluationContext, depth: Int, budget: inout Int) -> EvaluationResult? {
        if let fixed = entry.fixed { return fixed }
        if !entry.flag.prerequisites.isEmpty {
            guard depth < Self.maxPrerequisiteDepth else { return nil }
            for (prerequisite, position) in zip(entry.flag.prerequisites, entry.prerequisitePositions) {
                guard position >= 0 else { return prerequisite.failed }
                budget -= 1
                guard budget >= 0 else { return nil }
                let required = flags[position: position]
                // The common gate (a flag on for everyone, or off): compare, do not evaluate.
                if let variant = required.variantForEveryone {
                    guard variant == prerequisite.variant else { return prerequisite.failed }
                    continue
                }
                guard let result = evaluate(required, context, depth: depth + 1, budget: &budget) else { return nil }
                // On, and serving the variant named: a flag that is off serves its off variant,
                // which does not satisfy a prerequisite even when that is the variant named.
                guard required.flag.enabled, result.variant == prerequisite.variant else { return prerequisite.failed }
            }
        }
        return entry.fixedOncePrerequisitesHold ?? entry.flag.evaluate(context)
    }

    /// The flags that may evaluate differently when the flags `keys` change: those that require
    /// one of them as a prerequisite, directly or through others. `keys` themselves are not included
    /// unless a cycle leads back to them.
    public func dependents(of keys: Set<String>) -> Set<String> {
        var found = Set<String>()
        var pending = Array(keys)
        while let key = pending.popLast() {
            for dependent in links.dependents[key] ?? [] where found.insert(dependent).inserted {
                pending.append(dependent)
            }
        }
        return found
    }
}
