import ArgumentParser
import ClutchAPI
import ClutchCore

/// `clutch kill KEY`: off everywhere (or in one environment) in one atomic change.
struct Kill: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Switch a flag off in every environment at once (or only --env).",
        discussion: "One revision, one transaction; connected SDKs get the change at once. 'clutch rollback KEY --env E' undoes it.")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var environment: EnvironmentOption
    @OptionGroup var change: MessageOption
    @OptionGroup var schedule: ScheduleOption
    @Argument(help: "The flag's key.") var key: String

    func run() async throws {
        // Kill is the one command where no environment means all of them, on purpose.
        let env = environment.optional()
        if let at = try schedule.date() {
            // A scheduled kill is one environment's change, like every schedule.
            guard let env else {
                throw CLIError.usage("kill --at needs --env: a scheduled change is to one environment (schedule one per environment)")
            }
            let (record, json) = try await Scheduling.send(
                try connection.client(), key: key, environment: env, instructions: [Instruction.turnOff], at: at, message: change.message)
            return Scheduling.report(record, json: json, asJSON: connection.json)
        }
        let response = try await connection.client().send(
            "POST", ["flags", key, "kill"], json: KillRequest(environments: env.map { [$0] }), message: change.message)
        if connection.json { return Output.json(try response.json()) }
        let kill = try response.decode(KillResult.self)
        let list = kill.environments.isEmpty ? "no environment (already off)" : kill.environments.joined(separator: ", ")
        Output.text("\(Style.red("Killed")) \(key) in \(list) (revision \(kill.flag.revision)); notified \(kill.notifiedStreams) connected stream(s).")
    }
}
