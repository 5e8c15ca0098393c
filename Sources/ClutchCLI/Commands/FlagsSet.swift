import ArgumentParser
import ClutchAPI
import ClutchCore

/// `clutch flags set KEY --kind K --owner EMAIL`: changes what a flag is for and who owns it,
/// as `setKind`/`setOwner` instructions (`POST …/changes`), so that the change composes with
/// any other made meanwhile instead of writing back the whole flag as read.
struct FlagsSet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set", abstract: "Change a flag's kind or owner (one revision).")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var change: MessageOption
    @Argument(help: "The flag's key.") var key: String

    @Option(help: ArgumentHelp("release, experiment, operational, kill-switch or permission.", valueName: "kind"))
    var kind: String?

    @Option(help: ArgumentHelp("Who should clean it up: the email of a member (clutch users list).", valueName: "email"))
    var owner: String?

    @ArgumentParser.Flag(help: "Remove the owner.") var noOwner = false

    func run() async throws {
        guard kind != nil || owner != nil || noOwner else { throw CLIError.usage("say what to change: --kind, --owner or --no-owner") }
        if owner != nil, noOwner { throw CLIError.usage("--owner and --no-owner contradict each other") }
        var instructions: [Instruction] = []
        if let kind { instructions.append(.setKind(try Self.kind(kind))) }
        if let owner { instructions.append(.setOwner(owner)) }
        if noOwner { instructions.append(.setOwner(nil)) }
        try await Self.apply(instructions, to: key, connection: connection, message: change.message)
    }

    /// The kind named `name`, or a one-line failure listing the kinds.
    static func kind(_ name: String) throws -> FlagKind {
        guard let kind = FlagKind(rawValue: name) else { throw CLIError.failed("unknown kind '\(name)': use one of \(FlagKind.names)") }
        return kind
    }

    /// Sends flag-wide `instructions` (kind, owner) and says what the flag is now. They apply to
    /// every environment, but the changes route is an environment's: any of the flag's serves.
    /// The server judges the owner (an email, of a member) and answers a refusal naming it.
    static func apply(_ instructions: [Instruction], to key: String, connection: ConnectionOptions, message: String?) async throws {
        let client = try connection.client()
        let record = try await client.send("GET", ["flags", key]).decode(FlagRecord.self)
        guard let environment = record.flag.environments.keys.sorted().first else {
            throw CLIError.failed("flag '\(key)' has no environment to send the change through")
        }
        let response = try await client.send(
            "POST", ["flags", key, "environments", environment, "changes"], json: FlagChanges(instructions: instructions), message: message)
        if connection.json { return Output.json(try response.json()) }
        let written = try response.decode(FlagRecord.self)
        if written.revision == record.revision { return Output.text("\(key) is already so: nothing changed.") }
        let owned = written.flag.owner.map { "owner \(Output.printable($0))" } ?? "no owner"
        Output.text("\(written.flag.key) is \(written.flag.kind.withArticle) flag, \(owned) (revision \(written.revision)).")
    }
}

/// `clutch flags set-kind KEY KIND`: ``FlagsSet`` for the kind alone.
struct FlagsSetKind: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set-kind", abstract: "Change what a flag is for: release, experiment, operational, kill-switch or permission.")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var change: MessageOption
    @Argument(help: "The flag's key.") var key: String
    @Argument(help: "release, experiment, operational, kill-switch or permission.") var kind: String

    func run() async throws {
        try await FlagsSet.apply([.setKind(try FlagsSet.kind(kind))], to: key, connection: connection, message: change.message)
    }
}

/// `clutch flags set-owner KEY EMAIL`: ``FlagsSet`` for the owner alone.
struct FlagsSetOwner: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set-owner", abstract: "Change who should clean a flag up: the email of a member.")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var change: MessageOption
    @Argument(help: "The flag's key.") var key: String
    @Argument(help: "A member's email (clutch users list).") var email: String

    func run() async throws {
        try await FlagsSet.apply([.setOwner(email)], to: key, connection: connection, message: change.message)
    }
}
