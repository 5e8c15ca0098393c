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
    private let flags: [String: Entry]

    private enum Entry: Sendable {
        case ready(CompiledFlag)
        case broken(FlagType, String)
    }

    public init(_ snapshot: Snapshot) {
        self.snapshot = snapshot
        var cohorts: [String: CompiledCohort] = [:]
        var brokenCohorts: [String: String] = [:]
        for cohort in snapshot.cohorts {
            var compiler = Compiler(cohorts: nil)
            if let compiled = compiler.compile(cohort, path: "") {
                cohorts[cohort.key] = compiled
            } else {
                brokenCohorts[cohort.key] = compiler.issues.first?.description ?? "invalid"
            }
        }
        var flags: [String: Entry] = [:]
        flags.reserveCapacity(snapshot.flags.count)
        for flag in snapshot.flags {
            var compiler = Compiler(cohorts: cohorts)
            let variants = compiler.variants(of: flag)
            let compiled = compiler.compile(
                flag, state: flag.state(in: snapshot.environment), variants: variants,
                path: "environments.\(snapshot.environment)")
            if let compiled, compiler.issues.isEmpty {
                flags[flag.key] = .ready(compiled)
            } else {
                var message = compiler.issues.first?.description ?? "invalid definition"
                for (key, problem) in brokenCohorts where message.contains("'\(key)'") {
                    message += " (cohort \(key): \(problem))"
                }
                flags[flag.key] = .broken(flag.type, "flag '\(flag.key)' cannot be evaluated: \(message)")
            }
        }
        self.flags = flags
    }

    /// The environment evaluated.
    public var environment: String { snapshot.environment }
    /// The snapshot's version.
    public var version: Int64 { snapshot.version }

    /// Whether a flag with `key` exists.
    public func contains(_ key: String) -> Bool { flags[key] != nil }

    /// The type of flag `key`, if it exists.
    public func type(of key: String) -> FlagType? {
        switch flags[key] {
        case .ready(let flag)?: return flag.type
        case .broken(let type, _)?: return type
        case nil: return nil
        }
    }

    /// Evaluates flag `key` for `context`. Never throws: problems come back as an error code.
    public func evaluate(_ key: String, context: EvaluationContext) -> EvaluationResult {
        switch flags[key] {
        case .ready(let flag)?:
            return flag.evaluate(context)
        case .broken(let type, let message)?:
            return .failure(key, .parseError, message, flagType: type)
        case nil:
            return .failure(key, .flagNotFound, "flag '\(key)' not found in environment '\(snapshot.environment)'")
        }
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
    /// The evaluation order: disabled, individual targets, rules in order, the default.
    func evaluate(_ context: EvaluationContext) -> EvaluationResult {
        guard enabled else { return result(off, .disabled, nil) }
        for (index, target) in targets.enumerated() {
            guard let value = context[attribute: target.attribute] else { continue }
            if let hit = target.matchingValue(value) {
                return result(target.variant, .targetingMatch, .target(index: index, attribute: target.attribute, value: hit))
            }
        }
        rules: for (index, rule) in rules.enumerated() {
            for clause in rule.clauses where !clause.holds(context) {
                continue rules
            }
            return serve(rule.serve, context, reason: .targetingMatch, match: .rule(index: index))
        }
        return serve(defaultServe, context, reason: defaultReason, match: .default)
    }

    @inline(__always)
    private func serve(_ serve: CompiledServe, _ context: EvaluationContext, reason: Reason, match: EvaluationResult.Match) -> EvaluationResult {
        switch serve {
        case .variant(let variant):
            return result(variant, reason, match)
        case .rollout(let rollout):
            // Never place a context at random: one without the attribute gets the off variant.
            guard let value = context[attribute: rollout.bucketBy]?.comparableText else {
                return result(off, .default, match)
            }
            return result(rollout.pick(salt: salt, value: value), .split, match)
        }
    }

    @inline(__always)
    private func result(_ variant: ResolvedVariant, _ reason: Reason, _ match: EvaluationResult.Match?) -> EvaluationResult {
        EvaluationResult(flagKey: key, value: variant.value, variant: variant.key, reason: reason, match: match, flagType: type)
    }
}

extension CompiledTarget {
    /// The listed value `value` matches (an array matches through any element), if any.
    func matchingValue(_ value: Value) -> String? {
        if case .array(let items) = value {
            for item in items {
                if let text = item.comparableText, values.contains(text) { return text }
            }
            return nil
        }
        guard let text = value.comparableText, values.contains(text) else { return nil }
        return text
    }
}
