import ClutchCore

/// The cost of `matches` (the linear-time pattern engine) per evaluation, next to `startsWith`
/// on the same contexts, and the worst case: patterns that take a backtracking engine
/// exponential time, against a 100,000-character value.
enum PatternBenchmarks {
    static let contextCount = 20_000
    static let rounds = 15

    static func run() {
        func flag(_ key: String, _ op: Operator, _ value: String) -> Flag {
            Flag(key: key, environments: ["production": FlagState(
                enabled: true, rules: [Rule(clauses: [Clause(attribute: "email", op, [value])], serve: .variant("on"))],
                default: .variant("off"))])
        }
        let snapshot = Snapshot(environment: "production", version: 1, flags: [
            flag("starts", .startsWith, "admin"),
            flag("pattern", .matches, #"^[a-z0-9.]+@acme\.com$"#),
        ], cohorts: [])
        let engine = Engine(snapshot)
        let domains = ["acme.com", "example.org", "globex.com"]
        let contexts = (0..<contextCount).map { i in
            EvaluationContext(targetingKey: "user-\(i)", attributes: ["email": .string("user.\(i)@\(domains[i % 3])")])
        }
        let figures = Bench.interleaved(rounds: rounds, count: contexts.count, [
            {
                var on = 0
                for context in contexts where engine.evaluate("starts", context: context).variant == "on" { on += 1 }
                return on
            },
            {
                var on = 0
                for context in contexts where engine.evaluate("pattern", context: context).variant == "on" { on += 1 }
                return on
            },
        ])
        Bench.report("engine_startswith_rule", figures[0], "ns/eval")
        Bench.report("engine_matches_rule", figures[1], "ns/eval")
        Bench.report("engine_matches_vs_startswith_ratio", figures[1] / figures[0], "x")

        // The patterns a backtracking engine needs minutes or more for, on 100,000 characters.
        let evil = String(repeating: "a", count: 100_000) + "!"
        var worst = 0.0
        for (i, source) in [#"^(a+)+$"#, #"(a|aa)*b"#, #"(a*)*b"#, #"^([a-z0-9]+\.?)+@acme\.com$"#].enumerated() {
            let key = "evil-\(i)"
            let engine = Engine(Snapshot(environment: "production", version: 1, flags: [flag(key, .matches, source)], cohorts: []))
            let context = EvaluationContext(targetingKey: "u", attributes: ["email": .string(evil)])
            let start = ContinuousClock.now
            Bench.blackHole(engine.evaluate(key, context: context).variant == "on" ? 1 : 0)
            worst = max(worst, Bench.seconds(ContinuousClock.now - start) * 1000)
        }
        Bench.report("engine_matches_worst_case_100k_chars", worst, "ms")
    }
}
