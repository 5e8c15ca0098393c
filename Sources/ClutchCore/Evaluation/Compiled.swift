import HashTreeCollections

// The compiled, immutable form of definitions that evaluation runs on: patterns
// compiled, value lists turned into hash tables, attribute names resolved, and every
// fixed outcome turned into a ready-made result so evaluation only copies it.
// Classes so that lookups copy references, not trees.

struct ResolvedVariant: Sendable {
    let key: String
    let value: Value
}

final class CompiledFlag: Sendable {
    let key: String
    let type: FlagType
    let salt: [UInt8]
    let enabled: Bool
    let disabledResult: EvaluationResult
    /// Checked in order before targets; the engine resolves their flags (see `Engine`).
    let prerequisites: [CompiledPrerequisite]
    let targets: [CompiledTarget]
    let rules: [CompiledRule]
    let defaultOutcome: Outcome

    init(
        key: String, type: FlagType, salt: String, enabled: Bool, off: ResolvedVariant,
        prerequisites: [Prerequisite],
        targets: [(attribute: AttributeRef, values: [String], variant: ResolvedVariant)],
        rules: [(clauses: [CompiledClause], serve: CompiledServe)], defaultServe: CompiledServe
    ) {
        func result(_ variant: ResolvedVariant, _ reason: Reason, _ match: EvaluationResult.Match?) -> EvaluationResult {
            EvaluationResult(flagKey: key, value: variant.value, variant: variant.key, reason: reason, match: match, flagType: type)
        }
        func outcome(_ serve: CompiledServe, reason: Reason, match: EvaluationResult.Match) -> Outcome {
            switch serve {
            case .variant(let variant):
                return .fixed(result(variant, reason, match))
            case .rollout(let rollout):
                return .rollout(RolloutOutcome(
                    bucketBy: rollout.bucketBy,
                    buckets: rollout.buckets.map { ($0.upTo, result($0.variant, .split, match)) },
                    totalWeight: rollout.totalWeight,
                    unbucketed: result(off, .default, match)))
            }
        }
        self.key = key
        self.type = type
        self.salt = Array(salt.utf8)
        self.enabled = enabled
        self.disabledResult = result(off, .disabled, nil)
        self.prerequisites = prerequisites.enumerated().map { index, prerequisite in
            CompiledPrerequisite(
                key: prerequisite.flag, variant: prerequisite.variant,
                failed: result(off, .prerequisiteFailed, .prerequisite(index: index, flag: prerequisite.flag)))
        }
        self.targets = targets.enumerated().map { index, target in
            CompiledTarget(
                attribute: target.attribute, values: StringSet(set: target.values),
                result: result(target.variant, .targetingMatch, .target(index: index)))
        }
        self.rules = rules.enumerated().map { index, rule in
            CompiledRule(clauses: rule.clauses, outcome: outcome(rule.serve, reason: .targetingMatch, match: .rule(index: index)))
        }
        // STATIC means nothing about the context mattered: prerequisites read it, like targets and rules.
        self.defaultOutcome = outcome(
            defaultServe, reason: prerequisites.isEmpty && targets.isEmpty && rules.isEmpty ? .static : .default, match: .default)
    }

    /// A flag whose definition cannot be evaluated: never enabled, it always answers
    /// `failure` (a `PARSE_ERROR`), while every other flag keeps working.
    init(key: String, type: FlagType, failure: EvaluationResult) {
        self.key = key
        self.type = type
        self.salt = []
        self.enabled = false
        self.disabledResult = failure
        self.prerequisites = []
        self.targets = []
        self.rules = []
        self.defaultOutcome = .fixed(failure)
    }
}

/// A prerequisite with the result served when it does not hold prepared in advance.
struct CompiledPrerequisite: Sendable {
    /// The key of the flag required.
    let key: String
    let variant: String
    /// The off variant, reason `PREREQUISITE_FAILED`, naming this prerequisite.
    let failed: EvaluationResult
}

/// What a rule or the default hands out, with results prepared in advance.
enum Outcome: Sendable {
    case fixed(EvaluationResult)
    case rollout(RolloutOutcome)
}

/// A percentage rollout with its results prepared.
final class RolloutOutcome: Sendable {
    let bucketBy: AttributeRef
    /// Running weight totals: the first bucket whose `upTo` exceeds the hashed bucket is served.
    let buckets: [(upTo: UInt64, result: EvaluationResult)]
    let totalWeight: UInt64
    /// For a context without the `bucketBy` attribute: the off variant.
    let unbucketed: EvaluationResult

    init(bucketBy: AttributeRef, buckets: [(upTo: UInt64, result: EvaluationResult)], totalWeight: UInt64, unbucketed: EvaluationResult) {
        self.bucketBy = bucketBy
        self.buckets = buckets
        self.totalWeight = totalWeight
        self.unbucketed = unbucketed
    }
}

final class CompiledTarget: Sendable {
    let attribute: AttributeRef
    let values: StringSet
    let result: EvaluationResult

    init(attribute: AttributeRef, values: StringSet, result: EvaluationResult) {
        self.attribute = attribute
        self.values = values
        self.result = result
    }
}

final class CompiledRule: Sendable {
    let clauses: [CompiledClause]
    let outcome: Outcome

    init(clauses: [CompiledClause], outcome: Outcome) {
        self.clauses = clauses
        self.outcome = outcome
    }
}

/// A serve as validated by the compiler, before results are prepared.
enum CompiledServe: Sendable {
    case variant(ResolvedVariant)
    case rollout(CompiledRollout)
}

struct CompiledRollout: Sendable {
    let bucketBy: AttributeRef
    let buckets: [(upTo: UInt64, variant: ResolvedVariant)]
    let totalWeight: UInt64
}

enum CompiledClause: Sendable {
    case attribute(AttributeClause)
    case cohort(CompiledCohort, negate: Bool)
}

/// `attribute operator values`, behind a reference so iterating clauses copies little.
final class AttributeClause: Sendable {
    let attribute: AttributeRef
    let matcher: Matcher
    let negate: Bool

    init(_ attribute: AttributeRef, _ matcher: Matcher, negate: Bool) {
        self.attribute = attribute
        self.matcher = matcher
        self.negate = negate
    }
}

final class CompiledCohort: Sendable {
    let key: String
    let attribute: AttributeRef
    /// A persistent hash trie: a membership change builds the next set from this one in time
    /// proportional to the members it names, sharing everything else (a cohort may have
    /// millions of members); a lookup stays O(1) in practice (at most 7 levels of 32-way nodes).
    /// Members are compared by their bytes, as the store keeps them: an NFC and an NFD spelling
    /// are two members.
    let members: TreeSet<ExactString>
    let clauses: [CompiledClause]

    init(key: String, attribute: AttributeRef, members: [String], clauses: [CompiledClause]) {
        self.key = key
        self.attribute = attribute
        self.members = TreeSet(members.lazy.map(ExactString.init))
        self.clauses = clauses
    }

    private init(key: String, attribute: AttributeRef, members: TreeSet<ExactString>, clauses: [CompiledClause]) {
        self.key = key
        self.attribute = attribute
        self.members = members
        self.clauses = clauses
    }

    /// This cohort with `change` applied to its members.
    func updating(_ change: MemberChange) -> CompiledCohort {
        var members = self.members
        for member in change.removed { members.remove(ExactString(member)) }
        for member in change.added { members.insert(ExactString(member)) }
        return CompiledCohort(key: key, attribute: attribute, members: members, clauses: clauses)
    }
}

/// A compiled `matches` pattern, run by the linear-time engine in `Pattern/`: matching
/// costs at most (input length + 1) × program size steps, whatever the pattern, so a
/// context value cannot pin a core (see docs/patterns.md).
struct CompiledPattern: Sendable {
    let source: String
    let program: PatternProgram

    init(_ source: String) throws(PatternError) {
        self.source = source
        self.program = try PatternCompiler.compile(source)
    }

    func matches(_ text: String) -> Bool {
        program.matches(text)
    }
}
