import ArgumentParser
import ClutchAPI
import ClutchCore

/// `clutch flags list`: key, type, on/off per environment, last change, last evaluation.
struct FlagsList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List flags with their state per environment.")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var environment: EnvironmentOption

    @ArgumentParser.Flag(help: "Include archived flags.")
    var archived = false

    func run() async throws {
        let client = try connection.client()
        let response = try await client.send("GET", ["flags"], query: archived ? [("archived", "true")] : [])
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
            return Output.text("No flags yet. Create one with 'clutch flags create KEY'.")
        }
        var table = Table(["KEY", "TYPE"] + environments.map { $0.uppercased() } + ["UPDATED", "LAST EVALUATED"])
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
            table.add([flag.archived ? "\(flag.key) (archived)" : flag.key, flag.type.rawValue] + states
                + [Output.time(record.updatedAt), Output.time(evaluated)])
        }
        Output.text(table.render())
        Output.text(Style.dim("* prerequisites, targeting, rules or a rollout decide who gets what"))
    }
}
