import ClutchCore

/// Builds a rollout from `--percent P [--variant V]` or `--weights a=25,b=75`, plus `--by`.
enum RolloutBuilder {
    /// The rollout the options describe for `flag`. `previous` is what is served now: its
    /// `bucketBy` is kept when `--by` is not given, so changing the percentage never reshuffles.
    static func build(
        flag: Flag, percent: String?, variant: String?, weights: String?, by: String?, previous: Serve?
    ) throws -> Rollout {
        let bucketBy = by ?? previous?.rollout?.bucketBy ?? Rollout.defaultBucketBy
        if bucketBy.isEmpty { throw CLIError.failed("--by must name an attribute, e.g. --by customerId") }
        switch (percent, weights) {
        case (let percent?, nil):
            let chosen = try FlagEditor.variant(variant ?? FlagEditor.defaultServeVariant(of: flag), of: flag)
            guard chosen != flag.offVariant else {
                throw CLIError.failed(
                    "--variant '\(chosen)' is the off variant, which the rest already gets",
                    hint: "name the variant to roll out with --variant")
            }
            let weight = try Percent.weight(percent, option: "--percent")
            // The chosen variant first: raising its weight only ever adds contexts to it.
            return Rollout(bucketBy: bucketBy, weights: [
                .init(variant: chosen, weight: weight),
                .init(variant: flag.offVariant, weight: Rollout.totalWeight - weight),
            ])
        case (nil, let weights?):
            if variant != nil { throw CLIError.usage("--variant goes with --percent; --weights names its variants") }
            let parsed = try Percent.weights(weights)
            for weight in parsed { _ = try FlagEditor.variant(weight.variant, of: flag) }
            return Rollout(bucketBy: bucketBy, weights: parsed)
        case (nil, nil):
            throw CLIError.usage("give --percent P or --weights a=25,b=75")
        case (.some, .some):
            throw CLIError.usage("give either --percent or --weights, not both")
        }
    }
}
