extension FlagState {
    /// The instructions that turn this state into `edited`, at the finest grain instructions
    /// have: targets as values added and removed (so that two people targeting different
    /// customers at once both land), rules by id (new rules are those without one), the
    /// fallthrough as a whole. A client that edits a state locally sends these instead of the
    /// state, and its edit composes with others made meanwhile. `naturalDefault` is what an
    /// absent default means for this flag (an edit that clears the default sets it explicitly).
    public func instructions(to edited: FlagState, naturalDefault: Serve) -> [Instruction] {
        var out: [Instruction] = []
        if enabled != edited.enabled { out.append(edited.enabled ? .turnOn : .turnOff) }
        out += prerequisiteInstructions(to: edited)
        out += targetInstructions(to: edited)
        out += ruleInstructions(to: edited)
        if self.default != edited.default { out.append(.setDefault(edited.default ?? naturalDefault)) }
        return out
    }

    /// Prerequisites are checked in order, so order matters: those no longer wanted are removed,
    /// the longest run of kept ones already in the edited order stays (their variants replaced in
    /// place where they changed), and the rest are removed and added again in order.
    private func prerequisiteInstructions(to edited: FlagState) -> [Instruction] {
        let wanted = Set(edited.prerequisites.map(\.flag))
        var out: [Instruction] = []
        var current: [Prerequisite] = []
        for prerequisite in prerequisites {
            if wanted.contains(prerequisite.flag) {
                current.append(prerequisite)
            } else {
                out.append(.removePrerequisite(flag: prerequisite.flag))
            }
        }
        let kept = zip(current, edited.prerequisites).prefix { $0.flag == $1.flag }.count
        for prerequisite in current[kept...] { out.append(.removePrerequisite(flag: prerequisite.flag)) }
        for (i, prerequisite) in edited.prerequisites.enumerated() where i >= kept || current[i].variant != prerequisite.variant {
            out.append(.addPrerequisite(flag: prerequisite.flag, variant: prerequisite.variant))
        }
        return out
    }

    private func targetInstructions(to edited: FlagState) -> [Instruction] {
        struct Group: Hashable { let attribute: String; let variant: String }
        func values(_ targets: [Target]) -> [Group: [String]] {
            var out: [Group: [String]] = [:]
            for target in targets { out[Group(attribute: target.attribute, variant: target.variant), default: []] += target.values }
            return out
        }
        let before = values(targets), after = values(edited.targets)
        var out: [Instruction] = []
        // Removals first: a value that moves to another variant is added there afterwards.
        for group in Set(before.keys).union(after.keys).sorted(by: { ($0.attribute, $0.variant) < ($1.attribute, $1.variant) }) {
            let now = Set(after[group] ?? [])
            let gone = (before[group] ?? []).filter { !now.contains($0) }
            if !gone.isEmpty { out.append(.removeTargets(variant: group.variant, attribute: group.attribute, values: gone)) }
        }
        for group in Set(before.keys).union(after.keys).sorted(by: { ($0.attribute, $0.variant) < ($1.attribute, $1.variant) }) {
            let was = Set(before[group] ?? [])
            let new = (after[group] ?? []).filter { !was.contains($0) }
            if !new.isEmpty { out.append(.addTargets(variant: group.variant, attribute: group.attribute, values: new)) }
        }
        return out
    }

    private func ruleInstructions(to edited: FlagState) -> [Instruction] {
        var out: [Instruction] = []
        let kept = Set(edited.rules.compactMap(\.id))
        var current = rules.filter { rule in
            guard let id = rule.id, kept.contains(id) else {
                if let id = rule.id { out.append(.removeRule(id: id)) }
                return false
            }
            return true
        }
        for (position, rule) in edited.rules.enumerated() {
            guard let id = rule.id, let at = current.firstIndex(where: { $0.id == id }) else {
                out.append(.addRule(rule, position: position))
                current.insert(rule, at: position)
                continue
            }
            let old = current[at]
            if old.clauses != rule.clauses || old.description != rule.description {
                // No instruction edits clauses in place: the rule is replaced under the same id.
                out.append(.removeRule(id: id))
                out.append(.addRule(rule, position: position))
                current.remove(at: at)
                current.insert(rule, at: position)
                continue
            }
            if at != position {
                out.append(.moveRule(id: id, position: position))
                current.remove(at: at)
                current.insert(old, at: position)
            }
            if old.serve != rule.serve {
                out.append(.updateRuleServe(id: id, serve: rule.serve))
                current[position].serve = rule.serve
            }
        }
        return out
    }
}
