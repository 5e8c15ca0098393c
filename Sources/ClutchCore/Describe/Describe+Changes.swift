/// What a change does to a flag, in plain language: "production: acme and globex now get “on”;
/// everyone else still gets “off”" rather than `environments.production.targets[0].values[1]: (none) → "globex"`.
///
/// One home for every client that shows a change before or after it is made (the console's
/// pending change, history and restore previews; the CLI's `diff` and `rollback`), so that they
/// say the same thing. It compares the two definitions by meaning — who gets what, in each
/// environment — not field by field; the field-by-field diff (`FlagDiff`) stays the API's.
extension Describe {
    /// One sentence per part that differs between `old` and `new` (`nil`: the flag does not
    /// exist on that side): the flag's own fields first, then each environment (or only
    /// `environment`, when given) as `env: …; …`. Empty when nothing differs.
    public static func changes(from old: Flag?, to new: Flag?, environment only: String? = nil) -> [String] {
        switch (old, new) {
        case (nil, nil):
            return []
        case (let old?, nil):
            return ["\(old.key) is deleted (its history stays)."]
        case (nil, let new?):
            let variants = new.variants.map { "\(quoted($0.key)) = \($0.value.jsonText)" }.joined(separator: ", ")
            var lines = ["\(new.key) is created: \(new.kind.withArticle) \(new.type.rawValue) flag with variants \(variants); when off, everyone gets \(quoted(new.offVariant))."]
            // Environments it starts in switched on or with targeting: what everyone gets there.
            for env in new.environments.keys.sorted() where only == nil || only == env {
                let state = new.state(in: env)
                guard state != FlagState() else { continue }
                lines.append("\(env): \(steps(new, environment: env).map(\.text).joined(separator: "; "))")
            }
            return lines
        case (let old?, let new?):
            var lines = flagChanges(from: old, to: new)
            for env in Set(old.environments.keys).union(new.environments.keys).sorted() where only == nil || only == env {
                let before = old.state(in: env)
                let after = new.state(in: env)
                guard before != after else { continue }
                var parts = stateChanges(new, from: before, to: after, offVariant: new.offVariant, old: old)
                if parts.isEmpty { parts = ["rule descriptions or ids changed; everyone gets the same"] }
                lines.append("\(env): \(parts.joined(separator: "; "))")
            }
            return lines
        }
    }

    /// The flag's own fields: archived, kind, description, tags, owner, type, variants, the off variant, the salt.
    static func flagChanges(from old: Flag, to new: Flag) -> [String] {
        var lines: [String] = []
        if old.archived != new.archived { lines.append(new.archived ? "Archived." : "Brought back from the archive.") }
        if old.kind != new.kind { lines.append("Now \(new.kind.withArticle) flag (was \(old.kind.withArticle)).") }
        if old.description != new.description {
            lines.append(new.description.isEmpty ? "Description removed." : "Description: \(quoted(new.description)).")
        }
        let added = new.tags.filter { !old.tags.contains($0) }
        let removed = old.tags.filter { !new.tags.contains($0) }
        if !added.isEmpty { lines.append("Tagged \(andList(added)).") }
        if !removed.isEmpty { lines.append("No longer tagged \(andList(removed)).") }
        if old.owner != new.owner { lines.append(new.owner.map { "Owner: \($0)." } ?? "No owner any more.") }
        if old.type != new.type { lines.append("Now a \(new.type.rawValue) flag (was \(old.type.rawValue)).") }
        for variant in new.variants {
            guard let before = old.variant(variant.key) else {
                lines.append("New variant \(quoted(variant.key)) serving \(variant.value.jsonText).")
                continue
            }
            if before.value != variant.value {
                lines.append("Variant \(quoted(variant.key)) now serves \(variant.value.jsonText) (was \(before.value.jsonText)).")
            }
            if before.description != variant.description {
                lines.append("Variant \(quoted(variant.key)) is now described as \(quoted(variant.description ?? "")).")
            }
        }
        for variant in old.variants where new.variant(variant.key) == nil {
            lines.append("Variant \(quoted(variant.key)) removed.")
        }
        if old.offVariant != new.offVariant {
            lines.append("When off, everyone now gets \(quoted(new.offVariant)) (was \(quoted(old.offVariant))).")
        }
        if old.effectiveSalt != new.effectiveSalt { lines.append("New bucketing salt: every percentage rollout reshuffles who is in it.") }
        return lines
    }

    /// What differs between two states of one environment, in evaluation order, ending with
    /// what everyone else gets ("still" when that did not change).
    static func stateChanges(_ flag: Flag, from before: FlagState, to after: FlagState, offVariant: String, old: Flag? = nil) -> [String] {
        var parts: [String] = []
        if before.enabled != after.enabled { parts.append(after.enabled ? "switched on" : "switched off: everyone gets \(quoted(offVariant))") }
        for prerequisite in after.prerequisites where !before.prerequisites.contains(prerequisite) {
            parts.append("now requires \(prerequisite.flag) to serve \(quoted(prerequisite.variant))")
        }
        for prerequisite in before.prerequisites where !after.prerequisites.contains(prerequisite) {
            parts.append("no longer requires \(prerequisite.flag) to serve \(quoted(prerequisite.variant))")
        }
        parts += targetChanges(from: before.targets, to: after.targets)
        parts += ruleChanges(from: before.rules, to: after.rules)
        let fallbackBefore = before.default ?? (old ?? flag).naturalDefault
        let fallbackAfter = after.default ?? flag.naturalDefault
        let everyone = after.targets.isEmpty && after.rules.isEmpty ? "everyone" : "everyone else"
        if fallbackBefore != fallbackAfter {
            parts.append("\(everyone) now gets \(plainServe(fallbackAfter)) (was \(plainServe(fallbackBefore)))")
        } else if !parts.isEmpty, after.enabled {
            parts.append("\(everyone) still gets \(plainServe(fallbackAfter))")
        }
        if !after.enabled, before.enabled == after.enabled, !parts.isEmpty {
            parts.append("it stays off: everyone gets \(quoted(offVariant)) until it is switched on")
        }
        return parts
    }

    /// "acme and globex now get “on”", "acme is no longer targeted", per attribute and variant;
    /// `customerId` values are named alone (the console's customers), others with their attribute.
    static func targetChanges(from before: [Target], to after: [Target]) -> [String] {
        func served(_ targets: [Target]) -> [String: [String: String]] {
            var map: [String: [String: String]] = [:]
            for target in targets {
                for value in target.values where map[target.attribute]?[value] == nil { map[target.attribute, default: [:]][value] = target.variant }
            }
            return map
        }
        let old = served(before)
        let new = served(after)
        var parts: [String] = []
        for attribute in Set(old.keys).union(new.keys).sorted() {
            let was = old[attribute] ?? [:]
            let now = new[attribute] ?? [:]
            func named(_ values: [String]) -> String {
                (attribute == "customerId" ? "" : "\(attribute) ") + andList(values)
            }
            var gained: [String: [String]] = [:]
            for (value, variant) in now where was[value] != variant { gained[variant, default: []].append(value) }
            for variant in gained.keys.sorted() {
                let values = gained[variant, default: []].sorted()
                parts.append("\(named(values)) now \(values.count == 1 ? "gets" : "get") \(quoted(variant))")
            }
            let dropped = was.keys.filter { now[$0] == nil }.sorted()
            if !dropped.isEmpty { parts.append("\(named(dropped)) \(dropped.count == 1 ? "is" : "are") no longer targeted") }
        }
        return parts
    }

    /// Rules added or removed (compared by what they say, not their ids), or reordered; the
    /// admins rule and a rule that is only a cohort are named as such.
    static func ruleChanges(from before: [Rule], to after: [Rule]) -> [String] {
        func who(_ rule: Rule) -> String {
            if rule.clauses == Audience.adminClauses { return "admins" }
            if rule.clauses.count == 1, let cohort = rule.clauses[0].cohort, !rule.clauses[0].negate { return "cohort \(cohort)" }
            return "contexts where \(clauses(rule.clauses))"
        }
        func text(_ rule: Rule) -> String { "\(clauses(rule.clauses)) → \(serve(rule.serve))" }
        let oldTexts = before.map(text)
        let newTexts = after.map(text)
        var parts: [String] = []
        var remaining = oldTexts
        var added: [Rule] = []
        for (rule, line) in zip(after, newTexts) {
            if let i = remaining.firstIndex(of: line) { remaining.remove(at: i) } else { added.append(rule) }
        }
        var unmatched = newTexts
        var removed: [Rule] = []
        for (rule, line) in zip(before, oldTexts) {
            if let i = unmatched.firstIndex(of: line) { unmatched.remove(at: i) } else { removed.append(rule) }
        }
        // A rule whose clauses stayed but whose serve changed reads as "now get", not as a removal and an addition.
        for rule in added {
            if let i = removed.firstIndex(where: { $0.clauses == rule.clauses }) {
                parts.append("\(who(rule)) now get \(plainServe(rule.serve)) (was \(plainServe(removed[i].serve)))")
                removed.remove(at: i)
            } else {
                parts.append("\(who(rule)) now get \(plainServe(rule.serve))")
            }
        }
        for rule in removed { parts.append("\(who(rule)) are no longer targeted by a rule") }
        if added.isEmpty, removed.isEmpty, oldTexts != newTexts { parts.append("rules reordered (the first that matches decides)") }
        return parts
    }

    /// `a`, `a and b`, `a, b and c`.
    static func andList(_ values: [String]) -> String {
        guard let last = values.last else { return "(none)" }
        if values.count == 1 { return last }
        return values.dropLast().joined(separator: ", ") + " and " + last
    }
}
