import ArgumentParser
import ClutchAPI
import ClutchCore

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
        let stale = try response.decode(StaleFlagList.self).flags
        if stale.isEmpty { return Output.text("No stale flags (\(days) days).") }
        var table = Table(["KEY", "REASON", "LAST EVALUATED"])
        for entry in stale { table.add([entry.key, entry.reason, Output.time(entry.lastEvaluated)]) }
        Output.text(table.render())
    }
}
