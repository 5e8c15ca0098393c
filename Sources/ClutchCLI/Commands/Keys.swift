import ArgumentParser
import ClutchAPI
import ClutchCore

/// `clutch keys …`: SDK keys, one environment and one kind each.
struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create, list and revoke SDK keys.",
        subcommands: [KeysCreate.self, KeysList.self, KeysRevoke.self],
        defaultSubcommand: KeysList.self)
}

struct KeysCreate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Create an SDK key for one environment; it is shown only once.",
        discussion: """
            A server key (the default) is a secret for servers: it downloads the environment's flags and evaluates locally.
            A client key is public, for apps on devices and in browsers: it gets answers for the context it sends (OFREP,
            the client stream), never the flags' rules, targets or cohort members.
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var environment: EnvironmentOption
    @OptionGroup var change: MessageOption

    @Option(help: ArgumentHelp("A name to recognise the key by.", valueName: "name"))
    var name: String = "sdk"

    @Option(help: ArgumentHelp("server (a secret, for servers) or client (public, for apps on devices).", valueName: "kind"))
    var kind: String = SDKKeyKind.server.rawValue

    func run() async throws {
        let env = try environment.required()
        guard let kind = SDKKeyKind(rawValue: kind) else {
            throw CLIError.usage("--kind is server or client, not '\(Output.printable(kind))'")
        }
        let response = try await connection.client().send(
            "POST", ["environments", env, "keys"], json: SDKKeyCreate(name: name, kind: kind), message: change.message)
        if connection.json { return Output.json(try response.json()) }
        let key = try response.decode(SDKKeyCreated.self)
        Output.text("Created \(key.kind.rawValue) key \(key.id) (\(key.name)) for \(key.environment):")
        Output.text(Style.bold(key.key))
        switch key.kind {
        case .server: Output.text(Style.yellow("Store it now: it is not shown again. It is a secret: keep it on servers."))
        case .client: Output.text(Style.yellow("Store it now: it is not shown again. It is public: it may ship inside apps."))
        }
    }
}

struct KeysList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List SDK keys (never their secrets).")

    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        let response = try await connection.client().send("GET", ["keys"])
        if connection.json { return Output.json(try response.json()) }
        let keys = try response.decode(SDKKeyList.self).keys
        if keys.isEmpty { return Output.text("No SDK keys. Create one with 'clutch keys create --env ENV --name web'.") }
        var table = Table(["ID", "NAME", "ENVIRONMENT", "KIND", "CREATED", "REVOKED"])
        for key in keys {
            table.add([key.id, Output.printable(key.name), key.environment, key.kind.rawValue, Output.time(key.createdAt), key.revokedAt == nil ? "-" : Style.red(Output.time(key.revokedAt))])
        }
        Output.text(table.render())
    }
}

struct KeysRevoke: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke an SDK key: it stops working at once.")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var change: MessageOption
    @Argument(help: "The key's id (k_…).") var id: String

    func run() async throws {
        _ = try await connection.client().send("DELETE", ["keys", id], message: change.message)
        if connection.json { return Output.json(["revoked": .string(id)]) }
        Output.text("Revoked \(id); SDKs using it are refused from now on.")
    }
}

