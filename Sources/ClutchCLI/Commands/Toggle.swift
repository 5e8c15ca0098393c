import ArgumentParser
import ClutchCore

/// `clutch on KEY --env E`: targeting decides again.
struct On: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Switch a flag on in one environment.")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var environment: EnvironmentOption
    @OptionGroup var change: MessageOption
    @OptionGroup var revision: RevisionOption
    @Argument(help: "The flag's key.") var key: String

    func run() async throws {
        try await Toggle.run(key: key, enabled: true, environment: environment, connection: connection, message: change.message, ifRevision: revision.ifRevision)
    }
}

/// `clutch off KEY --env E`: everyone gets the off variant.
struct Off: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Switch a flag off in one environment: everyone gets its off variant.")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var environment: EnvironmentOption
    @OptionGroup var change: MessageOption
    @OptionGroup var revision: RevisionOption
    @Argument(help: "The flag's key.") var key: String

    func run() async throws {
        try await Toggle.run(key: key, enabled: false, environment: environment, connection: connection, message: change.message, ifRevision: revision.ifRevision)
    }
}

enum Toggle {
    static func run(
        key: String, enabled: Bool, environment: EnvironmentOption, connection: ConnectionOptions, message: String?,
        ifRevision: Int?
    ) async throws {
        let env = try environment.required()
        let client = try connection.client()
        let response = try await client.send(
            "POST", ["flags", key, "environments", env, enabled ? "on" : "off"], ifMatch: ifRevision, message: message)
        if connection.json { return Output.json(try response.json()) }
        let record = try response.decode(FlagRecord.self)
        Output.text(Describe.state(record.flag, environment: env, revision: record.revision))
    }
}
