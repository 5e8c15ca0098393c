import ClutchAPI
import ClutchCore
import Foundation

/// `clutch import --format unleash`: Unleash features, in either of the two shapes people have.
///
/// - **The export** (`GET /api/admin/features-batch/export`, or the older state export):
///   `features`, `featureStrategies` and `featureEnvironments` (each naming its environment),
///   `segments`. Every environment of the file is imported, or only `--env`'s.
/// - **The client API's features** (`GET /api/client/features`, the file Unleash's SDKs bootstrap
///   from): one environment's `features` with their `strategies` inline, and `segments`. Needs `--env`.
///
/// Unleash enables a feature when any of its strategies holds; Clutch serves the first rule that
/// matches. Strategies therefore become rules serving `on` (or the strategy's variants) — their
/// order does not matter, since any one suffices — with the one partial rollout, if there is one,
/// last. Unleash's `NOT_IN` and inverted constraints hold for a context without the attribute,
/// where a negated Clutch clause does not: such a strategy becomes two rules, one for the attribute
/// missing and one for it present, so every context is answered as Unleash answers it.
public struct UnleashImport: ForeignFormat {
    public init() {}

    public func convert(_ data: Data, environment: String?) throws(ConversionFailure) -> Conversion {
        let root = try ForeignJSON.parse(data)
        guard let features = root["features"]?.elements else {
            throw root.failure("not an Unleash document: expected \"features\" (its export, or its client API's features)")
        }
        var reader = UnleashReader(segments: root["segments"]?.elements ?? [])
        var flags: [Flag] = []
        if root["featureStrategies"] != nil || root["featureEnvironments"] != nil {
            // The export: strategies and environments listed apart from the features.
            let strategies = root["featureStrategies"]?.elements ?? []
            let environments = root["featureEnvironments"]?.elements ?? []
            for feature in features {
                guard let name = feature["name"]?.string else {
                    reader.unmapped.append(feature.unmapped("a feature needs its \"name\""))
                    continue
                }
                var states: [String: UnleashReader.EnvironmentState] = [:]
                for env in environments where env["featureName"]?.string == name {
                    guard let key = env["environment"]?.string, environment == nil || environment == key else { continue }
                    states[key] = UnleashReader.EnvironmentState(
                        enabled: env["enabled"]?.value == .bool(true), variants: env["variants"] ?? feature["variants"], strategies: [])
                }
                for strategy in strategies where strategy["featureName"]?.string == name {
                    guard let key = strategy["environment"]?.string, states[key] != nil else { continue }
                    states[key]?.strategies.append(strategy)
                }
                for key in states.keys { states[key]?.strategies.sort { ($0["sortOrder"]?.value.numberValue ?? 0) < ($1["sortOrder"]?.value.numberValue ?? 0) } }
                if let environment, states[environment] == nil {
                    reader.unmapped.append(feature.unmapped("the feature has no environment '\(environment)'"))
                    continue
                }
                if let flag = reader.flag(name, feature, states: states) { flags.append(flag) }
            }
        } else {
            guard let environment, !environment.isEmpty else {
                throw ConversionFailure(
                    path: "environment", "Unleash's client features hold one environment's features: name the environment (--env)")
            }
            for feature in features {
                guard let name = feature["name"]?.string else {
                    reader.unmapped.append(feature.unmapped("a feature needs its \"name\""))
                    continue
                }
                let state = UnleashReader.EnvironmentState(
                    enabled: feature["enabled"]?.value == .bool(true), variants: feature["variants"],
                    strategies: feature["strategies"]?.elements ?? [])
                if let flag = reader.flag(name, feature, states: [environment: state]) { flags.append(flag) }
            }
        }
        return Conversion(document: ClutchDocument(flags: flags), unmapped: reader.unmapped, notes: reader.notes)
    }
}

/// Reads Unleash features, collecting what cannot be mapped.
private struct UnleashReader {
    struct EnvironmentState {
        var enabled: Bool
        var variants: ForeignJSON?
        var strategies: [ForeignJSON]
    }

    /// Segment constraints by id.
    let segments: [Int64: ForeignJSON]
    var unmapped: [ConversionIssue] = []
    var notes: [ConversionIssue] = []

    /// The variant served when a feature is off or no strategy holds: Unleash's own name for it.
    static let disabled = "disabled"

    init(segments: [ForeignJSON]) {
        var byID: [Int64: ForeignJSON] = [:]
        for segment in segments {
            if case .integer(let id) = segment["id"]?.value ?? .null { byID[id] = segment }
        }
        self.segments = byID
    }

    /// One feature as a flag: boolean when no environment has variants, else a string flag whose
    /// variants are Unleash's variant names (the value its payload when that is a string) and `disabled`.
    mutating func flag(_ name: String, _ feature: ForeignJSON, states: [String: EnvironmentState]) -> Flag? {
        let before = unmapped.count
        guard KeyRule.isValid(name) else {
            unmapped.append(feature.unmapped(
                KeyRule.message("flag", name) + " — the applications ask for flags by name, so rename it in Unleash and in the code first"))
            return nil
        }
        // Every variant any environment or strategy names, in order of first appearance.
        var variantValues: [(String, Value)] = []
        func collect(_ list: ForeignJSON?) {
            for variant in list?.elements ?? [] {
                guard let variantName = variant["name"]?.string, !variantValues.contains(where: { $0.0 == variantName }) else { continue }
                let payload = variant["payload"]
                let value: Value = payload?["type"]?.string == "string" ? (payload?["value"]?.value ?? .string(variantName)) : .string(variantName)
                variantValues.append((variantName, value))
            }
        }
        for (_, state) in states.sorted(by: { $0.key < $1.key }) {
            collect(state.variants)
            for strategy in state.strategies { collect(strategy["variants"]) }
        }
        let boolean = variantValues.isEmpty
        var variants: [Variant]
        if boolean {
            variants = [Variant(key: "on", value: .bool(true)), Variant(key: "off", value: .bool(false))]
        } else {
            variants = []
            for (variantName, value) in variantValues {
                guard KeyRule.isValid(variantName), variantName != Self.disabled else {
                    unmapped.append(feature.unmapped(KeyRule.message("variant", variantName)))
                    continue
                }
                variants.append(Variant(key: variantName, value: value))
            }
            variants.append(Variant(key: Self.disabled, value: .string(Self.disabled)))
        }
        let off = boolean ? "off" : Self.disabled
        var environments: [String: FlagState] = [:]
        for (key, state) in states {
            if let converted = self.state(state, feature: name, boolean: boolean, off: off) { environments[key] = converted }
        }
        guard unmapped.count == before else { return nil }
        return Flag(
            key: name, type: boolean ? .boolean : .string, description: feature["description"]?.string ?? "",
            variants: variants, offVariant: off, environments: environments)
    }

    /// A rule that a strategy becomes, before it is split for inverted constraints.
    private struct Draft {
        var clauses: [[Clause]]
        var serve: Serve
        var partial: Bool
        var path: ForeignJSON
    }

    private mutating func state(_ state: EnvironmentState, feature: String, boolean: Bool, off: String) -> FlagState? {
        let before = unmapped.count
        var flagState = FlagState(enabled: state.enabled, default: .variant(off))
        // Enabled with no strategy at all: on for everyone.
        if state.strategies.isEmpty {
            guard let serve = enabledServe(state.variants, strategy: nil, feature: feature, boolean: boolean, percent: 100, off: off) else { return nil }
            flagState.default = serve
            return flagState
        }
        var drafts: [Draft] = []
        for strategy in state.strategies {
            if strategy["disabled"]?.value == .bool(true) { continue }
            guard let draft = self.draft(strategy, state: state, feature: feature, boolean: boolean, off: off) else { continue }
            drafts.append(draft)
        }
        let partial = drafts.filter(\.partial)
        if partial.count > 1 {
            unmapped.append(partial[1].path.unmapped(
                "a second partial rollout: a context outside one rollout may fall inside the other, which Clutch's first-matching rule cannot express"))
            return nil
        }
        // Any strategy suffices, so their order is free: the partial rollout goes last, where a
        // context it leaves out has already been offered every other strategy.
        drafts.sort { !$0.partial && $1.partial }
        for draft in drafts {
            for clauses in draft.clauses {
                flagState.rules.append(Rule(description: "Unleash strategy \(draft.path.path)", clauses: clauses, serve: draft.serve))
            }
        }
        // A last rule without clauses is the default itself.
        if let last = flagState.rules.last, last.clauses.isEmpty {
            flagState.rules.removeLast()
            flagState.default = last.serve
        }
        guard unmapped.count == before else { return nil }
        return flagState
    }

    /// A strategy's rule: its constraints (and its segments'), what it checks, what it serves.
    private mutating func draft(_ strategy: ForeignJSON, state: EnvironmentState, feature: String, boolean: Bool, off: String) -> Draft? {
        let name = strategy["name"]?.string ?? strategy["strategyName"]?.string ?? ""
        var constraints = strategy["constraints"]?.elements ?? []
        let segmentIDs = strategy["segments"]?.elements ?? []
        for id in segmentIDs {
            guard case .integer(let number) = id.value, let segment = segments[number] else {
                unmapped.append(id.unmapped("segment \(id.value) is not in this document's \"segments\""))
                return nil
            }
            constraints += segment["constraints"]?.elements ?? []
        }
        var percent = 100
        var stickiness = "default"
        var extra: [Clause] = []
        let parameters = strategy["parameters"]
        switch name {
        case "default":
            break
        case "userWithId":
            let ids = (parameters?["userIds"]?.string ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            extra.append(Clause(attribute: "targetingKey", .in, ids))
        case "flexibleRollout":
            let rollout = parameters?["rollout"]
            guard let value = rollout?.value.numberValue ?? rollout?.string.flatMap(Double.init), value >= 0, value <= 100,
                value == value.rounded()
            else {
                unmapped.append((rollout ?? strategy).unmapped("the rollout must be a whole percentage from 0 to 100"))
                return nil
            }
            percent = Int(value)
            stickiness = parameters?["stickiness"]?.string ?? "default"
            if let group = parameters?["groupId"]?.string, group != feature, percent > 0, percent < 100 {
                notes.append(ConversionIssue(path: strategy.path, reason:
                    "flag '\(feature)': the rollout's group id '\(group)' is not carried over: Clutch buckets each flag on its own"))
            }
        default:
            unmapped.append((strategy["name"] ?? strategy).unmapped("the strategy '\(name)' has no Clutch equivalent"))
            return nil
        }
        if percent == 0 { return nil }  // never enabled: nothing to serve
        guard let clauseSets = self.clauses(constraints) else { return nil }
        let variants = strategy["variants"]?.elements?.isEmpty == false ? strategy["variants"] : state.variants
        guard let serve = enabledServe(variants, strategy: strategy, feature: feature, boolean: boolean, percent: percent, off: off, stickiness: stickiness) else {
            return nil
        }
        return Draft(clauses: clauseSets.map { extra + $0 }, serve: serve, partial: percent < 100, path: strategy)
    }

    /// What an enabled feature serves: `on`, or its variants by weight; within a partial rollout
    /// the rest gets `off`/`disabled`. Weights are Unleash's thousandths scaled to 100,000ths.
    private mutating func enabledServe(
        _ variants: ForeignJSON?, strategy: ForeignJSON?, feature: String, boolean: Bool, percent: Int, off: String,
        stickiness: String = "default"
    ) -> Serve? {
        var weights: [Rollout.Weight] = []
        if boolean {
            weights = [Rollout.Weight(variant: "on", weight: percent * 1000)]
        } else {
            let list = variants?.elements ?? []
            if list.isEmpty {
                unmapped.append((strategy ?? variants)?.unmapped("enabled without variants, while other environments or strategies have them") ?? ConversionIssue(path: feature, reason: "no variants"))
                return nil
            }
            for variant in list where !(variant["overrides"]?.elements?.isEmpty ?? true) {
                unmapped.append((variant["overrides"] ?? variant).unmapped(
                    "variant overrides: Clutch targets apply before any strategy is checked, Unleash's only once one holds"))
                return nil
            }
            // The weights as stored (Unleash's SDKs use them as they are; `variable` only says how
            // its console shares them out when variants are edited).
            var thousandths: [(String, Int)] = []
            for variant in list {
                guard let name = variant["name"]?.string else { continue }
                guard let weight = variant["weight"]?.value.numberValue, weight >= 0, weight == weight.rounded() else {
                    unmapped.append((variant["weight"] ?? variant).unmapped("a variant's weight must be a whole number of thousandths"))
                    return nil
                }
                thousandths.append((name, Int(weight)))
            }
            guard thousandths.reduce(0, { $0 + $1.1 }) == 1000 else {
                unmapped.append((variants ?? strategy)?.unmapped("the variants' weights must add up to 1,000") ?? ConversionIssue(path: feature, reason: "weights"))
                return nil
            }
            // Thousandths of the rollout's percentage, in 100,000ths: percent × 1,000 in all.
            var given = 0
            for (index, (name, weight)) in thousandths.enumerated() {
                let share = index == thousandths.count - 1 ? percent * 1000 - given : weight * percent
                weights.append(Rollout.Weight(variant: name, weight: share))
                given += share
            }
        }
        if percent < 100 { weights.append(Rollout.Weight(variant: off, weight: (100 - percent) * 1000)) }
        weights.removeAll { $0.weight == 0 }
        if weights.count == 1, let only = weights.first { return .variant(only.variant) }
        guard let attribute = attribute(stickiness == "default" ? "userId" : stickiness, at: strategy ?? variants) else { return nil }
        if stickiness == "random" { return nil }
        notes.append(ConversionIssue(path: (strategy ?? variants)?.path ?? feature, reason:
            "flag '\(feature)': the rollout keeps its proportions, not which contexts get which variant (Unleash and Clutch bucket differently)"))
        return .rollout(Rollout(bucketBy: attribute, weights: weights))
    }

    // MARK: Constraints

    /// Unleash's constraint operators that map to one Clutch operator.
    static let operators: [String: Operator] = [
        "IN": .in, "NOT_IN": .in, "STR_CONTAINS": .contains, "STR_STARTS_WITH": .startsWith, "STR_ENDS_WITH": .endsWith,
        "NUM_GT": .greaterThan, "NUM_GTE": .greaterThanOrEqual, "NUM_LT": .lessThan, "NUM_LTE": .lessThanOrEqual,
        "DATE_AFTER": .after, "DATE_BEFORE": .before, "SEMVER_EQ": .semverEqual, "SEMVER_GT": .semverGreaterThan,
        "SEMVER_LT": .semverLessThan,
    ]

    /// The constraints as sets of clauses, any of which holding means they all hold in Unleash:
    /// one set, or more when an inverted constraint splits on its attribute being missing.
    private mutating func clauses(_ constraints: [ForeignJSON]) -> [[Clause]]? {
        var sets: [[Clause]] = [[]]
        for constraint in constraints {
            let op = constraint["operator"]?.string ?? ""
            if op == "NUM_EQ" {
                // Equal as numbers: at least and at most the value.
                guard constraint["inverted"]?.value != .bool(true), let name = constraint["contextName"]?.string,
                    let attribute = attribute(name, at: constraint["contextName"]), let value = constraint["value"]?.string
                else {
                    unmapped.append(constraint.unmapped("an inverted NUM_EQ, or one without contextName and value"))
                    return nil
                }
                sets = sets.map { $0 + [Clause(attribute: attribute, .greaterThanOrEqual, [value]), Clause(attribute: attribute, .lessThanOrEqual, [value])] }
                continue
            }
            guard let mapped = Self.operators[op] else {
                unmapped.append((constraint["operator"] ?? constraint).unmapped(
                    "the operator '\(constraint["operator"]?.string ?? "")' has no Clutch equivalent"))
                return nil
            }
            if constraint["caseInsensitive"]?.value == .bool(true), ["STR_CONTAINS", "STR_STARTS_WITH", "STR_ENDS_WITH", "IN", "NOT_IN"].contains(op) {
                unmapped.append((constraint["caseInsensitive"] ?? constraint).unmapped("case-insensitive matching: Clutch compares text exactly"))
                return nil
            }
            guard let contextName = constraint["contextName"]?.string, let attribute = attribute(contextName, at: constraint["contextName"] ?? constraint) else {
                if constraint["contextName"]?.string == nil { unmapped.append(constraint.unmapped("a constraint needs \"contextName\"")) }
                return nil
            }
            var values = constraint["values"]?.elements?.compactMap(\.string) ?? []
            if let single = constraint["value"]?.string { values.append(single) }
            let inverted = (constraint["inverted"]?.value == .bool(true)) != (op == "NOT_IN")
            if !inverted {
                sets = sets.map { $0 + [Clause(attribute: attribute, mapped, values)] }
            } else {
                // Unleash: an inverted constraint holds when the attribute is missing; Clutch's
                // negated clause does not. Missing, or present and not matching.
                sets = sets.flatMap { set in
                    [set + [Clause(attribute: attribute, .exists, negate: true)], set + [Clause(attribute: attribute, mapped, values, negate: true)]]
                }
                if sets.count > 16 {
                    unmapped.append(constraint.unmapped("more than four inverted constraints in one strategy"))
                    return nil
                }
            }
        }
        return sets
    }

    /// The Clutch attribute for an Unleash context field: `userId` is the targeting key (as
    /// OpenFeature's Unleash provider maps it); custom properties keep their names.
    private mutating func attribute(_ name: String, at json: ForeignJSON?) -> String? {
        switch name {
        case "userId": return "targetingKey"
        case "currentTime", "environment", "appName":
            unmapped.append(json?.unmapped("the context field '\(name)' is set by the SDK, not sent by the application") ?? ConversionIssue(path: name, reason: "context field"))
            return nil
        case "random":
            unmapped.append(json?.unmapped("random stickiness: Clutch serves each context the same answer every time") ?? ConversionIssue(path: name, reason: "random"))
            return nil
        default: return name
        }
    }
}
