/// Texts for people about a flag's definition: one-line clauses in `--where` syntax, serves as
/// `on` or `10% on / 90% off by customerId`, and a state's steps in evaluation order.
///
/// One home for every client that explains a flag (the CLI's `flags get`, the web console), so
/// they say the same thing. Plain text only: callers style or escape it.
public enum Describe {
    /// `role in admin,editor`, `not email exists`, `in cohort beta`.
    public static func clause(_ clause: Clause) -> String {
        let not = clause.negate ? "not " : ""
        if let cohort = clause.cohort { return "\(not)in cohort \(cohort)" }
        let attribute = clause.attribute ?? "?"
        let op = clause.operator ?? "?"
        if op == Operator.exists.rawValue { return "\(not)\(attribute) exists" }
        return "\(not)\(attribute) \(op) \(clause.values.joined(separator: ","))"
    }

    /// Clauses joined with `and`.
    public static func clauses(_ clauses: [Clause]) -> String {
        clauses.map(clause).joined(separator: " and ")
    }

    /// A variant's key, or a rollout as `5% on / 95% off by customerId`.
    public static func serve(_ serve: Serve) -> String {
        if let variant = serve.variant { return variant }
        guard let rollout = serve.rollout else { return "?" }
        let split = rollout.weights.map { "\(percent($0.weight))% \($0.variant)" }.joined(separator: " / ")
        return "\(split) by \(rollout.bucketBy)"
    }

    /// `payments-v2 serving on`.
    public static func prerequisite(_ prerequisite: Prerequisite) -> String {
        "\(prerequisite.flag) serving \(prerequisite.variant)"
    }

    /// `customerId in acme,globex → on`.
    public static func target(_ target: Target) -> String {
        "\(target.attribute) in \(target.values.joined(separator: ",")) → \(target.variant)"
    }

    /// `role in admin → on`.
    public static func rule(_ rule: Rule) -> String {
        "\(clauses(rule.clauses)) → \(serve(rule.serve))"
    }

    /// What the state serves to everyone not targeted.
    public static func fallback(_ flag: Flag, _ state: FlagState) -> String {
        if let fixed = state.default { return serve(fixed) }
        return "\(serve(flag.naturalDefault)) (natural default)"
    }

    /// A weight out of 100,000 as a percentage: `12.5`, `10`, `0.001`.
    public static func percent(_ weight: Int) -> String {
        let whole = weight / 1000
        var fraction = String(weight % 1000)
        if fraction == "0" { return String(whole) }
        fraction = String(repeating: "0", count: 3 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(whole).\(fraction)"
    }

    /// One step of a state in evaluation order, in plain words.
    public struct Step: Sendable, Hashable {
        /// Which part of the state decides: `off`, `prerequisite`, `target`, `rule` or `default`.
        public var kind: String
        public var text: String

        public init(kind: String, text: String) {
            self.kind = kind
            self.text = text
        }
    }

    /// What everyone gets from `flag` in `environment`, in the order evaluation decides it:
    /// off → prerequisites → targets → rules → default. When the flag is off the first step says so and the
    /// others describe what switching it on would serve.
    public static func steps(_ flag: Flag, environment: String) -> [Step] {
        let state = flag.state(in: environment)
        var steps: [Step] = []
        if !state.enabled {
            steps.append(Step(kind: "off", text: "Off: everyone gets \(quoted(flag.offVariant)). When switched on:"))
        }
        for prerequisite in state.prerequisites {
            steps.append(Step(
                kind: "prerequisite",
                text: "Requires \(prerequisite.flag) to serve \(quoted(prerequisite.variant)); otherwise everyone gets \(quoted(flag.offVariant))"))
        }
        for target in state.targets {
            steps.append(Step(
                kind: "target",
                text: "\(target.attribute) is \(orList(target.values)) → gets \(quoted(target.variant))"))
        }
        for (i, rule) in state.rules.enumerated() {
            steps.append(Step(kind: "rule", text: "Rule \(i + 1): if \(clauses(rule.clauses)) → gets \(plainServe(rule.serve))"))
        }
        let fallback = state.default ?? flag.naturalDefault
        let everyone = state.targets.isEmpty && state.rules.isEmpty ? "Everyone" : "Everyone else"
        steps.append(Step(kind: "default", text: "\(everyone) gets \(plainServe(fallback))"))
        return steps
    }

    /// `“on”`, or `a rollout: 5% “on”, 95% “off”, sticky by customerId`.
    static func plainServe(_ serve: Serve) -> String {
        if let variant = serve.variant { return quoted(variant) }
        guard let rollout = serve.rollout else { return "nothing (no variant or rollout)" }
        let split = rollout.weights.map { "\(percent($0.weight))% \(quoted($0.variant))" }.joined(separator: ", ")
        return "a rollout: \(split), sticky by \(rollout.bucketBy)"
    }

    static func quoted(_ text: String) -> String { "“\(text)”" }

    /// `a`, `a or b`, `a, b or c`.
    static func orList(_ values: [String]) -> String {
        guard let last = values.last else { return "(none)" }
        if values.count == 1 { return last }
        return values.dropLast().joined(separator: ", ") + " or " + last
    }
}
