// The compiled, immutable form of definitions that evaluation runs on: patterns
// compiled, value lists turned into sets, variant names resolved to values.
// Classes so that dictionary lookups and result construction copy references, not trees.

struct ResolvedVariant: Sendable {
    let key: String
    let value: Value
}

final class CompiledFlag: Sendable {
    let key: String
    let type: FlagType
    let salt: [UInt8]
    let enabled: Bool
    let off: ResolvedVariant
    let targets: [CompiledTarget]
    let rules: [CompiledRule]
    let defaultServe: CompiledServe
    /// `STATIC` when the flag has no targets or rules, otherwise `DEFAULT`.
    let defaultReason: Reason

    init(
        key: String, type: FlagType, salt: String, enabled: Bool, off: ResolvedVariant,
        targets: [CompiledTarget], rules: [CompiledRule], defaultServe: CompiledServe
    ) {
        self.key = key
        self.type = type
        self.salt = Array(salt.utf8)
        self.enabled = enabled
        self.off = off
        self.targets = targets
        self.rules = rules
        self.defaultServe = defaultServe
        self.defaultReason = targets.isEmpty && rules.isEmpty ? .static : .default
    }
}

struct CompiledTarget: Sendable {
    let attribute: String
    let values: Set<String>
    let variant: ResolvedVariant
}

struct CompiledRule: Sendable {
    let clauses: [CompiledClause]
    let serve: CompiledServe
}

enum CompiledServe: Sendable {
    case variant(ResolvedVariant)
    case rollout(CompiledRollout)
}

struct CompiledRollout: Sendable {
    let bucketBy: String
    /// Running weight totals: the first entry whose `upTo` exceeds the bucket is served.
    let buckets: [(upTo: UInt64, variant: ResolvedVariant)]
    let totalWeight: UInt64

    /// flagd's high-precision fractional bucketing over `salt + value`.
    @inline(__always)
    func pick(salt: [UInt8], value: String) -> ResolvedVariant {
        let hash = Murmur3.hash32(prefix: salt, value)
        let bucket = (UInt64(hash) &* totalWeight) >> 32
        for entry in buckets where bucket < entry.upTo {
            return entry.variant
        }
        return buckets[buckets.count - 1].variant  // unreachable: weights sum to totalWeight > bucket
    }
}

enum CompiledClause: Sendable {
    case attribute(String, Matcher, negate: Bool)
    case cohort(CompiledCohort, negate: Bool)
}

final class CompiledCohort: Sendable {
    let key: String
    let attribute: String
    let members: Set<String>
    let clauses: [CompiledClause]

    init(key: String, attribute: String, members: Set<String>, clauses: [CompiledClause]) {
        self.key = key
        self.attribute = attribute
        self.members = members
        self.clauses = clauses
    }
}

/// A compiled regular expression. `Regex` is an immutable value that is safe to share;
/// the standard library does not mark `AnyRegexOutput` as `Sendable`.
struct CompiledPattern: @unchecked Sendable {
    let source: String
    let regex: Regex<AnyRegexOutput>

    init(_ source: String) throws {
        self.source = source
        self.regex = try Regex(source)
    }

    func matches(_ text: String) -> Bool {
        ((try? regex.firstMatch(in: text)) ?? nil) != nil
    }
}
