import ClutchCore

/// Builds an engine for one environment from flags and cohorts.
func engine(_ flags: [Flag], cohorts: [Cohort] = [], environment: String = "production") -> Engine {
    Engine(Snapshot(environment: environment, version: 1, flags: flags, cohorts: cohorts))
}

/// A boolean flag, on in production, with `rules` and a default serving `off`, so a
/// result of `on` means a rule matched.
func ruleFlag(_ rules: [Rule], targets: [Target] = []) -> Flag {
    Flag(key: "f", environments: ["production": FlagState(enabled: true, targets: targets, rules: rules, default: .variant("off"))])
}

/// Whether `clause` holds for `context`, evaluated through the whole engine.
func holds(_ clause: Clause, _ context: EvaluationContext, cohorts: [Cohort] = []) -> Bool {
    let flag = ruleFlag([Rule(clauses: [clause], serve: .variant("on"))])
    return engine([flag], cohorts: cohorts).evaluate("f", context: context).variant == "on"
}

func context(_ targetingKey: String? = nil, _ attributes: [String: Value] = [:]) -> EvaluationContext {
    EvaluationContext(targetingKey: targetingKey, attributes: attributes)
}
