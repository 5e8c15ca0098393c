import ArgumentParser
import ClutchAPI
import ClutchCore

/// `clutch flags archive KEY`: hides the flag from listings and SDKs, keeping its history.
struct FlagsArchive: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "archive", abstract: "Archive a flag: SDKs stop getting it; history is kept.")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var change: MessageOption
    @Argument(help: "The flag's key.") var key: String

    func run() async throws {
        let response = try await connection.client().send("POST", ["flags", key, "archive"], message: change.message)
        if connection.json { return Output.json(try response.json()) }
        let record = try response.decode(FlagRecord.self)
        Output.text("Archived \(record.flag.key) (revision \(record.revision)); 'clutch flags unarchive \(key)' brings it back.")
    }
}

/// `clutch flags unarchive KEY`.
struct FlagsUnarchive: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "unarchive", abstract: "Bring an archived flag back.")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var change: MessageOption
    @Argument(help: "The flag's key.") var key: String

    func run() async throws {
        let response = try await connection.client().send("POST", ["flags", key, "unarchive"], message: change.message)
        if connection.json { return Output.json(try response.json()) }
        let record = try response.decode(FlagRecord.self)
        Output.text("Unarchived \(record.flag.key) (revision \(record.revision)).")
    }
}

/// `clutch flags delete KEY`: removes the flag; its history stays, and `restore` brings it back.
struct FlagsDelete: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete a flag (its history is kept; 'clutch flags restore' brings it back).",
        discussion: """
            A flag that is on in any environment, or was evaluated in the last 7 days, is refused:             applications still use it. Turn it off and archive it first, or pass --force.
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var change: MessageOption
    @Argument(help: "The flag's key.") var key: String
    @ArgumentParser.Flag(help: "Delete even a flag that is on or was evaluated in the last 7 days.") var force = false

    func run() async throws {
        _ = try await connection.client().send(
            "DELETE", ["flags", key], query: force ? [("force", "true")] : [], message: change.message)
        if connection.json { return Output.json(["deleted": .string(key)]) }
        Output.text("Deleted \(key). Restore it with 'clutch flags restore \(key)'.")
    }
}

/// `clutch flags restore KEY`: recreates a deleted flag from its history.
struct FlagsRestore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore", abstract: "Restore a deleted flag from its history, with its states, as a new revision.")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var change: MessageOption
    @Argument(help: "The flag's key.") var key: String

    func run() async throws {
        let response = try await connection.client().send("POST", ["flags", key, "restore"], message: change.message)
        if connection.json { return Output.json(try response.json()) }
        let record = try response.decode(FlagRecord.self)
        let on = record.flag.environments.filter(\.value.enabled).keys.sorted()
        Output.text("Restored \(key) (revision \(record.revision))" + (on.isEmpty ? "; it is off everywhere." : "; on in \(on.joined(separator: ", "))."))
    }
}
