extension Flag {
    /// This flag with `instructions` applied in order to its state in `environment`: all or
    /// nothing. A problem names the instruction and its field (`instructions[2].ruleId: …`).
    /// Rules without an id get one from `newRuleID` (called until it gives one not in use).
    /// The result is not validated as a whole here: the store validates it like any other write.
    public func applying(
        _ instructions: [Instruction], environment: String, newRuleID: () -> String
    ) throws(ValidationError) -> Flag {
        var flag = self
        var state = flag.state(in: environment)
        for (index, instruction) in instructions.enumerated() {
            let path = "instructions[\(index)]"
            func fail(_ field: String, _ message: String) -> ValidationError {
                ValidationError(path: "\(path).\(field)", message)
            }
            func ruleIndex(_ id: String) throws(ValidationError) -> Int {
                guard let position = state.rules.firstIndex(where: { $0.id == id }) else {
                    let known = state.rules.compactMap(\.id)
                    throw fail("ruleId", "no rule '\(id)' in \(environment)" + (known.isEmpty ? " (it has no rules)" : "; its rules: \(known.joined(separator: ", "))"))
                }
                return position
            }
            func requireVariant(_ variant: String, _ field: String) throws(ValidationError) {
                guard flag.variant(variant) != nil else {
                    throw fail(field, "unknown variant '\(variant)'; the flag's variants: \(flag.variants.map(\.key).joined(separator: ", "))")
                }
            }
            switch instruction {
            case .turnOn:
                state.enabled = true
            case .turnOff:
                state.enabled = false
            case .addPrerequisite(let required, let variant):
                // Whether the flag exists and has the variant is the store's to check: it needs the other flags.
                if required.isEmpty { throw fail("flag", "name the flag required") }
                if required == flag.key { throw fail("flag", "a flag cannot be its own prerequisite") }
                if variant.isEmpty { throw fail("variant", "name the variant '\(required)' must serve") }
                state.addPrerequisite(Prerequisite(flag: required, variant: variant))
            case .removePrerequisite(let required):
                guard state.prerequisites.contains(where: { $0.flag == required }) else {
                    let known = state.prerequisites.map(\.flag)
                    throw fail("flag", "'\(required)' is not a prerequisite in \(environment)"
                        + (known.isEmpty ? " (it has none)" : "; its prerequisites: \(known.joined(separator: ", "))"))
                }
                state.prerequisites.removeAll { $0.flag == required }
            case .addTargets(let variant, let attribute, let values):
                try requireVariant(variant, "variant")
                if values.isEmpty { throw fail("values", "name at least one value") }
                if attribute.isEmpty { throw fail("attribute", "must not be empty") }
                state.addTargets(variant: variant, attribute: attribute, values: values)
            case .removeTargets(let variant, let attribute, let values):
                if values.isEmpty { throw fail("values", "name at least one value") }
                state.removeTargets(variant: variant, attribute: attribute, values: values)
            case .addRule(var rule, let position):
                if let position, !(0...state.rules.count).contains(position) {
                    throw fail("position", "must be between 0 and \(state.rules.count)")
                }
                if let id = rule.id {
                    if state.rules.contains(where: { $0.id == id }) { throw fail("rule.id", "a rule '\(id)' already exists") }
                } else {
                    rule.id = Self.unusedRuleID(in: state, newRuleID)
                }
                state.rules.insert(rule, at: position ?? state.rules.count)
            case .removeRule(let id):
                state.rules.remove(at: try ruleIndex(id))
            case .moveRule(let id, let position):
                let from = try ruleIndex(id)
                guard state.rules.indices.contains(position) else {
                    throw fail("position", "must be between 0 and \(state.rules.count - 1)")
                }
                let rule = state.rules.remove(at: from)
                state.rules.insert(rule, at: position)
            case .updateRuleServe(let id, let serve):
                state.rules[try ruleIndex(id)].serve = serve
            case .setDefault(let serve):
                state.default = serve
            case .setRollout(let percent, let variant, let weights, let bucketBy):
                let current = state.default?.rollout?.bucketBy
                let by = bucketBy ?? current ?? "targetingKey"
                if by.isEmpty { throw fail("bucketBy", "must not be empty") }
                switch (percent, weights) {
                case (let percent?, nil):
                    guard (0...100).contains(percent) else { throw fail("percent", "must be between 0 and 100, not \(percent)") }
                    let served = variant ?? (flag.naturalDefault.variant ?? flag.offVariant)
                    try requireVariant(served, "variant")
                    state.default = .rollout(.percentage(percent, of: served, rest: flag.offVariant, bucketBy: by))
                case (nil, let weights?):
                    if variant != nil { throw fail("variant", "give either percent and variant, or weights") }
                    state.default = .rollout(Rollout(bucketBy: by, weights: weights))
                default:
                    throw fail("percent", "give either percent (with an optional variant) or weights")
                }
            case .setOffVariant(let variant):
                try requireVariant(variant, "variant")
                flag.offVariant = variant
            case .setKind(let kind):
                flag.kind = kind
            case .setOwner(let owner):
                // Whether the email names a member is the store's to check: it needs the people.
                if let owner, let problem = OwnerRule.problem(owner) { throw fail("owner", problem) }
                flag.owner = owner
            }
        }
        flag.environments[environment] = state
        return flag
    }

    /// A rule id from `generate` that no rule of `state` has.
    private static func unusedRuleID(in state: FlagState, _ generate: () -> String) -> String {
        while true {
            let id = generate()
            if !state.rules.contains(where: { $0.id == id }) { return id }
        }
    }
}

extension FlagState {
    /// Requires `prerequisite.flag` to serve `prerequisite.variant`: appended, or replacing the
    /// variant in place when that flag already is a prerequisite (its order is kept).
    public mutating func addPrerequisite(_ prerequisite: Prerequisite) {
        if let i = prerequisites.firstIndex(where: { $0.flag == prerequisite.flag }) {
            prerequisites[i].variant = prerequisite.variant
        } else {
            prerequisites.append(prerequisite)
        }
    }

    /// Serves `variant` to `values` of `attribute`. Values targeted to another variant move here
    /// (a context gets one answer); targets left without values are dropped.
    public mutating func addTargets(variant: String, attribute: String, values: [String]) {
        let wanted = Set(values)
        for i in targets.indices where targets[i].attribute == attribute && targets[i].variant != variant {
            targets[i].values.removeAll { wanted.contains($0) }
        }
        if let i = targets.firstIndex(where: { $0.attribute == attribute && $0.variant == variant }) {
            var present = Set(targets[i].values)
            for value in values where present.insert(value).inserted { targets[i].values.append(value) }
        } else {
            var seen = Set<String>()
            targets.append(Target(variant: variant, attribute: attribute, values: values.filter { seen.insert($0).inserted }))
        }
        targets.removeAll { $0.values.isEmpty }
    }

    /// Stops targeting `values` of `attribute` (only where they get `variant`, when given).
    public mutating func removeTargets(variant: String?, attribute: String, values: [String]) {
        let unwanted = Set(values)
        for i in targets.indices where targets[i].attribute == attribute && (variant == nil || targets[i].variant == variant) {
            targets[i].values.removeAll { unwanted.contains($0) }
        }
        targets.removeAll { $0.values.isEmpty }
    }
}
