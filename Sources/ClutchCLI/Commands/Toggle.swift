import ArgumentParser
import Foundation
import ClutchAPI
import ClutchCore

/// `clutch on KEY --env E`: targeting decides again.
struct On: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Switch a flag on in one environment.")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var environment: EnvironmentOption
    @OptionGroup var change: MessageOption
    @OptionGroup var schedule: ScheduleOption
    @OptionGroup var revision: RevisionOption
    @Argument(help: "The flag's key.") var key: String

    func run() async throws {
        try await Toggle.run(
            key: key, enabled: true, environment: environment, connection: connection, message: change.message,
            ifRevision: revision.ifRevision, at: try schedule.date())
    }
}

/// `clutch off KEY --env E`: everyone gets the off variant.
struct Off: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Switch a flag off in one environment: everyone gets its off variant.")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var environment: EnvironmentOption
    @OptionGroup var change: MessageOption
    @OptionGroup var schedule: ScheduleOption
    @OptionGroup var revision: RevisionOption
    @Argument(help: "The flag's key.") var key: String

    func run() async throws {
        try await Toggle.run(
            key: key, enabled: false, environment: environment, connection: connection, message: change.message,
            ifRevision: revision.ifRevision, at: try schedule.date())
    }
}

enum Toggle {
    static func run(
        key: String, enabled: Bool, environment: EnvironmentOption, connection: ConnectionOptions, message: String?,
        ifRevision: Int64?, at: Date?
    ) async throws {
        let env = try environment.required()
        let client = try connection.client()
        if let at {
            if ifRevision != nil { throw CLIError.usage("--if-revision cannot be combined with --at: the flag may change before then") }
            let (record, json) = try await Scheduling.send(
                client, key: key, environment: env, instructions: [enabled ? Instruction.turnOn : .turnOff], at: at, message: message)
            return Scheduling.report(record, json: json, asJSON: connection.json)
        }
        let response: AdminClient.Response
        do {
            response = try await client.send(
                "POST", ["flags", key, "environments", env, enabled ? "on" : "off"], ifMatch: ifRevision, message: message)
        } catch {
            try await RequestsCommand.openInstead(
                of: error, client: client, key: key, environment: env, instructions: [enabled ? .turnOn : .turnOff], message: message,
                json: connection.json)
        }
        if connection.json { return Output.json(try response.json()) }
        let record = try response.decode(FlagRecord.self)
        Output.text(Describe.state(record.flag, environment: env, revision: record.revision))
    }
}
