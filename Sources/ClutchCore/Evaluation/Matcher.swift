/// What an operator makes of one attribute value. Negation swaps `holds` and `fails` and
/// leaves `incomparable` alone, so a clause on a value its operator cannot compare (missing,
/// null, the wrong kind, or text that does not parse as the operator needs) never holds,
/// negated or not: "not version semver< 2.0.0" does not select contexts whose version is
/// "banana", as "not country in FR" does not select contexts without a country.
enum Verdict: Sendable {
    case holds
    case fails
    case incomparable
}

/// A compiled clause operator with its values. Strings compare by their UTF-8 bytes.
enum Matcher: Sendable {
    case oneOf(StringSet, numbers: [Double])
    case startsWith([BytePattern])
    case endsWith([BytePattern])
    case contains([BytePattern])
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

    /// The verdict on `value` (present, not null). An array holds when an element holds; it
    /// fails when no element holds and some element (or none: an empty array) could be
    /// compared; it is incomparable when every element is.
    func verdict(_ value: Value) -> Verdict {
        guard case .array(let items) = value else { return scalarVerdict(value) }
        if items.isEmpty { return .fails }
        var verdict = Verdict.incomparable
        for item in items {
            switch scalarVerdict(item) {
            case .holds: return .holds
            case .fails: verdict = .fails
            case .incomparable: break
            }
        }
        return verdict
    }

    /// The verdict on one value; an array here (an array inside an array), an object or null
    /// is incomparable for every operator.
    private func scalarVerdict(_ value: Value) -> Verdict {
        switch self {
        case .oneOf(let set, let numbers):
            switch value {
            case .string(let s): return Verdict(set.contains(s))
            case .integer, .double:
                if let n = value.numberValue, numbers.contains(n) { return .holds }
                return Verdict(value.comparableText.map(set.contains) ?? false)
            case .bool: return Verdict(value.comparableText.map(set.contains) ?? false)
            default: return .incomparable
            }
        case .startsWith(let prefixes):
            guard case .string(let s) = value else { return .incomparable }
            return UTF8Bytes.with(s) { bytes in Verdict(prefixes.contains { $0.isPrefix(of: bytes) }) }
        case .endsWith(let suffixes):
            guard case .string(let s) = value else { return .incomparable }
            return UTF8Bytes.with(s) { bytes in Verdict(suffixes.contains { $0.isSuffix(of: bytes) }) }
        case .contains(let parts):
            guard case .string(let s) = value else { return .incomparable }
            return UTF8Bytes.with(s) { bytes in Verdict(parts.contains { $0.occurs(in: bytes) }) }
        case .matches(let patterns):
            guard case .string(let s) = value else { return .incomparable }
            return Verdict(patterns.contains { $0.matches(s) })
        case .number(let comparison, let numbers):
            guard let n = NumberText.number(value) else { return .incomparable }
            return Verdict(numbers.contains { comparison.holds(n, $0) })
        case .semver(let comparison, let versions):
            let version: SemanticVersion?
            if case .string(let s) = value { version = SemanticVersion(s) } else { version = SemanticVersion(number: value) }
            guard let version else { return .incomparable }
            return Verdict(versions.contains { comparison.holds(version, $0) })
        case .before(let instants):
            guard let t = Timestamp.seconds(value) else { return .incomparable }
            return Verdict(instants.contains { t < $0 })
        case .after(let instants):
            guard let t = Timestamp.seconds(value) else { return .incomparable }
            return Verdict(instants.contains { t > $0 })
        case .exists:
            return .holds
        }
    }
}

extension Verdict {
    @inline(__always)
    init(_ holds: Bool) { self = holds ? .holds : .fails }
}

extension CompiledClause {
    /// Whether the clause holds for `context`. A missing or null attribute, or one the operator
    /// cannot compare, fails every operator but `exists`, negated or not.
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
            switch clause.matcher.verdict(value) {
            case .holds: return !clause.negate
            case .fails: return clause.negate
            case .incomparable: return false
            }
        case .cohort(let cohort, let negate):
            return cohort.contains(context) != negate
        }
    }
}

extension CompiledCohort {
    /// Whether `context` is a member: listed explicitly (by bytes), or satisfying all clauses.
    func contains(_ context: EvaluationContext) -> Bool {
        if !members.isEmpty, let value = attribute.value(in: context) {
            switch value {
            case .array(let items):
                if items.contains(where: { $0.comparableText.map { members.contains(ExactString($0)) } ?? false }) { return true }
            default:
                if let text = value.comparableText, members.contains(ExactString(text)) { return true }
            }
        }
        if clauses.isEmpty { return false }
        for clause in clauses where !clause.holds(context) {
            return false
        }
        return true
    }
}
