import ArgumentParser
import ClutchAPI
import ClutchCore

/// `clutch flags list`: key, type, stage, on/off per environment, last change, last evaluation.
struct FlagsList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List flags with their state per environment.")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var environment: EnvironmentOption

    @ArgumentParser.Flag(help: "Include archived flags.")
    var archived = false

    @Option(help: ArgumentHelp("Only flags in this stage (in --env's environment, else overall): new, live, rolled-out, stale or archived.", valueName: "stage"))
    var stage: String?

    func run() async throws {
        let client = try connection.client()
        var query: [(String, String)] = archived || stage == FlagStage.archived.rawValue ? [("archived", "true")] : []
        if let stage {
            guard FlagStage(rawValue: stage) != nil else { throw CLIError.failed("unknown stage '\(stage)': use one of \(FlagStage.names)") }
            query.append(("stage", stage))
            if let env = environment.optional() { query.append(("env", env)) }
        }
        let response = try await client.send("GET", ["flags"], query: query)
        if connection.json { return Output.json(try response.json()) }
        let flags = try response.decode(FlagList.self).flags
        let environments: [String]
        if let only = environment.optional() {
            environments = [only]
        } else if let listed = try? await client.send("GET", ["environments"]).decode(EnvironmentList.self) {
            environments = listed.environments.map(\.key).sorted()
        } else {
            environments = Set(flags.flatMap { $0.flag.environments.keys }).sorted()
        }
        if flags.isEmpty {
            if let stage { return Output.text("No flags are \(stage).") }
            return Output.text("No flags yet. Create one with 'clutch flags create KEY'.")
        }
        var table = Table(["KEY", "TYPE", "STAGE"] + environments.map { $0.uppercased() } + ["UPDATED", "LAST EVALUATED"])
        for record in flags {
            let flag = record.flag
            let states = environments.map { env -> String in
                let state = flag.state(in: env)
                let plain = state.prerequisites.isEmpty && state.targets.isEmpty && state.rules.isEmpty && state.default?.rollout == nil
                let extra = plain ? "" : "*"
                return Style.onOff(state.enabled) + extra
            }
            let evaluated = (record.usage ?? [:])
                .filter { environments.contains($0.key) }
                .map(\.value.lastEvaluated).max()
            // With one environment, the stage there; otherwise overall.
            let lifecycle = environment.optional().flatMap { record.lifecycle?.environments?[$0] } ?? record.lifecycle
            table.add([flag.archived ? "\(flag.key) (archived)" : flag.key, flag.type.rawValue, lifecycle?.stage.rawValue ?? "-"] + states
                + [Output.time(record.updatedAt), Output.time(evaluated)])
        }
        Output.text(table.render())
        Output.text(Style.dim("* prerequisites, targeting, rules or a rollout decide who gets what"))
    }
}
