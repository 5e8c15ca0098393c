import ClutchCore

// The one-line texts live in ClutchCore (`Describe`), shared with the web console; the
// terminal styling stays here.
extension Describe {
    /// A few lines describing a flag's state in one environment.
    static func state(_ flag: Flag, environment: String, revision: Int64?) -> String {
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
