/// A compiled clause operator with its values. Every operator matches an array attribute
/// when any element matches; an attribute of the wrong kind never matches.
enum Matcher: Sendable {
    case oneOf(StringSet, numbers: [Double])
    case startsWith([String])
    case endsWith([String])
    case contains([String])
    case matches([CompiledPattern])
    case number(Comparison, [Double])
    case semver(Comparison, [SemanticVersion])
    case before([Double])
    case after([Double])
    case exists

    enum Comparison: Sendable {
        case equal, less, lessOrEqual, greater, greaterOrEqual

        @inline(__always)
        func holds<T: Comparable>(_ a: T, _ b: T) -> Bool {
            switch self {
            case .equal: return a == b
            case .less: return a < b
            case .lessOrEqual: return a <= b
            case .greater: return a > b
            case .greaterOrEqual: return a >= b
            }
        }
    }

    /// Whether `value` (present, not null) satisfies the operator.
    func matches(_ value: Value) -> Bool {
        if case .array(let items) = value {
            return items.contains { matchesScalar($0) }
        }
        return matchesScalar(value)
    }

    private func matchesScalar(_ value: Value) -> Bool {
        switch self {
        case .oneOf(let set, let numbers):
            switch value {
            case .string(let s): return set.contains(s)
            case .integer, .double:
                if let n = value.numberValue, numbers.contains(n) { return true }
                return value.comparableText.map(set.contains) ?? false
            case .bool: return value.comparableText.map(set.contains) ?? false
            default: return false
            }
        case .startsWith(let prefixes):
            guard case .string(let s) = value else { return false }
            return prefixes.contains { s.hasPrefix($0) }
        case .endsWith(let suffixes):
            guard case .string(let s) = value else { return false }
            return suffixes.contains { s.hasSuffix($0) }
        case .contains(let parts):
            guard case .string(let s) = value else { return false }
            return parts.contains { s.contains($0) }
        case .matches(let patterns):
            guard case .string(let s) = value else { return false }
            return patterns.contains { $0.matches(s) }
        case .number(let comparison, let numbers):
            guard let n = value.numberValue else { return false }
            return numbers.contains { comparison.holds(n, $0) }
        case .semver(let comparison, let versions):
            guard case .string(let s) = value, let v = SemanticVersion(s) else { return false }
            return versions.contains { comparison.holds(v, $0) }
        case .before(let instants):
            guard let t = Timestamp.seconds(value) else { return false }
            return instants.contains { t < $0 }
        case .after(let instants):
            guard let t = Timestamp.seconds(value) else { return false }
            return instants.contains { t > $0 }
        case .exists:
            return true
        }
    }
}

extension CompiledClause {
    /// Whether the clause holds for `context`. A missing or null attribute fails every
    /// operator but `exists`, negated or not.
    @inline(__always)
    func holds(_ context: EvaluationContext) -> Bool {
        switch self {
        case .attribute(let clause):
            let value = clause.attribute.value(in: context)
            if case .exists = clause.matcher {
                let present = value != nil && value != .null
                return present != clause.negate
            }
            guard let value, value != .null else { return false }
            return clause.matcher.matches(value) != clause.negate
        case .cohort(let cohort, let negate):
            return cohort.contains(context) != negate
        }
    }
}

extension CompiledCohort {
    /// Whether `context` is a member: listed explicitly, or satisfying all clauses.
    func contains(_ context: EvaluationContext) -> Bool {
        if !members.isEmpty, let value = attribute.value(in: context) {
            switch value {
            case .array(let items):
                if items.contains(where: { $0.comparableText.map(members.contains) ?? false }) { return true }
            default:
                if let text = value.comparableText, members.contains(text) { return true }
            }
        }
        if clauses.isEmpty { return false }
        for clause in clauses where !clause.holds(context) {
            return false
        }
        return true
    }
}
