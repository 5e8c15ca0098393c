import ClutchCore

/// The one-line, human summary of a change to a flag, such as `production: off → on`.
enum RevisionSummary {
    static func of(from old: Flag?, to new: Flag?) -> String {
        guard let new else { return "deleted" }
        guard let old else { return "created" }
        var parts: [String] = []
        if old.archived != new.archived { parts.append(new.archived ? "archived" : "unarchived") }
        if old.type != new.type { parts.append("type \(old.type.rawValue) → \(new.type.rawValue)") }
        if old.variants != new.variants { parts.append("variants changed") }
        if old.offVariant != new.offVariant { parts.append("off variant \(old.offVariant) → \(new.offVariant)") }
        if old.salt != new.salt { parts.append("salt changed") }
        if old.description != new.description { parts.append("description changed") }
        if old.tags != new.tags { parts.append("tags changed") }
        if old.kind != new.kind { parts.append("kind \(old.kind.rawValue) → \(new.kind.rawValue)") }
        if old.owner != new.owner { parts.append("owner \(old.owner ?? "none") → \(new.owner ?? "none")") }
        let environments = Set(old.environments.keys).union(new.environments.keys).sorted()
        for environment in environments {
            let before = old.environments[environment]
            let after = new.environments[environment]
            if before == after { continue }
            parts.append("\(environment): " + state(before, after, old: old, new: new))
        }
        return parts.isEmpty ? "no change" : parts.joined(separator: "; ")
    }

    private static func state(_ before: FlagState?, _ after: FlagState?, old: Flag, new: Flag) -> String {
        guard let after else { return "state removed" }
        guard let before else { return "state added (\(after.enabled ? "on" : "off"))" }
        var parts: [String] = []
        if before.enabled != after.enabled { parts.append(after.enabled ? "off → on" : "on → off") }
        if before.prerequisites != after.prerequisites { parts.append(prerequisites(before.prerequisites, after.prerequisites)) }
        if before.targets != after.targets { parts.append("targets changed") }
        if before.rules != after.rules { parts.append("rules changed") }
        if before.default != after.default {
            let a = describe(before.default ?? old.naturalDefault)
            let b = describe(after.default ?? new.naturalDefault)
            if a.hasPrefix("rollout "), b.hasPrefix("rollout ") {
                parts.append("rollout \(a.dropFirst(8)) → \(b.dropFirst(8))")
            } else {
                parts.append("default \(a) → \(b)")
            }
        }
        return parts.isEmpty ? "state changed" : parts.joined(separator: ", ")
    }

    /// `requires payments-v2 serving on, no longer requires risk`: what a person wants to read in
    /// a history, rather than "prerequisites changed".
    private static func prerequisites(_ before: [Prerequisite], _ after: [Prerequisite]) -> String {
        var parts = after.filter { !before.contains($0) }.map { "requires \($0.flag) serving \($0.variant)" }
        parts += before.filter { old in !after.contains { $0.flag == old.flag } }.map { "no longer requires \($0.flag)" }
        return parts.isEmpty ? "prerequisites reordered" : parts.joined(separator: ", ")
    }

    /// `on`, or `rollout 10%` for a two-way split (the first variant's share), or `rollout a 20%/b 80%`.
    private static func describe(_ serve: Serve) -> String {
        if let variant = serve.variant { return variant }
        guard let rollout = serve.rollout else { return "nothing" }
        if rollout.weights.count == 2, let first = rollout.weights.first {
            return "rollout \(percent(first.weight))"
        }
        return "rollout " + rollout.weights.map { "\($0.variant) \(percent($0.weight))" }.joined(separator: "/")
    }

    private static func percent(_ weight: Int) -> String {
        if weight % 1000 == 0 { return "\(weight / 1000)%" }
        return "\(Double(weight) / 1000)%"
    }
}
