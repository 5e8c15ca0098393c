import ArgumentParser
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

/// `clutch flags delete KEY`: removes the flag; its history stays.
struct FlagsDelete: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a flag (its history is kept).")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var change: MessageOption
    @Argument(help: "The flag's key.") var key: String

    func run() async throws {
        _ = try await connection.client().send("DELETE", ["flags", key], message: change.message)
        if connection.json { return Output.json(["deleted": .string(key)]) }
        Output.text("Deleted \(key).")
    }
}
