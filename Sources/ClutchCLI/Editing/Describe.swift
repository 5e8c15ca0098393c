import ClutchCore

/// One-line texts for people: clauses in `--where` syntax, serves as `on` or
/// `10% on / 90% off by customerId`.
enum Describe {
    static func clause(_ clause: Clause) -> String {
        let not = clause.negate ? "not " : ""
        if let cohort = clause.cohort { return "\(not)in cohort \(cohort)" }
        let attribute = clause.attribute ?? "?"
        let op = clause.operator ?? "?"
        if op == Operator.exists.rawValue { return "\(not)\(attribute) exists" }
        return "\(not)\(attribute) \(op) \(clause.values.joined(separator: ","))"
    }

    static func clauses(_ clauses: [Clause]) -> String {
        clauses.map(clause).joined(separator: " and ")
    }

    static func serve(_ serve: Serve) -> String {
        if let variant = serve.variant { return variant }
        guard let rollout = serve.rollout else { return "?" }
        let split = rollout.weights.map { "\(Percent.text($0.weight))% \($0.variant)" }.joined(separator: " / ")
        return "\(split) by \(rollout.bucketBy)"
    }

    static func prerequisite(_ prerequisite: Prerequisite) -> String {
        "\(prerequisite.flag) serving \(prerequisite.variant)"
    }

    static func target(_ target: Target) -> String {
        "\(target.attribute) in \(target.values.joined(separator: ",")) → \(target.variant)"
    }

    static func rule(_ rule: Rule) -> String {
        "\(clauses(rule.clauses)) → \(serve(rule.serve))"
    }

    /// What the state serves to everyone not targeted, for people.
    static func fallback(_ flag: Flag, _ state: FlagState) -> String {
        if let fixed = state.default { return serve(fixed) }
        return "\(serve(flag.naturalDefault)) (natural default)"
    }

    /// A few lines describing a flag's state in one environment.
    static func state(_ flag: Flag, environment: String, revision: Int?) -> String {
        let state = flag.state(in: environment)
        var lines: [String] = []
        let rev = revision.map { " (revision \($0))" } ?? ""
        lines.append("\(Style.bold(flag.key)) in \(Style.cyan(environment))\(rev): \(Style.onOff(state.enabled))"
            + (state.enabled ? "" : Style.dim(" — everyone gets '\(flag.offVariant)'")))
        // In evaluation order: prerequisites come before targets.
        if !state.prerequisites.isEmpty {
            lines.append("  requires: \(state.prerequisites.map(Describe.prerequisite).joined(separator: ", "))"
                + Style.dim(" (else '\(flag.offVariant)')"))
        }
        for (i, target) in state.targets.enumerated() {
            lines.append("  \(i == 0 ? "targets:" : "        ")  \(Describe.target(target))")
        }
        for (i, rule) in state.rules.enumerated() {
            lines.append("  \(i == 0 ? "rules:  " : "        ")  \(i + 1). \(Describe.rule(rule))")
        }
        lines.append("  default:  \(fallback(flag, state))")
        return lines.joined(separator: "\n")
    }
}
