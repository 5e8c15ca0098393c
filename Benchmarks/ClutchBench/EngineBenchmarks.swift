import ClutchCore

/// The engine benchmark of issue 2: cost per evaluation over 100,000 distinct contexts for
/// (a) a flag with no targeting and (b) a flag with a 3-customer cohort rule, an admin-only
/// rule and a 25 % rollout on `targetingKey`, against a dictionary-lookup baseline measured
/// in the same run.
enum EngineBenchmarks {
    static let contextCount = 100_000
    /// Each round times every body once over all contexts; figures are medians over rounds.
    /// Rounds interleave the bodies so a burst of load on the host (this is a shared VM)
    /// hits all of them alike instead of one figure.
    static let rounds = 31

    /// The snapshot both benchmarks (and the SDK benchmark) evaluate.
    static func snapshot() -> Snapshot {
        let plain = Flag(key: "plain", environments: ["production": FlagState(enabled: true)])
        let rules = Flag(key: "rules", environments: ["production": FlagState(
            enabled: true,
            rules: [
                Rule(clauses: [.inCohort("pilot-customers")], serve: .variant("on")),
                Rule(clauses: [Clause(attribute: "role", .in, ["admin"])], serve: .variant("on")),
            ],
            default: .rollout(.percentage(25, of: "on", rest: "off")))])
        let cohort = Cohort(key: "pilot-customers", members: ["customer-1", "customer-2", "customer-3"])
        return Snapshot(environment: "production", version: 1, flags: [plain, rules], cohorts: [cohort])
    }

    /// 100,000 distinct contexts: every one has its own targeting key, one in 200 customers
    /// is in the cohort, one in 20 users is an admin.
    static func contexts() -> [EvaluationContext] {
        (0..<contextCount).map { i in
            var attributes: [String: Value] = ["customerId": .string("customer-\(i % 600)")]
            attributes["role"] = i % 20 == 0 ? .string("admin") : .string("member")
            return EvaluationContext(targetingKey: "user-\(i)", attributes: attributes)
        }
    }

    static func run() {
        let engine = Engine(snapshot())
        let gatedEngine = Engine(gatedSnapshot())
        let contexts = contexts()
        // Baseline: the cheapest possible flag check, one dictionary lookup per evaluation.
        var table: [String: Bool] = [:]
        for i in 0..<100 { table["flag-\(i)"] = i % 2 == 0 }
        table["plain"] = true
        let figures = Bench.interleaved(rounds: rounds, count: contexts.count, [
            {
                var on = 0
                for i in 0..<contexts.count where table[contexts[i].targetingKey == nil ? "x" : "plain"] == true { on += 1 }
                return on
            },
            {
                var on = 0
                for context in contexts where engine.evaluate("plain", context: context).variant == "on" { on += 1 }
                return on
            },
            {
                var on = 0
                for context in contexts where engine.evaluate("rules", context: context).variant == "on" { on += 1 }
                return on
            },
            {
                var on = 0
                for context in contexts where gatedEngine.evaluate("gated", context: context).variant == "on" { on += 1 }
                return on
            },
        ])
        let (baseline, plain, rules, gated) = (figures[0], figures[1], figures[2], figures[3])
        Bench.report("engine_dictionary_baseline", baseline, "ns/op")
        Bench.report("engine_no_targeting", plain, "ns/eval")
        Bench.report("engine_rules_cohort_admin_rollout", rules, "ns/eval")
        Bench.report("engine_no_targeting_vs_baseline_ratio", plain / baseline, "x")
        Bench.report("engine_rules_vs_baseline_ratio", rules / baseline, "x")
        // A prerequisite should cost one more evaluation: `gated` (no targeting, one
        // prerequisite on `plain`) against two evaluations of `plain`. Goal: about 1.
        Bench.report("engine_one_prerequisite", gated, "ns/eval")
        Bench.report("engine_one_prerequisite_vs_two_plain_ratio", gated / (2 * plain), "x")
    }

    /// `plain` and `gated`, which requires `plain` to serve `on` and has no targeting of its own.
    static func gatedSnapshot() -> Snapshot {
        let plain = Flag(key: "plain", environments: ["production": FlagState(enabled: true)])
        let gated = Flag(key: "gated", environments: ["production": FlagState(
            enabled: true, prerequisites: [Prerequisite(flag: "plain", variant: "on")])])
        return Snapshot(environment: "production", version: 1, flags: [gated, plain])
    }
}

/// Small timing helpers shared by every benchmark in this executable.
enum Bench {
    /// Times each of `bodies` once per round, `rounds` times over, and returns each body's
    /// median nanoseconds per operation, where one call performs `count` operations.
    /// Bodies return a checksum so the work is not optimised away.
    static func interleaved(rounds: Int, count: Int, _ bodies: [() -> Int]) -> [Double] {
        var samples = [[Double]](repeating: [], count: bodies.count)
        var checksum = 0
        for body in bodies { checksum &+= body() }  // warm up caches and lazy state
        for _ in 0..<rounds {
            for (index, body) in bodies.enumerated() {
                let start = ContinuousClock.now
                checksum &+= body()
                let elapsed = ContinuousClock.now - start
                samples[index].append(seconds(elapsed) * 1e9 / Double(count))
            }
        }
        blackHole(checksum)
        return samples.map(median)
    }

    static func seconds(_ duration: Duration) -> Double {
        let (s, attos) = duration.components
        return Double(s) + Double(attos) / 1e18
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    /// The value at `fraction` (0...1) of `values`, nearest rank.
    static func percentile(_ values: [Double], _ fraction: Double) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        let rank = Int((fraction * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }

    /// Prints one figure as `name: value unit`, the format scripts read.
    static func report(_ name: String, _ value: Double, _ unit: String) {
        let rounded = (value * 100).rounded() / 100
        print("\(name): \(rounded) \(unit)")
    }

    @inline(never)
    static func blackHole(_ value: Int) {
        if value == Int.min { print("") }
    }
}
