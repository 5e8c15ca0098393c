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

/// `clutch flags stale`: flags nobody evaluates or everybody gets.
struct FlagsStale: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stale", abstract: "List flags not evaluated for DAYS days or fully rolled out: candidates for removal.")

    @OptionGroup var connection: ConnectionOptions

    @Option(help: ArgumentHelp("Days without an evaluation.", valueName: "days"))
    var days: Int = 30

    func run() async throws {
        guard days >= 0 else { throw CLIError.failed("--days must not be negative, got \(days)") }
        let response = try await connection.client().send("GET", ["flags", "stale"], query: [("days", String(days))])
        if connection.json { return Output.json(try response.json()) }
        let stale = try response.decode(StaleList.self).flags
        if stale.isEmpty { return Output.text("No stale flags (\(days) days).") }
        var table = Table(["KEY", "REASON", "LAST EVALUATED"])
        for entry in stale { table.add([entry.key, entry.reason, Output.time(entry.lastEvaluated)]) }
        Output.text(table.render())
    }
}
