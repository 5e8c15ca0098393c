import ClutchAPI
import ClutchCore
import Foundation

/// `clutch import --format flagd FILE --env ENV`: a flagd flag-definition document (`flags.json`
/// v0, flags as a map or as an array) as Clutch's import document for one environment.
///
/// The mapping is the README's flagd table read backwards: `state` → `enabled`, `defaultVariant`
/// → the default and the off variant, `if` chains → rules in order (an `or` → one rule per
/// branch), `==`/`in`/`starts_with`/`ends_with`/`sem_ver`/comparisons/`!` → clauses, `$evaluators`
/// → cohorts used through `$ref`, and `fractional` → a rollout (over `cat [$flagd.flagKey, var P]`
/// or `cat ["seed", var P]`, bucketed exactly as flagd buckets). Anything else is named with its
/// path and nothing is imported.
public struct FlagdImport: ForeignFormat {
    public init() {}

    public func convert(_ data: Data, environment: String?) throws(ConversionFailure) -> Conversion {
        guard let environment, !environment.isEmpty else {
            throw ConversionFailure(path: "environment", "a flagd document holds one environment's flags: name the environment (--env)")
        }
        let root = try ForeignJSON.parse(data)
        guard let members = root.members else { throw root.failure("a flagd document is a JSON object") }
        var reader = FlagdReader(environment: environment)
        for (key, member) in members {
            switch key {
            case "flags", "$evaluators", "$schema", "metadata": break
            default: reader.unmapped.append(member.unmapped("not part of a flagd flag-definition document"))
            }
        }
        var cohorts: [Cohort] = []
        for (name, logic) in root["$evaluators"]?.members ?? [] {
            if let cohort = reader.cohort(name, logic) { cohorts.append(cohort) }
        }
        reader.evaluators = Set(cohorts.map(\.key))
        var flags: [Flag] = []
        if let map = root["flags"]?.members {
            for (key, flag) in map {
                if let converted = reader.flag(key, flag, path: flag) { flags.append(converted) }
            }
        } else if let list = root["flags"]?.elements {
            for flag in list {
                guard let key = flag["key"]?.string else {
                    reader.unmapped.append(flag.unmapped("a flag in a list needs its \"key\""))
                    continue
                }
                if let converted = reader.flag(key, flag, path: flag) { flags.append(converted) }
            }
        } else {
            throw ConversionFailure(path: "flags", "a flagd document has its flags under \"flags\" (an object by key, or a list)")
        }
        let document = ClutchDocument(flags: flags, cohorts: cohorts.isEmpty ? [:] : [environment: cohorts])
        return Conversion(document: document, unmapped: reader.unmapped, notes: reader.notes)
    }
}

/// Reads flags, conditions and evaluators, collecting what cannot be mapped.
private struct FlagdReader {
    let environment: String
    var unmapped: [ConversionIssue] = []
    var notes: [ConversionIssue] = []
    /// The evaluators that became cohorts (`$ref` to another cannot be mapped).
    var evaluators: Set<String> = []

    init(environment: String) { self.environment = environment }

    /// One flag, or nil (with its problems recorded) when it cannot be mapped.
    mutating func flag(_ key: String, _ json: ForeignJSON, path: ForeignJSON) -> Flag? {
        let before = unmapped.count
        if !KeyRule.isValid(key) {
            unmapped.append(json.unmapped(KeyRule.message("flag", key)))
        }
        for (name, member) in json.members ?? [] where !["state", "variants", "defaultVariant", "targeting", "metadata", "key", "source", "selector"].contains(name) {
            unmapped.append(member.unmapped("not a flagd flag field"))
        }
        // Variants, typed by their values.
        var variants: [Variant] = []
        var kinds = Set<FlagType>()
        for (name, value) in json["variants"]?.members ?? [] {
            switch value.value {
            case .bool: kinds.insert(.boolean)
            case .string: kinds.insert(.string)
            case .integer: kinds.insert(.integer)
            case .double: kinds.insert(.double)
            case .object: kinds.insert(.object)
            default:
                unmapped.append(value.unmapped("a variant's value must be a boolean, string, number or object"))
            }
            variants.append(Variant(key: name, value: value.value))
        }
        if kinds == [.integer, .double] { kinds = [.double] }
        if variants.isEmpty { unmapped.append((json["variants"] ?? json).unmapped("a flag needs variants")) }
        if kinds.count > 1 { unmapped.append((json["variants"] ?? json).unmapped("variants of different types (\(kinds.map(\.rawValue).sorted().joined(separator: ", ")))")) }
        let type = kinds.first ?? .boolean
        // Off and default: flagd's defaultVariant.
        guard let defaultVariant = json["defaultVariant"]?.string, !defaultVariant.isEmpty else {
            unmapped.append((json["defaultVariant"] ?? json).unmapped(
                "no defaultVariant: flagd then serves each caller's own default, and every Clutch flag serves one of its variants"))
            return nil
        }
        var enabled = true
        switch json["state"]?.string {
        case "ENABLED", nil: break
        case "DISABLED":
            enabled = false
            notes.append(ConversionIssue(path: json.path, reason:
                "disabled: flagd serves each caller's own default; Clutch serves the off variant, '\(defaultVariant)'"))
        default:
            unmapped.append((json["state"] ?? json).unmapped("state must be ENABLED or DISABLED"))
        }
        var state = FlagState(enabled: enabled, default: .variant(defaultVariant))
        salt = nil
        if let targeting = json["targeting"], targeting.members?.isEmpty == false {
            targets(targeting, into: &state, flagKey: key, defaultVariant: defaultVariant)
        }
        guard unmapped.count == before else { return nil }
        return Flag(
            key: key, type: type, variants: variants, offVariant: defaultVariant, salt: salt ?? nil, environments: [environment: state])
    }

    // MARK: Targeting

    /// The targeting expression as rules and a default: an `if` chain whose conditions become
    /// rules in order and whose last `else` (or a variant or `fractional` alone) is the default.
    private mutating func targets(_ json: ForeignJSON, into state: inout FlagState, flagKey: String, defaultVariant: String) {
        var current = json
        while true {
            if case .null = current.value { return }  // flagd serves defaultVariant
            if let variant = current.string {
                state.default = .variant(variant)
                return
            }
            if let rollout = rollout(current, flagKey: flagKey) {
                state.default = rollout
                return
            }
            guard let args = current["if"]?.elements, args.count >= 2 else {
                if current["fractional"] == nil { unmapped.append(current.unmapped("targeting must be an if chain, a variant or fractional")) }
                return
            }
            // `if [c1, r1, c2, r2, …, else]`, and nested `if`s in the else position.
            var index = 0
            while index + 1 < args.count {
                let serve = self.serve(args[index + 1], flagKey: flagKey, defaultVariant: defaultVariant)
                for clauses in condition(args[index]) {
                    if let serve { state.rules.append(Rule(clauses: clauses, serve: serve)) }
                }
                index += 2
            }
            guard index < args.count else { return }
            current = args[index]
        }
    }

    /// What a branch serves: a variant, or a rollout.
    private mutating func serve(_ json: ForeignJSON, flagKey: String, defaultVariant: String) -> Serve? {
        if let variant = json.string { return .variant(variant) }
        if case .null = json.value { return .variant(defaultVariant) }  // flagd's null: the default variant
        if json["fractional"] != nil { return rollout(json, flagKey: flagKey) }
        unmapped.append(json.unmapped("a branch must serve a variant or fractional (nested conditions in a branch cannot be mapped)"))
        return nil
    }

    /// `fractional` as a rollout with the same buckets.
    private mutating func rollout(_ json: ForeignJSON, flagKey: String) -> Serve? {
        guard let args = json["fractional"]?.elements, !args.isEmpty else { return nil }
        var bucketBy = "targetingKey"
        var salt: String?
        var weights = args
        if args[0].elements == nil {
            weights.removeFirst()
            guard let parts = args[0]["cat"]?.elements, parts.count == 2, let attribute = variable(parts[1]) else {
                unmapped.append(args[0].unmapped("Clutch buckets by cat [$flagd.flagKey or a seed, var ATTRIBUTE]; this bucketing expression cannot be mapped"))
                return nil
            }
            if variable(parts[0]) == "$flagd.flagKey" {
                salt = nil
            } else if let seed = parts[0].string, !seed.isEmpty {
                salt = seed
            } else {
                unmapped.append(parts[0].unmapped("the seed must be $flagd.flagKey or a non-empty string"))
                return nil
            }
            bucketBy = attribute
        }
        // Clutch has one salt per flag: every fractional of a flag must hash with the same seed.
        if let chosen = self.salt, chosen != salt {
            unmapped.append(args[0].unmapped("another fractional of this flag uses another seed; a Clutch flag has one salt"))
            return nil
        }
        self.salt = .some(salt)
        var parsed: [(String, Int)] = []
        for weight in weights {
            guard let pair = weight.elements, let variant = pair.first?.string, pair.count <= 2 else {
                unmapped.append(weight.unmapped("a fractional entry is [variant, weight]"))
                return nil
            }
            var amount = 1
            if pair.count == 2 {
                guard case .integer(let w) = pair[1].value, w >= 0, w <= Int64(Int32.max) else {
                    unmapped.append(pair[1].unmapped("a weight must be a whole number from 0"))
                    return nil
                }
                amount = Int(w)
            }
            parsed.append((variant, amount))
        }
        let total = parsed.reduce(0) { $0 + $1.1 }
        guard total > 0 else {
            unmapped.append(json.unmapped("the weights add up to 0"))
            return nil
        }
        // Weights in Clutch's 100,000ths; when the total does not divide evenly, the buckets' edges move by less than 1/100,000.
        var scaled = parsed.map { ($0.0, $0.1 * Rollout.totalWeight / total) }
        let remainder = Rollout.totalWeight - scaled.reduce(0) { $0 + $1.1 }
        if remainder != 0, let last = scaled.indices.last(where: { scaled[$0].1 > 0 }) {
            scaled[last].1 += remainder
            notes.append(ConversionIssue(path: json.path, reason: "weights total \(total): rescaled to 100,000ths, bucket edges move by less than 0.001 %"))
        }
        return .rollout(Rollout(bucketBy: bucketBy, weights: scaled.map { Rollout.Weight(variant: $0.0, weight: $0.1) }))
    }

    /// The seed the flag being read hashes with: `.some(nil)` for flagd's `$flagd.flagKey`
    /// (Clutch's default salt, the flag key), `nil` before its first `fractional`.
    var salt: String??

    /// `{"var": "path"}` → the path (Clutch's attribute paths are flagd's `var` paths).
    private func variable(_ json: ForeignJSON) -> String? {
        guard let members = json.members, members.count == 1, members[0].key == "var" else { return nil }
        return members[0].value.string
    }

    // MARK: Conditions

    /// A condition as alternatives of clause lists (one rule each): `or` splits, `and` joins.
    private mutating func condition(_ json: ForeignJSON) -> [[Clause]] {
        if let branches = json["or"]?.elements {
            return branches.flatMap { branch -> [[Clause]] in
                let alternatives = condition(branch)
                return alternatives
            }
        }
        if let parts = json["and"]?.elements {
            var clauses: [Clause] = []
            for part in parts {
                let alternatives = condition(part)
                guard alternatives.count == 1 else {
                    unmapped.append(part.unmapped("an or inside an and cannot be mapped: a Clutch rule is an AND of clauses"))
                    return []
                }
                clauses += alternatives[0]
            }
            return [clauses]
        }
        if case .bool(true) = json.value { return [[]] }
        return clause(json).map { [$0] } ?? []
    }

    /// One test as clauses (`sem_ver ~`/`^` and `<` between two bounds are two).
    private mutating func clause(_ json: ForeignJSON) -> [Clause]? {
        guard let members = json.members, members.count == 1 else {
            unmapped.append(json.unmapped("not a condition Clutch can map"))
            return nil
        }
        let (op, argument) = members[0]
        if op == "$ref" {
            guard let name = argument.string, evaluators.contains(name) else {
                unmapped.append(json.unmapped("$ref names no evaluator that could be mapped"))
                return nil
            }
            return [.inCohort(name)]
        }
        if op == "!" {
            let inner = argument.elements?.first ?? argument
            guard let clauses = clause(inner) else { return nil }
            guard clauses.count == 1 else {
                unmapped.append(json.unmapped("the negation of several clauses is an or, which a Clutch rule cannot hold"))
                return nil
            }
            var negated = clauses[0]
            negated.negate.toggle()
            if negated.cohort == nil, negated.negate {
                notes.append(ConversionIssue(path: json.path, reason: "a negated test does not hold where the attribute is missing or cannot be compared, as flagd's does"))
            }
            return [negated]
        }
        guard let args = argument.elements else {
            unmapped.append(json.unmapped("'\(op)' needs its arguments as a list"))
            return nil
        }
        if let special = args.first(where: { variable($0)?.hasPrefix("$flagd.") == true }) {
            unmapped.append(special.unmapped(
                "\(variable(special) ?? "") is not an attribute of the context (Clutch compares dates with fixed instants; there is no \"now\")"))
            return nil
        }
        switch op {
        case "==", "===", "!=", "!==":
            guard args.count == 2 else { break }
            let negate = op.hasPrefix("!")
            if let attribute = attribute(args[0]), let value = literal(args[1]) {
                return [negated(Clause(attribute: attribute, .in, [value]), negate, json)]
            }
            if let attribute = attribute(args[1]), let value = literal(args[0]) {
                return [negated(Clause(attribute: attribute, .in, [value]), negate, json)]
            }
        case "in":
            guard args.count == 2 else { break }
            if let attribute = attribute(args[0]), let list = args[1].elements {
                let values = list.compactMap(literal)
                guard values.count == list.count else { break }
                return [Clause(attribute: attribute, .in, values)]
            }
            if let value = args[0].string, let attribute = attribute(args[1]) {
                return [Clause(attribute: attribute, .contains, [value])]
            }
        case "starts_with", "ends_with":
            guard args.count == 2, let attribute = attribute(args[0]), let value = args[1].string else { break }
            return [Clause(attribute: attribute, op == "starts_with" ? .startsWith : .endsWith, [value])]
        case "sem_ver":
            guard args.count == 3, let attribute = attribute(args[0]), let comparison = args[1].string, let text = args[2].string,
                  let version = SemanticVersion(text) else { break }
            switch comparison {
            case "=": return [Clause(attribute: attribute, .semverEqual, [text])]
            case "!=": return [negated(Clause(attribute: attribute, .semverEqual, [text]), true, json)]
            case "<": return [Clause(attribute: attribute, .semverLessThan, [text])]
            case "<=": return [Clause(attribute: attribute, .semverLessThanOrEqual, [text])]
            case ">": return [Clause(attribute: attribute, .semverGreaterThan, [text])]
            case ">=": return [Clause(attribute: attribute, .semverGreaterThanOrEqual, [text])]
            case "~", "^":
                guard let major = Int(version.major), let minor = Int(version.minor), major < Int.max, minor < Int.max else { break }
                let (low, high) = comparison == "~"
                    ? ("\(major).\(minor).0-0", "\(major).\(minor + 1).0-0")
                    : ("\(major).0.0-0", "\(major + 1).0.0-0")
                return [Clause(attribute: attribute, .semverGreaterThanOrEqual, [low]), Clause(attribute: attribute, .semverLessThan, [high])]
            default: break
            }
        case "<", "<=", ">", ">=":
            let flipped = ["<": ">", "<=": ">=", ">": "<", ">=": "<="]
            if args.count == 2, let attribute = attribute(args[0]), let number = number(args[1]), let op = Operator(rawValue: op) {
                return [Clause(attribute: attribute, op, [number])]
            }
            if args.count == 2, let attribute = attribute(args[1]), let number = number(args[0]),
               let op = flipped[op].flatMap(Operator.init(rawValue:)) {
                return [Clause(attribute: attribute, op, [number])]
            }
            // Between: [low, var, high].
            if args.count == 3, let low = number(args[0]), let attribute = attribute(args[1]), let high = number(args[2]),
               let lower = flipped[op].flatMap(Operator.init(rawValue:)), let upper = Operator(rawValue: op) {
                return [Clause(attribute: attribute, lower, [low]), Clause(attribute: attribute, upper, [high])]
            }
        default:
            unmapped.append(json.unmapped("'\(op)' has no Clutch clause"))
            return nil
        }
        unmapped.append(json.unmapped("'\(op)' with these arguments has no Clutch clause"))
        return nil
    }

    private mutating func negated(_ clause: Clause, _ negate: Bool, _ json: ForeignJSON) -> Clause {
        guard negate else { return clause }
        var clause = clause
        clause.negate = true
        notes.append(ConversionIssue(path: json.path, reason: "a negated test does not hold where the attribute is missing or cannot be compared, as flagd's does"))
        return clause
    }

    /// The attribute a `var` names (`$flagd` properties are not context attributes).
    private func attribute(_ json: ForeignJSON) -> String? {
        guard let path = variable(json), !path.isEmpty, !path.hasPrefix("$flagd.") else { return nil }
        return path
    }

    /// A literal compared as text: a string, a number or a boolean.
    private func literal(_ json: ForeignJSON) -> String? {
        switch json.value {
        case .string, .integer, .double, .bool: json.value.comparableText
        default: nil
        }
    }

    private func number(_ json: ForeignJSON) -> String? {
        switch json.value {
        case .integer, .double: json.value.comparableText
        default: nil
        }
    }

    // MARK: Evaluators

    /// An evaluator as a cohort: `in [var P, [members…]]` becomes members by P; any other
    /// condition that is one AND of clauses becomes the cohort's clauses.
    mutating func cohort(_ name: String, _ json: ForeignJSON) -> Cohort? {
        guard KeyRule.isValid(name) else {
            unmapped.append(json.unmapped(KeyRule.message("cohort", name)))
            return nil
        }
        if let args = json["in"]?.elements, args.count == 2, let attribute = attribute(args[0]), let list = args[1].elements {
            let members = list.compactMap(literal)
            if members.count == list.count { return Cohort(key: name, attribute: attribute, members: members) }
        }
        let before = unmapped.count
        let alternatives = condition(json)
        guard unmapped.count == before else { return nil }
        guard alternatives.count == 1, !alternatives[0].isEmpty, !alternatives[0].contains(where: { $0.cohort != nil }) else {
            unmapped.append(json.unmapped("an evaluator must be one AND of tests (or a list of members) to become a cohort"))
            return nil
        }
        return Cohort(key: name, clauses: alternatives[0])
    }
}
