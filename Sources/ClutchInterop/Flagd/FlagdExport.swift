import ClutchAPI
import ClutchCore

/// One environment's flags as a flagd flag-definition document (the `flags.json` schema of
/// open-feature/flagd-schemas, v0), for `clutch export --format flagd` and `GET /flagd/v1/flags.json`.
///
/// The document answers what Clutch answers — value and variant — for contexts whose attributes
/// are strings, numbers, booleans, arrays of them, or missing (the README's "Moving to Clutch"
/// lists the edges). Each construct becomes flagd JsonLogic: targets and rules a chain of `if`,
/// clauses `in`, `starts_with`, `ends_with`, `sem_ver` and comparisons guarded so that a value the
/// operator cannot compare never holds (Clutch's rule, negated or not), arrays matched element by
/// element with `some`/`none`, cohorts `$evaluators` used through `$ref`, and rollouts `fractional`
/// over `cat [salt, attribute]`, which is Clutch's bucketing exactly. A flag with anything flagd
/// cannot express (a prerequisite, a regular expression, a date operator, an attribute name with a
/// dot in it) is left out whole, never served half-translated, and listed with the reason.
public enum FlagdExport {
    public struct Document: Sendable, Hashable {
        /// The flagd document.
        public var json: Value
        /// What was left out: one entry per construct, `flags.KEY.rules[1].clauses[0]`.
        public var unexpressed: [ConversionIssue]
    }

    /// The document for `snapshot`'s environment (archived flags are not in a snapshot).
    public static func document(_ snapshot: Snapshot) -> Document {
        var cohorts: [String: Result<Value, ConversionIssue>] = [:]
        for cohort in snapshot.cohorts {
            cohorts[cohort.key] = Result(catching: { () throws(ConversionIssue) -> Value in try Translator.cohort(cohort) })
        }
        var flags: [String: Value] = [:]
        var used: Set<String> = []
        var unexpressed: [ConversionIssue] = []
        for flag in snapshot.flags {
            var translator = Translator(flag: flag, environment: snapshot.environment, cohorts: cohorts)
            let json = translator.translate()
            if translator.issues.isEmpty, let json {
                flags[flag.key] = json
                used.formUnion(translator.cohortsUsed)
            } else {
                unexpressed += translator.issues
            }
        }
        var document: [String: Value] = [
            "$schema": "https://flagd.dev/schema/v0/flags.json",
            "flags": .object(flags),
            "metadata": .object(["flagSetId": .string(snapshot.environment), "version": .string(String(snapshot.version))]),
        ]
        let evaluators = used.compactMap { key -> (String, Value)? in
            guard case .success(let logic)? = cohorts[key] else { return nil }
            return (key, logic)
        }
        if !evaluators.isEmpty { document["$evaluators"] = .object(Dictionary(uniqueKeysWithValues: evaluators)) }
        return Document(json: .object(document), unexpressed: unexpressed)
    }
}

/// One flag (or cohort) in flagd's terms, collecting what cannot be said.
private struct Translator {
    let flag: Flag
    let environment: String
    let cohorts: [String: Result<Value, ConversionIssue>]
    var issues: [ConversionIssue] = []
    var cohortsUsed: Set<String> = []

    init(flag: Flag, environment: String, cohorts: [String: Result<Value, ConversionIssue>]) {
        self.flag = flag
        self.environment = environment
        self.cohorts = cohorts
    }

    private var prefix: String { "flags.\(flag.key)" }

    /// `{state, variants, defaultVariant, targeting}`, or nil when something cannot be said.
    mutating func translate() -> Value? {
        var variants: [String: Value] = [:]
        for variant in flag.variants { variants[variant.key] = variant.value }
        let state = flag.state(in: environment)
        var json: [String: Value] = ["state": "ENABLED", "variants": .object(variants)]
        // A disabled Clutch flag serves its off variant (flagd's DISABLED would serve each caller's
        // own default instead), so it is exported as a flag that serves the off variant to everyone.
        guard state.enabled else {
            json["defaultVariant"] = .string(flag.offVariant)
            return .object(json)
        }
        for (i, _) in state.prerequisites.enumerated() {
            issues.append(ConversionIssue(path: "\(prefix).prerequisites[\(i)]", reason: "flagd has no prerequisites (a flag depending on another)"))
        }
        var branches: [(condition: Value, result: Value)] = []
        for (i, target) in state.targets.enumerated() {
            let path = "\(prefix).targets[\(i)].attribute"
            let condition = attempt(path) { () throws(ConversionIssue) in try Translator.textIn(target.attribute, target.values, path: path) }
            branches.append((condition, .string(target.variant)))
        }
        for (i, rule) in state.rules.enumerated() {
            var conditions: [Value] = []
            for (j, clause) in rule.clauses.enumerated() {
                conditions.append(self.clause(clause, path: "\(prefix).rules[\(i)].clauses[\(j)]"))
            }
            branches.append((JsonLogic.and(conditions), serve(rule.serve, path: "\(prefix).rules[\(i)].serve")))
        }
        let otherwise = state.default ?? flag.naturalDefault
        var last: Value = .null  // `null`: flagd serves defaultVariant, as Clutch's default serves its variant
        if let variant = otherwise.variant {
            json["defaultVariant"] = .string(variant)
        } else {
            json["defaultVariant"] = .string(flag.offVariant)
            last = serve(otherwise, path: "\(prefix).default")
        }
        guard issues.isEmpty else { return nil }
        if !branches.isEmpty || last != .null {
            json["targeting"] = branches.reversed().reduce(last) { otherwise, branch in
                JsonLogic.if(branch.condition, branch.result, otherwise)
            }
        }
        return .object(json)
    }

    /// A variant's name, or a rollout as `fractional`.
    private mutating func serve(_ serve: Serve, path: String) -> Value {
        if let variant = serve.variant { return .string(variant) }
        guard let rollout = serve.rollout else { return .null }
        let salt = flag.effectiveSalt
        let value: Value
        do {
            value = JsonLogic.variable(try Translator.jsonLogicPath(rollout.bucketBy, path: "\(path).rollout.bucketBy"))
        } catch {
            issues.append(error)
            return .null
        }
        let weights = rollout.weights.map { Value.array([.string($0.variant), .integer(Int64($0.weight))]) }
        let fractional = JsonLogic.op("fractional", [JsonLogic.op("cat", .string(salt), Translator.text(value))] + weights)
        // A context without a value Clutch can bucket (missing, null, an array or an object) gets
        // the off variant; Clutch never places it at random.
        return JsonLogic.if(Translator.bucketable(value, targetingKey: rollout.bucketBy == "targetingKey"), fractional, .string(flag.offVariant))
    }

    /// A clause of a rule: an attribute clause, or a cohort through `$ref`.
    private mutating func clause(_ clause: Clause, path: String) -> Value {
        if let cohort = clause.cohort {
            switch cohorts[cohort] {
            case .success?:
                cohortsUsed.insert(cohort)
                let reference: Value = .object(["$ref": .string(cohort)])
                return clause.negate ? JsonLogic.not(reference) : reference
            case .failure(let issue)?:
                issues.append(ConversionIssue(path: path, reason: "cohort '\(cohort)': \(issue.path): \(issue.reason)"))
            case nil:
                issues.append(ConversionIssue(path: path, reason: "cohort '\(cohort)' does not exist in \(environment)"))
            }
            return .bool(false)
        }
        return attempt(path) { () throws(ConversionIssue) in try Translator.attributeClause(clause, path: path) }
    }

    private mutating func attempt(_ path: String, _ body: () throws(ConversionIssue) -> Value) -> Value {
        do {
            return try body()
        } catch {
            issues.append(error)
            return .bool(false)
        }
    }

    // MARK: Cohorts

    /// A cohort as an evaluator: its members, or all its clauses.
    static func cohort(_ cohort: Cohort) throws(ConversionIssue) -> Value {
        var either: [Value] = []
        if !cohort.members.isEmpty {
            either.append(try textIn(cohort.attribute, cohort.members, path: "attribute"))
        }
        if !cohort.clauses.isEmpty {
            var all: [Value] = []
            for (i, clause) in cohort.clauses.enumerated() {
                all.append(try attributeClause(clause, path: "clauses[\(i)]"))
            }
            either.append(JsonLogic.and(all))
        }
        return JsonLogic.or(either)
    }

    // MARK: Clauses

    /// A Clutch attribute path as a JsonLogic `var` path: the same dotted segments. A segment
    /// with a dot in it (`app\.version`) cannot be named: `var` splits at every dot.
    static func jsonLogicPath(_ attribute: String, path: String) throws(ConversionIssue) -> String {
        guard !attribute.utf8.contains(UInt8(ascii: "\\")) else {
            throw ConversionIssue(path: path, reason: "flagd cannot name an attribute with a dot in its name ('\(attribute)')")
        }
        return attribute
    }

    /// Whether `value` is one Clutch matches against text (a target, a cohort's members, `in`):
    /// its text (`cat`: strings as they are, integers and booleans spelled as Clutch spells them)
    /// is listed, or, for an array, some element's is.
    static func textIn(_ attribute: String, _ values: [String], path: String) throws(ConversionIssue) -> Value {
        let value = JsonLogic.variable(try jsonLogicPath(attribute, path: path))
        if attribute == "targetingKey" { return JsonLogic.op("in", value, JsonLogic.strings(values)) }
        return matching(value, holds: { x in JsonLogic.op("in", text(x), JsonLogic.strings(values)) })
    }

    /// Whether `x` is a boolean: `cat` spells one `true`/`false` (JavaScript, Go) or `True`/`False`
    /// (Python's JsonLogic), and spells no number or other non-string so.
    static func isBoolean(_ x: Value) -> Value {
        JsonLogic.and([
            JsonLogic.not(JsonLogic.op("starts_with", x, "")),
            JsonLogic.op("in", JsonLogic.op("cat", x), JsonLogic.strings(["true", "false", "True", "False"])),
        ])
    }

    /// `x` as Clutch compares it as text: a string as it is, a number as `cat` spells it, a boolean `true`/`false`.
    static func text(_ x: Value) -> Value {
        JsonLogic.if(isBoolean(x), JsonLogic.if(x, "true", "false"), JsonLogic.op("cat", x))
    }

    /// A clause `attribute operator values`, optionally negated.
    static func attributeClause(_ clause: Clause, path: String) throws(ConversionIssue) -> Value {
        guard let attribute = clause.attribute, let name = clause.operator, let op = Operator(rawValue: name) else {
            throw ConversionIssue(path: path, reason: "not a clause Clutch can evaluate")
        }
        let value = JsonLogic.variable(try jsonLogicPath(attribute, path: "\(path).attribute"))
        let targetingKey = attribute == "targetingKey"
        if op == .exists {
            let missing = targetingKey ? JsonLogic.not(value) : JsonLogic.op("===", value, .null)
            return clause.negate ? missing : JsonLogic.not(missing)
        }
        guard let test = test(op, clause.values) else {
            throw ConversionIssue(path: "\(path).operator", reason: unexpressible(op))
        }
        if targetingKey {
            // Always a non-empty string when present: no arrays, nothing it cannot compare but absence.
            let present = JsonLogic.truthy(value)
            return clause.negate
                ? JsonLogic.and([present, test.comparable(value), JsonLogic.not(test.holds(value))])
                : JsonLogic.and([present, test.holds(value)])
        }
        return clause.negate ? failing(value, test) : matching(value, holds: test.holds)
    }

    private static func unexpressible(_ op: Operator) -> String {
        switch op {
        case .matches: "flagd has no regular expressions (matches)"
        case .before, .after: "flagd has no date operators (\(op.rawValue))"
        default: "flagd has no '\(op.rawValue)'"
        }
    }

    /// What an operator says of one value `x` (an expression): whether it holds, and whether the
    /// operator can compare `x` at all (a negated clause holds only where it can).
    struct Test {
        var holds: (Value) -> Value
        var comparable: (Value) -> Value
    }

    static func test(_ op: Operator, _ values: [String]) -> Test? {
        let isString: (Value) -> Value = { x in JsonLogic.op("starts_with", x, "") }
        // No numeric comparison takes a boolean (JsonLogic would count true as 1).
        let notBoolean: (Value) -> Value = { x in JsonLogic.not(isBoolean(x)) }
        switch op {
        case .in:
            // Values that are numbers spelled otherwise than `cat` spells them ("5.0" matches 5).
            let numbers = values.compactMap { text -> Value? in
                guard let d = Double(text), d.isFinite, Value.double(d).comparableText != text else { return nil }
                return JsonLogic.number(d)
            }
            return Test(
                holds: { x in
                    let listed = JsonLogic.op("in", Translator.text(x), JsonLogic.strings(values))
                    guard !numbers.isEmpty else { return listed }
                    return JsonLogic.or([listed, JsonLogic.and([notBoolean(x), JsonLogic.op("in", x, .array(numbers))])])
                },
                comparable: { _ in .bool(true) })
        case .startsWith, .endsWith:
            let name = op == .startsWith ? "starts_with" : "ends_with"
            return Test(holds: { x in JsonLogic.or(values.map { JsonLogic.op(name, x, .string($0)) }) }, comparable: isString)
        case .contains:
            return Test(
                holds: { x in JsonLogic.and([isString(x), JsonLogic.or(values.map { JsonLogic.op("in", .string($0), x) })]) },
                comparable: isString)
        case .lessThan, .lessThanOrEqual, .greaterThan, .greaterThanOrEqual:
            let numbers = values.compactMap { Double($0) }.map(JsonLogic.number)
            return Test(
                holds: { x in JsonLogic.and([notBoolean(x), JsonLogic.or(numbers.map { JsonLogic.op(op.rawValue, x, $0) })]) },
                // A number, or text JsonLogic reads as one (else both comparisons with 0 are false).
                comparable: { x in JsonLogic.and([notBoolean(x), JsonLogic.or([JsonLogic.op("<", x, 0), JsonLogic.op(">=", x, 0)])]) })
        case .semverEqual, .semverLessThan, .semverLessThanOrEqual, .semverGreaterThan, .semverGreaterThanOrEqual:
            let comparison = String(op.rawValue.dropFirst("semver".count))
            return Test(
                holds: { x in JsonLogic.or(values.map { JsonLogic.op("sem_ver", x, .string(comparison), .string($0)) }) },
                // sem_ver yields null for what is not a version.
                comparable: { x in JsonLogic.op("!==", JsonLogic.op("sem_ver", x, "=", "0.0.0"), .null) })
        case .matches, .before, .after, .exists:
            return nil
        }
    }

    /// Holds when the value, or for an array some element, holds; never for a missing value, or
    /// an empty array.
    static func matching(_ value: Value, holds: (Value) -> Value) -> Value {
        JsonLogic.if(
            JsonLogic.op("some", value, true),
            JsonLogic.op("some", value, holds(JsonLogic.element)),
            JsonLogic.and([present(value), holds(value)]))
    }

    /// A negated clause: holds when the operator fails — for an array, when no element holds and
    /// some can be compared (or the array is empty); never where nothing can be compared.
    static func failing(_ value: Value, _ test: Test) -> Value {
        JsonLogic.if(
            JsonLogic.op("some", value, true),
            JsonLogic.and([JsonLogic.op("none", value, test.holds(JsonLogic.element)), JsonLogic.op("some", value, test.comparable(JsonLogic.element))]),
            JsonLogic.if(
                emptyArray(value), true,
                JsonLogic.and([present(value), test.comparable(value), JsonLogic.not(test.holds(value))])))
    }

    /// Present, not null, and not an empty array (`some` has already taken the others).
    static func present(_ value: Value) -> Value {
        JsonLogic.and([JsonLogic.op("!==", value, .null), JsonLogic.not(emptyArray(value))])
    }

    /// `merge` of an empty array is the only empty result.
    static func emptyArray(_ value: Value) -> Value {
        JsonLogic.not(JsonLogic.op("merge", value))
    }

    /// A value Clutch buckets: a non-empty targeting key; otherwise present, and a string, number or boolean.
    static func bucketable(_ value: Value, targetingKey: Bool) -> Value {
        if targetingKey { return JsonLogic.truthy(value) }
        return JsonLogic.and([present(value), JsonLogic.not(JsonLogic.op("some", value, true))])
    }
}
