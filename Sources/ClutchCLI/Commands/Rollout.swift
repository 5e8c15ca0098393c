import ArgumentParser
import ClutchCore

/// `clutch rollout KEY --env E --percent P`: the default serves a sticky percentage.
struct RolloutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollout",
        abstract: "Serve a variant to a sticky percentage of everyone not targeted.",
        discussion: """
            --percent P (0–100, up to 3 decimals) serves --variant (default: on for booleans) to P % \
            and the off variant to the rest; raising P only adds contexts. --weights a=25,b=25,c=50 \
            splits over several variants (summing to 100). --by picks the sticky attribute \
            (default targetingKey; customerId rolls out per customer; a dotted path such as org.id \
            reads a nested attribute).
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var environment: EnvironmentOption
    @OptionGroup var change: MessageOption
    @OptionGroup var schedule: ScheduleOption
    @OptionGroup var revision: RevisionOption
    @Argument(help: "The flag's key.") var key: String

    @Option(parsing: .unconditional, help: ArgumentHelp("Percentage of contexts that get --variant.", valueName: "percent"))
    var percent: String?

    @Option(help: ArgumentHelp("The variant rolled out (default: on for booleans).", valueName: "variant"))
    var variant: String?

    @Option(help: ArgumentHelp("Split over variants, e.g. a=25,b=25,c=50.", valueName: "weights"))
    var weights: String?

    @Option(help: ArgumentHelp("The attribute that keeps a context in its bucket (default targetingKey).", valueName: "attribute"))
    var by: String?

    func run() async throws {
        let env = try environment.required()
        if percent == nil, weights == nil { throw CLIError.usage("give --percent P or --weights a=25,b=75") }
        // Refuse bad numbers before talking to the server.
        if let percent { _ = try Percent.weight(percent, option: "--percent") }
        if let weights { _ = try Percent.weights(weights) }
        let editor = FlagEditor(client: try connection.client(), at: try schedule.date())
        let (percent, variant, weights, by) = (self.percent, self.variant, self.weights, self.by)
        var before = ""
        let outcome = try await editor.edit(key, environment: env, message: change.message, ifRevision: revision.ifRevision) { flag, state in
            before = Describe.fallback(flag, state)
            let rollout = try RolloutBuilder.build(
                flag: flag, percent: percent, variant: variant, weights: weights, by: by, previous: state.default)
            state.default = .rollout(rollout)
        }
        ChangeReport.print(outcome, environment: env, json: connection.json, headline: "Default in \(env) was: \(before)")
    }
}
