import ArgumentParser
import ClutchAPI
import ClutchCore

/// `clutch envs list|protect|unprotect`: environments and their protection.
struct EnvsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "envs", abstract: "List environments; protect production so that widening changes need review.",
        discussion: """
            In a protected environment a change that widens exposure (anything but turning off, kill, aborting a release \
            or rolling back to off) becomes a change request that needs approvals ('clutch requests'); turning things off \
            applies at once.
            """,
        subcommands: [EnvsList.self, EnvsProtect.self, EnvsUnprotect.self],
        defaultSubcommand: EnvsList.self)
}

struct EnvsList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List environments and their protection.")

    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        let response = try await connection.client().send("GET", ["environments"])
        if connection.json { return Output.json(try response.json()) }
        var table = Table(["ENVIRONMENT", "VERSION", "STREAMS", "PROTECTION"])
        for environment in try response.decode(EnvironmentList.self).environments {
            table.add([environment.key, "\(environment.snapshotVersion)", "\(environment.streams)", EnvsProtect.describe(environment.protection)])
        }
        Output.text(table.render())
    }
}

struct EnvsProtect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "protect", abstract: "Protect an environment: changes that widen exposure need approved change requests.")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var change: MessageOption
    @Argument(help: "The environment.") var environment: String
    @Option(help: ArgumentHelp("Approvals a change request needs.", valueName: "n")) var approvals = 1
    @ArgumentParser.Flag(help: "Let a request's author approve it.") var allowSelfApproval = false

    func run() async throws {
        let update = EnvironmentUpdate(protection: EnvironmentProtection(requiredApprovals: approvals, allowSelfApproval: allowSelfApproval))
        let response = try await connection.client().send("PATCH", ["environments", environment], json: update, message: change.message)
        if connection.json { return Output.json(try response.json()) }
        let record = try response.decode(EnvironmentInfo.self)
        Output.text("\(record.key) is protected: \(Self.describe(record.protection)).")
    }

    static func describe(_ protection: EnvironmentProtection?) -> String {
        guard let protection else { return "-" }
        let approvals = protection.requiredApprovals == 1 ? "1 approval" : "\(protection.requiredApprovals) approvals"
        return protection.allowSelfApproval ? "\(approvals) (self-approval allowed)" : approvals
    }
}

struct EnvsUnprotect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "unprotect", abstract: "Lift an environment's protection.")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var change: MessageOption
    @Argument(help: "The environment.") var environment: String

    func run() async throws {
        let response = try await connection.client().send(
            "PATCH", ["environments", environment], json: EnvironmentUpdate(protection: nil), message: change.message)
        if connection.json { return Output.json(try response.json()) }
        Output.text("\(try response.decode(EnvironmentInfo.self).key) is no longer protected.")
    }
}
