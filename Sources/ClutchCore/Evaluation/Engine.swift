/// Evaluates flags for one environment. Built once from a ``Snapshot`` (patterns
/// compiled, member lists turned into sets, variants resolved) and immutable after that,
/// so one engine can be shared by any number of threads and replaced atomically when
/// the snapshot changes.
///
/// Building never fails: a flag whose definition cannot be compiled (for example one
/// naming a cohort the snapshot lacks) evaluates to a `PARSE_ERROR` while every other
/// flag keeps working.
public struct Engine: Sendable {
    /// The snapshot this engine was built from.
    public let snapshot: Snapshot
    /// Internal for `Engine+Prerequisites.swift`, which reads entries by position.
    let flags: ChunkedTable<Entry>
    /// Each flag's variant keys, for ``hasVariant(_:flag:)``; apart from `flags` so that
    /// evaluation does not copy them.
    private let variantKeys: ChunkedTable<[String]>
    /// What ``applying(_:)`` reuses: compiled cohorts, and which flags use each cohort.
    private let cohorts: CompiledCohorts
    /// Which flags name which prerequisites, for ``applying(_:)`` and ``dependents(of:)``.
    let links: PrerequisiteLinks

    /// A class: the table is copied on every change, and a copy then costs one retain per flag.
    final class Entry: Sendable {
        /// The result when it cannot depend on the context (the flag is off, broken, or
        /// serves one variant to everyone): evaluation then copies it without touching the flag.
        let fixed: EvaluationResult?
        let flag: CompiledFlag
        /// The table positions of `flag.prerequisites`' flags, in the same order; -1 for a flag
        /// the snapshot lacks. Resolved once the table is complete (`resolvingPrerequisites`);
        /// until then every one is -1, so a prerequisite never resolved fails rather than
        /// being skipped.
        let prerequisitePositions: [Int]
        /// The variant this flag serves everyone while on (`nil` when off or when it depends on
        /// the context): a prerequisite on it is checked by comparing it, with no evaluation.
        let variantForEveryone: String?
        /// What a flag with prerequisites serves once they hold, when that cannot depend on the
        /// context (no targets or rules, a single default): returned without evaluating.
        let fixedOncePrerequisitesHold: EvaluationResult?

        init(_ flag: CompiledFlag, prerequisitePositions: [Int]? = nil) {
            self.flag = flag
            self.fixed = flag.fixedResult
            self.variantForEveryone = flag.enabled ? flag.fixedResult?.variant : nil
            self.fixedOncePrerequisitesHold = flag.fixedOncePrerequisitesHold
            self.prerequisitePositions = prerequisitePositions ?? Array(repeating: -1, count: flag.prerequisites.count)
        }
    }

    /// The environment's cohorts compiled, those that failed with their problem, and the
    /// flags whose rules name each cohort (so a cohort change recompiles only those).
    private struct CompiledCohorts: Sendable {
        var compiled: [String: CompiledCohort] = [:]
        var broken: [String: String] = [:]
        var users: [String: Set<String>] = [:]

        mutating func compile(_ cohort: Cohort) {
            var compiler = Compiler(cohorts: nil)
            if let result = compiler.compile(cohort, path: "") {
                compiled[cohort.key] = result
                broken[cohort.key] = nil
            } else {
                compiled[cohort.key] = nil
                broken[cohort.key] = compiler.issues.first?.description ?? "invalid"
            }
        }

        /// Applies a membership change to a compiled cohort (sharing its other members);
        /// `cohort` is the cohort after the change, compiled whole when it was broken before
        /// or is after.
        mutating func update(_ key: String, _ change: MemberChange, cohort: Cohort?) {
            guard let cohort else { return remove(key) }
            if let existing = compiled[key], !(cohort.members.isEmpty && cohort.clauses.isEmpty) {
                compiled[key] = existing.updating(change)
            } else {
                compile(cohort)
            }
        }

        mutating func remove(_ key: String) {
            compiled[key] = nil
            broken[key] = nil
        }

        mutating func track(_ flag: Flag, environment: String, adding: Bool) {
            track(flag.key, flag.state(in: environment), adding: adding)
        }

        /// Tracks the cohorts that flag `key`, in `state`, names.
        mutating func track(_ key: String, _ state: FlagState, adding: Bool) {
            for rule in state.rules {
                for clause in rule.clauses {
                    guard let cohort = clause.cohort else { continue }
                    if adding {
                        users[cohort, default: []].insert(key)
                    } else {
                        users[cohort]?.remove(key)
                        if users[cohort]?.isEmpty == true { users[cohort] = nil }
                    }
                }
            }
        }
    }

    public init(_ snapshot: Snapshot) {
        self.snapshot = snapshot
        var cohorts = CompiledCohorts()
        for cohort in snapshot.cohorts { cohorts.compile(cohort) }
        var links = PrerequisiteLinks()
        var flags: [(String, Entry)] = []
        flags.reserveCapacity(snapshot.flags.count)
        for flag in snapshot.flags {
            let state = flag.state(in: snapshot.environment)
            cohorts.track(flag.key, state, adding: true)
            links.track(flag.key, state, adding: true)
            flags.append((flag.key, Self.compile(flag, state: state, environment: snapshot.environment, cohorts: cohorts)))
        }
        self.flags = Self.resolvingPrerequisites(ChunkedTable(flags), of: links.requirers)
        self.variantKeys = ChunkedTable(snapshot.flags.map { ($0.key, $0.variants.map(\.key)) })
        self.cohorts = cohorts
        self.links = links
    }

    private init(
        snapshot: Snapshot, flags: ChunkedTable<Entry>, variantKeys: ChunkedTable<[String]>, cohorts: CompiledCohorts,
        links: PrerequisiteLinks
    ) {
        self.snapshot = snapshot
        self.flags = flags
        self.variantKeys = variantKeys
        self.cohorts = cohorts
        self.links = links
    }

    private static func compile(_ flag: Flag, environment: String, cohorts: CompiledCohorts) -> Entry {
        compile(flag, state: flag.state(in: environment), environment: environment, cohorts: cohorts)
    }

    /// Compiles `flag`, whose state in `environment` is `state`.
    private static func compile(_ flag: Flag, state: FlagState, environment: String, cohorts: CompiledCohorts) -> Entry {
        var compiler = Compiler(cohorts: cohorts.compiled)
        let variants = compiler.variants(of: flag)
        let compiled = compiler.compile(flag, state: state, variants: variants, path: "environments.\(environment)")
        if let compiled, compiler.issues.isEmpty {
            return Entry(compiled)
        }
        var message = compiler.issues.first?.description ?? "invalid definition"
        for (key, problem) in cohorts.broken where message.contains("'\(key)'") {
            message += " (cohort \(key): \(problem))"
        }
        let failure = EvaluationResult.failure(
            flag.key, .parseError, "flag '\(flag.key)' cannot be evaluated: \(message)", flagType: flag.type)
        return Entry(CompiledFlag(key: flag.key, type: flag.type, failure: failure))
    }

    /// The engine for this engine's snapshot with `delta` applied. Only the flags and cohorts
    /// the delta names are compiled, and the flags that use a changed cohort; every other
    /// compiled flag is shared with this engine. A membership change updates the cohort's
    /// member set in time proportional to the members it names. The result evaluates exactly as
    /// `Engine(snapshot.applying(delta))` would.
    public func applying(_ delta: SnapshotDelta) -> Engine {
        let environment = snapshot.environment
        let next = snapshot.applying(delta)
        var cohorts = self.cohorts
        var recompile = Set<String>()
        for key in delta.cohorts.keys {
            if let cohort = delta.cohorts[key] ?? nil { cohorts.compile(cohort) } else { cohorts.remove(key) }
            recompile.formUnion(cohorts.users[key] ?? [])
        }
        for (key, change) in delta.members where delta.cohorts[key] == nil {
            cohorts.update(key, change, cohort: next.cohort(key))
            recompile.formUnion(cohorts.users[key] ?? [])
        }
        var links = self.links
        var changes: [(String, Entry?)] = []
        var variantChanges: [(String, [String]?)] = []
        // Flags whose prerequisites' positions must be looked up again in the new table.
        var resolve = Set<String>()
        var removed = false
        // A change of many flags (an import) looks them up in a table built once: a search per
        // key scans the whole snapshot on a miss (a new flag), n × m for m new flags.
        let oldFlag = Self.lookup(snapshot, many: delta.flags.count > 16)
        for (key, flag) in delta.flags {
            let old = oldFlag(key)
            if let old {
                cohorts.track(old, environment: environment, adding: false)
                links.track(key, old.state(in: environment), adding: false)
            }
            if let flag {
                cohorts.track(flag, environment: environment, adding: true)
                links.track(key, flag.state(in: environment), adding: true)
            }
            // A flag added gives its dependents a prerequisite they were missing.
            if old == nil, flag != nil { resolve.formUnion(links.dependents[key] ?? []) }
            if old != nil, flag == nil { removed = true }
            variantChanges.append((key, flag.map { $0.variants.map(\.key) }))
            recompile.insert(key)
        }
        let nextFlag = Self.lookup(next, many: recompile.count > 16)
        for key in recompile {
            guard let flag = nextFlag(key) else {
                changes.append((key, nil))
                continue
            }
            changes.append((key, Self.compile(flag, environment: environment, cohorts: cohorts)))
        }
        // Removing a flag rebuilds the table, which may move every entry: resolve them all.
        // Otherwise positions stay, and only new entries and the dependents of new flags need it.
        resolve = removed ? links.requirers : resolve.union(recompile).intersection(links.requirers)
        let table = Self.resolvingPrerequisites(flags.updating(changes), of: resolve)
        return Engine(
            snapshot: next, flags: table, variantKeys: variantKeys.updating(variantChanges), cohorts: cohorts, links: links)
    }

    /// Finds flags of `snapshot` by key: by ``Snapshot/flag(_:)`` for a few, through a table
    /// built once for `many`.
    private static func lookup(_ snapshot: Snapshot, many: Bool) -> (String) -> Flag? {
        guard many else { return { snapshot.flag($0) } }
        let table = Dictionary(snapshot.flags.lazy.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        return { table[$0] }
    }

    /// The environment evaluated.
    public var environment: String { snapshot.environment }
    /// The snapshot's version.
    public var version: Int64 { snapshot.version }

    /// Whether a flag with `key` exists.
    public func contains(_ key: String) -> Bool { flags[key] != nil }

    /// Whether flag `key` exists and has a variant named `variant`. Usage reports are checked
    /// with it, so that nobody can make the server store counts for made-up names.
    public func hasVariant(_ variant: String, flag key: String) -> Bool {
        variantKeys[key]?.contains(variant) ?? false
    }

    /// The flags whose rules name cohort `key`: what may evaluate differently when it changes.
    public func flags(usingCohort key: String) -> Set<String> {
        cohorts.users[key] ?? []
    }

    /// The type of flag `key`, if it exists.
    public func type(of key: String) -> FlagType? { flags[key]?.flag.type }

    /// Evaluates flag `key` for `context`. Never throws: problems come back as an error code.
    public func evaluate(_ key: String, context: EvaluationContext) -> EvaluationResult {
        guard let index = flags.index(of: key) else {
            return .failure(key, .flagNotFound, "flag '\(key)' not found in environment '\(snapshot.environment)'")
        }
        // A flag that is off, broken or serves one variant to everyone answers without
        // reading the context or retaining the compiled flag.
        if let fixed = flags[position: index].fixed { return fixed }
        let entry = flags[position: index]
        if entry.prerequisitePositions.isEmpty { return entry.flag.evaluate(context) }
        return evaluateWithPrerequisites(entry, context)
    }

    /// Evaluates flag `key`, requiring it to be of `type`; another type gives `TYPE_MISMATCH`.
    public func evaluate(_ key: String, as type: FlagType, context: EvaluationContext) -> EvaluationResult {
        let result = evaluate(key, context: context)
        if let actual = result.flagType, actual != type, result.errorCode == nil || result.errorCode == .parseError {
            return .failure(key, .typeMismatch, "flag '\(key)' is a \(actual.rawValue) flag, not \(type.rawValue)", flagType: actual)
        }
        return result
    }
}

extension CompiledFlag {
    /// The result of every evaluation, when it cannot depend on the context.
    var fixedResult: EvaluationResult? {
        guard enabled else { return disabledResult }
        guard prerequisites.isEmpty, targets.isEmpty, rules.isEmpty, case .fixed(let result) = defaultOutcome else { return nil }
        return result
    }

    /// The result once the prerequisites hold, when it cannot depend on the context.
    var fixedOncePrerequisitesHold: EvaluationResult? {
        guard enabled, targets.isEmpty, rules.isEmpty, case .fixed(let result) = defaultOutcome else { return nil }
        return result
    }

    /// The evaluation order: disabled, individual targets, rules in order, the default.
    /// Prerequisites, checked between disabled and targets, need the other flags: the engine
    /// checks them before calling this (`Engine.evaluateWithPrerequisites`).
    /// A flag that could not be compiled is never enabled and answers its failure.
    func evaluate(_ context: EvaluationContext) -> EvaluationResult {
        guard enabled else { return disabledResult }
        for target in targets {
            if let value = target.attribute.value(in: context), target.matches(value) { return target.result }
        }
        rules: for rule in rules {
            for clause in rule.clauses where !clause.holds(context) {
                continue rules
            }
            return resolve(rule.outcome, context)
        }
        return resolve(defaultOutcome, context)
    }

    @inline(__always)
    private func resolve(_ outcome: Outcome, _ context: EvaluationContext) -> EvaluationResult {
        switch outcome {
        case .fixed(let result):
            return result
        case .rollout(let rollout):
            // Never place a context at random: one without the attribute gets the off variant.
            guard let value = rollout.bucketBy.value(in: context)?.comparableText else { return rollout.unbucketed }
            // flagd's high-precision fractional bucketing over `salt + value`.
            let bucket = (UInt64(Murmur3.hash32(prefix: salt, value)) &* rollout.totalWeight) >> 32
            for entry in rollout.buckets where bucket < entry.upTo {
                return entry.result
            }
            return rollout.buckets[rollout.buckets.count - 1].result  // unreachable: weights sum to totalWeight > bucket
        }
    }
}

extension CompiledTarget {
    /// Whether `value` is listed (an array matches through any element).
    @inline(__always)
    func matches(_ value: Value) -> Bool {
        if case .array(let items) = value {
            return items.contains { $0.comparableText.map(values.contains) ?? false }
        }
        guard let text = value.comparableText else { return false }
        return values.contains(text)
    }
}
