import ClutchAPI
import ClutchCore
import Foundation

/// `clutch import --format launchdarkly`: LaunchDarkly flags, in either of the two shapes people
/// have them in.
///
/// - **SDK data**, as LaunchDarkly's SDKs' file data source reads it (and as its streaming API
///   sends it): `{"flags": {key: flag}, "segments": {key: segment}, "flagValues": {key: value}}`,
///   one environment's rules inline in each flag. Needs `--env`.
/// - **REST API**, as `GET /api/v2/flags/{project}` returns it (`{"items": [flag…]}`, a list, or one
///   flag): variations once, and each environment's rules under `environments.<key>`. Every
///   environment of the file is imported, or only `--env`'s. Segments, which the REST API serves
///   from another endpoint, may be added under a top-level `"segments"` as in the SDK shape.
///
/// LaunchDarkly evaluates a flag as Clutch does — off variation, prerequisites, individual
/// targets, rules in order, fallthrough — so each part maps one to one. What does not (a context
/// kind other than `user`, a segment with exclusions or several rules, a flag off without an off
/// variation) is reported with its path, never dropped.
public struct LaunchDarklyImport: ForeignFormat {
    public init() {}

    public func convert(_ data: Data, environment: String?) throws(ConversionFailure) -> Conversion {
        let root = try ForeignJSON.parse(data)
        var reader = LaunchDarklyReader()
        var flags: [Flag] = []
        var cohorts: [String: [Cohort]] = [:]
        let listed = root["items"]?.elements ?? root.elements
        if let listed {
            reader.noteVariations(of: listed)
            for flag in listed {
                if let converted = reader.restFlag(flag, only: environment) { flags.append(converted) }
            }
        } else if root["environments"] != nil, root["variations"] != nil {
            reader.noteVariations(of: [root])
            if let converted = reader.restFlag(root, only: environment) { flags.append(converted) }
        } else if root["flags"] != nil || root["flagValues"] != nil {
            guard let environment, !environment.isEmpty else {
                throw ConversionFailure(
                    path: "environment", "LaunchDarkly's SDK data holds one environment's flags: name the environment (--env)")
            }
            for (name, member) in root.members ?? [] where !["flags", "segments", "flagValues"].contains(name) {
                reader.unmapped.append(member.unmapped("not part of LaunchDarkly's SDK data (flags, segments, flagValues)"))
            }
            let sdkFlags = root["flags"]?.members ?? []
            reader.noteVariations(of: sdkFlags.map(\.value))
            for (key, flag) in sdkFlags {
                if let converted = reader.sdkFlag(key, flag, environment: environment) { flags.append(converted) }
            }
            for (key, value) in root["flagValues"]?.members ?? [] {
                if let converted = reader.simpleFlag(key, value, environment: environment) { flags.append(converted) }
            }
        } else {
            throw root.failure(
                "not a LaunchDarkly document: expected SDK data ({\"flags\": …}) or the REST API's flags ({\"items\": […]}, a list, or one flag)")
        }
        if let segments = root["segments"] {
            let converted = reader.segments(segments)
            if !converted.isEmpty {
                guard let environment, !environment.isEmpty else {
                    throw ConversionFailure(path: "environment", "segments belong to one environment: name it (--env)")
                }
                cohorts[environment] = converted
            }
        }
        return Conversion(document: ClutchDocument(flags: flags, cohorts: cohorts), unmapped: reader.unmapped, notes: reader.notes)
    }
}

/// Reads LaunchDarkly flags and segments, collecting what cannot be mapped.
private struct LaunchDarklyReader {
    var unmapped: [ConversionIssue] = []
    var notes: [ConversionIssue] = []
    /// Each flag's variation keys by index, for prerequisites that name another flag's variation.
    var variationKeys: [String: [String]] = [:]

    /// The fields of a flag's per-environment state (SDK data has them inline in the flag).
    static let stateFields: Set<String> = [
        "on", "offVariation", "fallthrough", "targets", "contextTargets", "rules", "prerequisites",
    ]
    /// Fields that only describe or instrument a flag: read past, since they change no answer.
    static let ignoredFields: Set<String> = [
        "key", "version", "salt", "trackEvents", "trackEventsFallthrough", "debugEventsUntilDate", "clientSide",
        "clientSideAvailability", "deleted", "excludeFromSummaries", "samplingRatio", "migrationSettings", "_version",
        "_links", "_maintainer", "_maintainerId", "_site", "_summary", "_access", "_lastModified", "_environmentName",
        "_debugEventsUntilDate", "_evaluation", "archived", "archivedDate", "creationDate", "customProperties",
        "defaults", "experiments", "goalIds", "includeInSnippet", "kind", "maintainerId", "maintainerTeamKey", "name",
        "tags", "temporary", "description", "variations", "environments", "deprecated", "deprecatedDate",
        "_purpose", "lastModified", "sel", "_status", "codeReferences",
    ]

    /// Notes the variation keys of every flag before any is converted: a prerequisite may name a
    /// flag further down the file.
    mutating func noteVariations(of flags: [ForeignJSON]) {
        for flag in flags {
            guard let key = flag["key"]?.string, let variations = flag["variations"]?.elements else { continue }
            variationKeys[key] = Self.keys(for: variations)
        }
    }

    // MARK: Flags

    /// A flag of the REST API: variations once, each environment's state under `environments`.
    mutating func restFlag(_ json: ForeignJSON, only environment: String?) -> Flag? {
        guard let key = json["key"]?.string else {
            unmapped.append(json.unmapped("a flag needs its \"key\""))
            return nil
        }
        let before = unmapped.count
        guard let (type, variants) = self.variants(json, key: key) else { return nil }
        var states: [String: FlagState] = [:]
        var offVariant: String?
        var offPath = ""
        for (name, env) in json["environments"]?.members ?? [] where environment == nil || environment == name {
            guard let (state, off) = self.state(env, flag: key, variants: variants) else { continue }
            if let off {
                if let offVariant, offVariant != off {
                    unmapped.append(env["offVariation"]?.unmapped(
                        "the off variation differs from \(offPath)'s: a Clutch flag has one off variant in every environment") ?? env.unmapped("off variation"))
                }
                offVariant = offVariant ?? off
                offPath = offPath.isEmpty ? (env["offVariation"]?.path ?? env.path) : offPath
            }
            states[name] = state
        }
        if let environment, states[environment] == nil, unmapped.count == before {
            unmapped.append(json.unmapped("the flag has no environment '\(environment)'"))
        }
        guard unmapped.count == before else { return nil }
        return Flag(
            key: key, type: type, description: description(json), variants: variants,
            offVariant: offVariant ?? variants.last?.key, environments: states)
    }

    /// A flag of SDK data: one environment's state inline.
    mutating func sdkFlag(_ key: String, _ json: ForeignJSON, environment: String) -> Flag? {
        let before = unmapped.count
        for (name, member) in json.members ?? [] where !Self.stateFields.contains(name) && !Self.ignoredFields.contains(name) {
            unmapped.append(member.unmapped("not a LaunchDarkly flag field Clutch can carry over"))
        }
        guard let (type, variants) = self.variants(json, key: key) else { return nil }
        guard let (state, off) = self.state(json, flag: key, variants: variants) else { return nil }
        guard unmapped.count == before else { return nil }
        return Flag(
            key: key, type: type, description: description(json), variants: variants,
            offVariant: off ?? variants.last?.key, environments: [environment: state])
    }

    /// `flagValues`: a flag that serves one value to everyone.
    mutating func simpleFlag(_ key: String, _ value: ForeignJSON, environment: String) -> Flag? {
        guard checkKey(key, value) else { return nil }
        guard let type = Self.type(of: value.value) else {
            unmapped.append(value.unmapped("a value must be a boolean, string, number or object"))
            return nil
        }
        let variant = Variant(key: "value", value: value.value)
        return Flag(
            key: key, type: type, variants: [variant], offVariant: "value",
            environments: [environment: FlagState(enabled: true, default: .variant("value"))])
    }

    private mutating func checkKey(_ key: String, _ json: ForeignJSON) -> Bool {
        guard KeyRule.isValid(key) else {
            unmapped.append(json.unmapped(
                KeyRule.message("flag", key) + " — the applications ask for flags by key, so rename it in LaunchDarkly and in the code first"))
            return false
        }
        return true
    }

    private func description(_ json: ForeignJSON) -> String {
        if let text = json["description"]?.string, !text.isEmpty { return text }
        return json["name"]?.string ?? ""
    }

    /// The flag's type and variants, from its variations.
    private mutating func variants(_ json: ForeignJSON, key: String) -> (FlagType, [Variant])? {
        guard checkKey(key, json) else { return nil }
        guard let variations = json["variations"]?.elements, !variations.isEmpty else {
            unmapped.append((json["variations"] ?? json).unmapped("a flag needs variations"))
            return nil
        }
        var kinds = Set<FlagType>()
        var values: [Value] = []
        for variation in variations {
            // The REST API wraps each value ({"value": …, "name": …}); SDK data lists them bare.
            let value = variation["value"] ?? variation
            guard let kind = Self.type(of: value.value) else {
                unmapped.append(value.unmapped("a variation must be a boolean, string, number or object (Clutch's JSON flags serve objects)"))
                continue
            }
            kinds.insert(kind)
            values.append(value.value)
        }
        if kinds == [.integer, .double] { kinds = [.double] }
        guard kinds.count == 1, let type = kinds.first, values.count == variations.count else {
            if kinds.count > 1 {
                unmapped.append((json["variations"] ?? json).unmapped(
                    "variations of different types (\(kinds.map(\.rawValue).sorted().joined(separator: ", ")))"))
            }
            return nil
        }
        let keys = variationKeys[key] ?? Self.keys(for: variations)
        let variants = zip(keys, values).map { Variant(key: $0, value: type == .double ? Self.double($1) : $1) }
        return (type, variants)
    }

    private static func double(_ value: Value) -> Value {
        if case .integer(let i) = value { return .double(Double(i)) }
        return value
    }

    static func type(of value: Value) -> FlagType? {
        switch value {
        case .bool: .boolean
        case .string: .string
        case .integer: .integer
        case .double: .double
        case .object: .object
        default: nil
        }
    }

    /// Variant keys for variations by index: a valid, unique name; else `on`/`off` for a boolean
    /// flag's true/false, a valid string value, or `variation-<index>`.
    static func keys(for variations: [ForeignJSON]) -> [String] {
        func candidate(_ variation: ForeignJSON) -> String? {
            if let name = variation["name"]?.string, KeyRule.isValid(name) { return name }
            switch (variation["value"] ?? variation).value {
            case .bool(let b): return b ? "on" : "off"
            case .string(let s) where KeyRule.isValid(s): return s
            default: return nil
            }
        }
        let candidates = variations.compactMap(candidate)
        let unique = candidates.count == variations.count && Set(candidates).count == candidates.count
        return unique ? candidates : variations.indices.map { "variation-\($0)" }
    }

    // MARK: One environment's state

    /// One environment's state and its off variant (`nil` when the flag names none).
    private mutating func state(_ json: ForeignJSON, flag: String, variants: [Variant]) -> (FlagState, String?)? {
        let before = unmapped.count
        var state = FlagState(enabled: json["on"]?.value == .bool(true))
        var off: String?
        if let index = json["offVariation"], index.value != .null {
            off = variant(index, variants)
        } else if state.enabled == false {
            unmapped.append(json.unmapped(
                "the flag is off without an off variation: LaunchDarkly then serves each caller's own default, and a Clutch flag serves one of its variants"))
        }
        for prerequisite in json["prerequisites"]?.elements ?? [] {
            guard let key = prerequisite["key"]?.string, let index = prerequisite["variation"] else {
                unmapped.append(prerequisite.unmapped("a prerequisite needs \"key\" and \"variation\""))
                continue
            }
            guard let keys = variationKeys[key] else {
                unmapped.append(prerequisite.unmapped("the prerequisite flag '\(key)' is not in this document"))
                continue
            }
            guard case .integer(let i) = index.value, keys.indices.contains(Int(i)) else {
                unmapped.append(index.unmapped("no variation \(index.value) in '\(key)'"))
                continue
            }
            state.prerequisites.append(Prerequisite(flag: key, variant: keys[Int(i)]))
        }
        // With `contextTargets`, LaunchDarkly checks targets in its order, and a `user` entry
        // without values stands for the `targets` of its variation; without it, `targets` in order.
        let userTargets = json["targets"]?.elements ?? []
        var checked: [ForeignJSON] = userTargets
        if let contextTargets = json["contextTargets"]?.elements, !contextTargets.isEmpty {
            checked = []
            for target in contextTargets {
                let kind = target["contextKind"]?.string ?? "user"
                guard kind == "user", target["values"]?.elements?.isEmpty ?? true else {
                    unmapped.append(target.unmapped("targets of context kind '\(kind)': Clutch's contexts have one kind"))
                    continue
                }
                checked += userTargets.filter { $0["variation"]?.value == target["variation"]?.value }
            }
        }
        for target in checked {
            guard let index = target["variation"], let variant = variant(index, variants) else { continue }
            let values = target["values"]?.elements?.compactMap(\.string) ?? []
            if !values.isEmpty { state.targets.append(Target(variant: variant, attribute: "targetingKey", values: values)) }
        }
        for (index, rule) in (json["rules"]?.elements ?? []).enumerated() {
            var clauses: [Clause] = []
            for clause in rule["clauses"]?.elements ?? [] {
                if let converted = self.clause(clause, flag: flag) { clauses.append(converted) }
            }
            guard let serve = serve(rule, variants: variants, flag: flag) else { continue }
            let description = rule["description"]?.string.flatMap { $0.isEmpty ? nil : $0 }
            state.rules.append(Rule(description: description ?? "rule \(index + 1)", clauses: clauses, serve: serve))
        }
        if let fallthroughServe = json["fallthrough"] {
            state.default = serve(fallthroughServe, variants: variants, flag: flag)
        } else if state.enabled {
            unmapped.append(json.unmapped("an enabled flag needs a fallthrough"))
        }
        guard unmapped.count == before else { return nil }
        return (state, off)
    }

    /// The variant a variation index names.
    private mutating func variant(_ index: ForeignJSON, _ variants: [Variant]) -> String? {
        guard case .integer(let i) = index.value, variants.indices.contains(Int(i)) else {
            unmapped.append(index.unmapped("no variation \(index.value): the flag has \(variants.count)"))
            return nil
        }
        return variants[Int(i)].key
    }

    /// A rule's or the fallthrough's `variation` or `rollout`.
    private mutating func serve(_ json: ForeignJSON, variants: [Variant], flag: String) -> Serve? {
        if let index = json["variation"], index.value != .null {
            return variant(index, variants).map(Serve.variant)
        }
        guard let rollout = json["rollout"] else {
            unmapped.append(json.unmapped("serves neither a variation nor a rollout"))
            return nil
        }
        if let kind = rollout["contextKind"]?.string, kind != "user" {
            unmapped.append(rollout.unmapped("a rollout by context kind '\(kind)': Clutch's contexts have one kind"))
            return nil
        }
        var weights: [Rollout.Weight] = []
        for entry in rollout["variations"]?.elements ?? [] {
            guard let index = entry["variation"], let variant = variant(index, variants) else { continue }
            guard case .integer(let weight) = entry["weight"]?.value ?? .null, weight >= 0 else {
                unmapped.append(entry.unmapped("a weight must be a whole number of 100,000ths"))
                continue
            }
            weights.append(Rollout.Weight(variant: variant, weight: Int(weight)))
        }
        guard !weights.isEmpty else {
            unmapped.append(rollout.unmapped("a rollout needs variations"))
            return nil
        }
        // LaunchDarkly puts a context whose bucket lies past the sum in the last variation: the
        // remainder belongs to it.
        let total = weights.reduce(0) { $0 + $1.weight }
        if total < Rollout.totalWeight { weights[weights.count - 1].weight += Rollout.totalWeight - total }
        if total > Rollout.totalWeight {
            unmapped.append(rollout.unmapped("the weights add up to \(total), more than 100,000"))
            return nil
        }
        let bucketBy = rollout["bucketBy"]?.string ?? "key"
        guard let attribute = attribute(bucketBy, at: rollout["bucketBy"] ?? rollout) else { return nil }
        notes.append(ConversionIssue(path: rollout.path, reason:
            "flag '\(flag)': the rollout keeps its proportions, not which contexts get which variation (LaunchDarkly and Clutch bucket differently)"))
        return .rollout(Rollout(bucketBy: attribute, weights: weights))
    }

    // MARK: Clauses

    static let operators: [String: Operator] = [
        "in": .in, "startsWith": .startsWith, "endsWith": .endsWith, "contains": .contains, "matches": .matches,
        "lessThan": .lessThan, "lessThanOrEqual": .lessThanOrEqual, "greaterThan": .greaterThan,
        "greaterThanOrEqual": .greaterThanOrEqual, "semVerEqual": .semverEqual, "semVerLessThan": .semverLessThan,
        "semVerGreaterThan": .semverGreaterThan, "before": .before, "after": .after,
    ]

    private mutating func clause(_ json: ForeignJSON, flag: String) -> Clause? {
        if let kind = json["contextKind"]?.string, kind != "user" {
            unmapped.append(json.unmapped("a clause on context kind '\(kind)': Clutch's contexts have one kind"))
            return nil
        }
        let negate = json["negate"]?.value == .bool(true)
        guard let op = json["op"]?.string else {
            unmapped.append(json.unmapped("a clause needs \"op\""))
            return nil
        }
        let values = json["values"]?.elements ?? []
        if op == "segmentMatch" {
            let segments = values.compactMap(\.string)
            guard segments.count == 1, let segment = segments.first else {
                unmapped.append((json["values"] ?? json).unmapped(
                    "a clause matching any of several segments: Clutch's cohort clause names one (split the rule)"))
                return nil
            }
            return .inCohort(segment, negate: negate)
        }
        guard let mapped = Self.operators[op] else {
            unmapped.append((json["op"] ?? json).unmapped("the operator '\(op)' has no Clutch equivalent"))
            return nil
        }
        guard let name = json["attribute"]?.string, let attribute = attribute(name, at: json["attribute"] ?? json) else {
            if json["attribute"]?.string == nil { unmapped.append(json.unmapped("a clause needs \"attribute\"")) }
            return nil
        }
        var texts: [String] = []
        for value in values {
            switch (mapped, value.value) {
            case (.before, .integer(let ms)), (.after, .integer(let ms)):
                // LaunchDarkly dates are milliseconds; Clutch's clause values are seconds.
                texts.append(Self.text(.double(Double(ms) / 1000)))
            case (.before, .double(let ms)), (.after, .double(let ms)):
                texts.append(Self.text(.double(ms / 1000)))
            case (_, .string), (_, .integer), (_, .double), (_, .bool):
                texts.append(Self.text(value.value))
            default:
                unmapped.append(value.unmapped("a clause value must be a string, number or boolean"))
            }
        }
        if mapped == .before || mapped == .after {
            notes.append(ConversionIssue(path: json.path, reason:
                "flag '\(flag)': a date attribute sent as a number is read by Clutch as seconds since 1970, by LaunchDarkly as milliseconds: send RFC 3339 text"))
        }
        return Clause(attribute: attribute, mapped, texts, negate: negate)
    }

    /// A Clutch attribute for a LaunchDarkly attribute name or reference (`key`, `email`, `/address/city`).
    private mutating func attribute(_ name: String, at json: ForeignJSON) -> String? {
        if name == "key" { return "targetingKey" }
        if name == "kind" {
            unmapped.append(json.unmapped("the context kind: Clutch's contexts have one kind"))
            return nil
        }
        guard name.hasPrefix("/") else { return name }
        // An attribute reference: `/a/b` is attribute b inside a; `~1` is `/` and `~0` is `~`.
        let segments = name.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        }
        guard !segments.contains(where: \.isEmpty) else {
            unmapped.append(json.unmapped("'\(name)' is not a valid attribute reference"))
            return nil
        }
        if segments == ["key"] { return "targetingKey" }
        return segments.map { $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: ".", with: "\\.") }
            .joined(separator: ".")
    }

    /// A clause value as Clutch's clause text.
    static func text(_ value: Value) -> String {
        switch value {
        case .string(let s): s
        case .bool(let b): b ? "true" : "false"
        case .integer(let i): String(i)
        case .double(let d): d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        default: ""
        }
    }

    // MARK: Segments

    /// Segments as cohorts: included keys as members, or one rule's clauses.
    mutating func segments(_ json: ForeignJSON) -> [Cohort] {
        let entries: [(String, ForeignJSON)]
        if let members = json.members {
            entries = members.map { ($0.key, $0.value) }
        } else if let list = json.elements {
            entries = list.compactMap { segment in segment["key"]?.string.map { ($0, segment) } }
        } else {
            unmapped.append(json.unmapped("segments are an object by key or a list"))
            return []
        }
        var cohorts: [Cohort] = []
        for (key, segment) in entries {
            let before = unmapped.count
            guard KeyRule.isValid(key) else {
                unmapped.append(segment.unmapped(KeyRule.message("cohort", key)))
                continue
            }
            for field in ["excluded", "includedContexts", "excludedContexts"] {
                if let list = segment[field]?.elements, !list.isEmpty {
                    unmapped.append((segment[field] ?? segment).unmapped(
                        field == "excluded" ? "exclusions: a Clutch cohort has members or clauses, none it leaves out" : "context kinds other than user"))
                }
            }
            if segment["unbounded"]?.value == .bool(true) {
                unmapped.append((segment["unbounded"] ?? segment).unmapped("a big (unbounded) segment's members live outside the file"))
            }
            let included = segment["included"]?.elements?.compactMap(\.string) ?? []
            let rules = segment["rules"]?.elements ?? []
            var clauses: [Clause] = []
            if !rules.isEmpty {
                if rules.count > 1 || !included.isEmpty {
                    unmapped.append((segment["rules"] ?? segment).unmapped(
                        "a Clutch cohort is its members or one set of clauses: this segment has \(included.isEmpty ? "" : "members and ")\(rules.count) rule(s)"))
                } else if rules[0]["weight"].map({ $0.value != .null }) ?? false {
                    unmapped.append((rules[0]["weight"] ?? rules[0]).unmapped("a weighted segment rule (a percentage of contexts)"))
                } else {
                    for clause in rules[0]["clauses"]?.elements ?? [] {
                        if let converted = self.clause(clause, flag: "segment \(key)") { clauses.append(converted) }
                    }
                }
            }
            guard unmapped.count == before else { continue }
            cohorts.append(Cohort(
                key: key, description: segment["description"]?.string ?? segment["name"]?.string ?? "",
                attribute: "targetingKey", members: included, clauses: clauses))
        }
        return cohorts
    }
}
