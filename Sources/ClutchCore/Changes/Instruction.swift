/// One named edit of a flag's state in one environment, as LaunchDarkly's semantic patch has
/// them: a client says what it means ("add customer acme to the targets serving on"), the server
/// applies it to the state as it is when the change commits. Edits that do not depend on each
/// other therefore compose: two people adding different customers at the same moment both
/// succeed, with no revision check and no retry loop.
///
/// JSON: an object with `kind` and the instruction's fields, e.g.
/// `{"kind": "addTargets", "variant": "on", "attribute": "customerId", "values": ["acme"]}`.
public enum Instruction: Sendable, Hashable {
    /// Enables the flag in the environment.
    case turnOn
    /// Disables it: everyone gets the off variant.
    case turnOff
    /// Requires flag `flag` to be on and serve `variant` before this flag's targets, rules and
    /// default apply in the environment; appended to the prerequisites, or, when `flag` already
    /// is one, replacing the variant it must serve (in place).
    case addPrerequisite(flag: String, variant: String)
    /// Drops the prerequisite on flag `flag`.
    case removePrerequisite(flag: String)
    /// Serves `variant` to contexts whose `attribute` is one of `values`. A value targeted to
    /// another variant moves here (a context gets one answer).
    case addTargets(variant: String, attribute: String, values: [String])
    /// Stops targeting `values` of `attribute` (only where they get `variant`, when given).
    case removeTargets(variant: String?, attribute: String, values: [String])
    /// Inserts a rule at `position` (0 = evaluated first; `nil` = last). A rule without an `id`
    /// gets a new one.
    case addRule(Rule, position: Int?)
    /// Removes the rule with `id`.
    case removeRule(id: String)
    /// Moves the rule with `id` to `position` (0 = first).
    case moveRule(id: String, position: Int)
    /// Changes what the rule with `id` serves.
    case updateRuleServe(id: String, serve: Serve)
    /// Sets the fallthrough: a variant or a rollout.
    case setDefault(Serve)
    /// Sets the fallthrough to a rollout: `percent` % get `variant` and the rest the off variant,
    /// or explicit `weights`; bucketed by `bucketBy` (the current rollout's, else `targetingKey`).
    case setRollout(percent: Double?, variant: String?, weights: [Rollout.Weight]?, bucketBy: String?)
    /// Sets the variant served while the flag is off (it applies to every environment).
    case setOffVariant(String)
    /// Sets what the flag is for (flag-wide, like the off variant): its kind says how long it is
    /// meant to live, which the lifecycle reads.
    case setKind(FlagKind)
    /// Sets who should clean the flag up (flag-wide): a member's email, or `nil` for nobody. The
    /// store checks that the email names a member.
    case setOwner(String?)

    /// The instruction's `kind` in JSON.
    public var kind: String {
        switch self {
        case .turnOn: "turnOn"
        case .turnOff: "turnOff"
        case .addPrerequisite: "addPrerequisite"
        case .removePrerequisite: "removePrerequisite"
        case .addTargets: "addTargets"
        case .removeTargets: "removeTargets"
        case .addRule: "addRule"
        case .removeRule: "removeRule"
        case .moveRule: "moveRule"
        case .updateRuleServe: "updateRuleServe"
        case .setDefault: "setDefault"
        case .setRollout: "setRollout"
        case .setOffVariant: "setOffVariant"
        case .setKind: "setKind"
        case .setOwner: "setOwner"
        }
    }

    /// Whether it changes the flag in every environment rather than one environment's state:
    /// such a change needs the right to edit everywhere (README "Roles").
    public var isFlagWide: Bool {
        switch self {
        case .setOffVariant, .setKind, .setOwner: true
        default: false
        }
    }

    /// Every `kind`, for error messages and documentation.
    public static let kinds = [
        "turnOn", "turnOff", "addPrerequisite", "removePrerequisite", "addTargets", "removeTargets", "addRule", "removeRule",
        "moveRule", "updateRuleServe", "setDefault", "setRollout", "setOffVariant", "setKind", "setOwner",
    ]
}

extension Instruction: Codable {
    enum CodingKeys: String, CodingKey {
        case kind, flag, variant, attribute, values, rule, position, ruleId, serve, percent, weights, bucketBy, flagKind, owner
    }

    /// The fields each kind may carry; any other is refused, so that a misspelt field is an
    /// error rather than an edit silently different from the one meant.
    private static func allowed(_ kind: String) -> Set<CodingKeys>? {
        switch kind {
        case "turnOn", "turnOff": [.kind]
        case "addPrerequisite": [.kind, .flag, .variant]
        case "removePrerequisite": [.kind, .flag]
        case "addTargets": [.kind, .variant, .attribute, .values]
        case "removeTargets": [.kind, .variant, .attribute, .values]
        case "addRule": [.kind, .rule, .position]
        case "removeRule": [.kind, .ruleId]
        case "moveRule": [.kind, .ruleId, .position]
        case "updateRuleServe": [.kind, .ruleId, .serve]
        case "setDefault": [.kind, .serve]
        case "setRollout": [.kind, .percent, .variant, .weights, .bucketBy]
        case "setOffVariant": [.kind, .variant]
        case "setKind": [.kind, .flagKind]
        case "setOwner": [.kind, .owner]
        default: nil
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let kind = try c.decode(String.self, forKey: .kind)
        guard let allowed = Self.allowed(kind) else {
            throw DecodingError.dataCorruptedError(
                forKey: .kind, in: c, debugDescription: "unknown instruction '\(kind)'; one of \(Self.kinds.joined(separator: ", "))")
        }
        let any = try decoder.container(keyedBy: AnyKey.self)
        for key in any.allKeys where CodingKeys(stringValue: key.stringValue).map({ !allowed.contains($0) }) ?? true {
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: decoder.codingPath + [key], debugDescription: "'\(kind)' has no field '\(key.stringValue)'"))
        }
        switch kind {
        case "turnOn": self = .turnOn
        case "turnOff": self = .turnOff
        case "addPrerequisite":
            self = .addPrerequisite(flag: try c.decode(String.self, forKey: .flag), variant: try c.decode(String.self, forKey: .variant))
        case "removePrerequisite": self = .removePrerequisite(flag: try c.decode(String.self, forKey: .flag))
        case "addTargets":
            self = .addTargets(
                variant: try c.decode(String.self, forKey: .variant),
                attribute: try c.decodeIfPresent(String.self, forKey: .attribute) ?? "targetingKey",
                values: try c.decode([String].self, forKey: .values))
        case "removeTargets":
            self = .removeTargets(
                variant: try c.decodeIfPresent(String.self, forKey: .variant),
                attribute: try c.decodeIfPresent(String.self, forKey: .attribute) ?? "targetingKey",
                values: try c.decode([String].self, forKey: .values))
        case "addRule":
            self = .addRule(try c.decode(Rule.self, forKey: .rule), position: try c.decodeIfPresent(Int.self, forKey: .position))
        case "removeRule": self = .removeRule(id: try c.decode(String.self, forKey: .ruleId))
        case "moveRule":
            self = .moveRule(id: try c.decode(String.self, forKey: .ruleId), position: try c.decode(Int.self, forKey: .position))
        case "updateRuleServe":
            self = .updateRuleServe(id: try c.decode(String.self, forKey: .ruleId), serve: try c.decode(Serve.self, forKey: .serve))
        case "setDefault": self = .setDefault(try c.decode(Serve.self, forKey: .serve))
        case "setRollout":
            self = .setRollout(
                percent: try c.decodeIfPresent(Double.self, forKey: .percent),
                variant: try c.decodeIfPresent(String.self, forKey: .variant),
                weights: try c.decodeIfPresent([Rollout.Weight].self, forKey: .weights),
                bucketBy: try c.decodeIfPresent(String.self, forKey: .bucketBy))
        case "setKind":
            let name = try c.decode(String.self, forKey: .flagKind)
            guard let flagKind = FlagKind(rawValue: name) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .flagKind, in: c, debugDescription: "unknown kind '\(name)'; one of \(FlagKind.names)")
            }
            self = .setKind(flagKind)
        case "setOwner":
            // `null` removes the owner; leaving the field out is refused, so that a misspelt
            // field never silently removes it.
            guard c.contains(.owner) else {
                throw DecodingError.keyNotFound(
                    CodingKeys.owner, DecodingError.Context(codingPath: decoder.codingPath, debugDescription: "give owner (null removes it)"))
            }
            self = .setOwner(try c.decodeIfPresent(String.self, forKey: .owner))
        default: self = .setOffVariant(try c.decode(String.self, forKey: .variant))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        switch self {
        case .turnOn, .turnOff: break
        case .addPrerequisite(let flag, let variant):
            try c.encode(flag, forKey: .flag)
            try c.encode(variant, forKey: .variant)
        case .removePrerequisite(let flag): try c.encode(flag, forKey: .flag)
        case .addTargets(let variant, let attribute, let values):
            try c.encode(variant, forKey: .variant)
            try c.encode(attribute, forKey: .attribute)
            try c.encode(values, forKey: .values)
        case .removeTargets(let variant, let attribute, let values):
            try c.encodeIfPresent(variant, forKey: .variant)
            try c.encode(attribute, forKey: .attribute)
            try c.encode(values, forKey: .values)
        case .addRule(let rule, let position):
            try c.encode(rule, forKey: .rule)
            try c.encodeIfPresent(position, forKey: .position)
        case .removeRule(let id): try c.encode(id, forKey: .ruleId)
        case .moveRule(let id, let position):
            try c.encode(id, forKey: .ruleId)
            try c.encode(position, forKey: .position)
        case .updateRuleServe(let id, let serve):
            try c.encode(id, forKey: .ruleId)
            try c.encode(serve, forKey: .serve)
        case .setDefault(let serve): try c.encode(serve, forKey: .serve)
        case .setRollout(let percent, let variant, let weights, let bucketBy):
            try c.encodeIfPresent(percent, forKey: .percent)
            try c.encodeIfPresent(variant, forKey: .variant)
            try c.encodeIfPresent(weights, forKey: .weights)
            try c.encodeIfPresent(bucketBy, forKey: .bucketBy)
        case .setOffVariant(let variant): try c.encode(variant, forKey: .variant)
        case .setKind(let flagKind): try c.encode(flagKind, forKey: .flagKind)
        case .setOwner(let owner): try c.encode(owner, forKey: .owner)
        }
    }

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
