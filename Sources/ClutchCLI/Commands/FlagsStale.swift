import ArgumentParser
import ClutchAPI
import ClutchCore

/// `clutch flags stale`: the flags in the stage `stale` (`FlagLifecycle`): rolled out for 14
/// days, past their kind's expected life, or not evaluated for DAYS days.
struct FlagsStale: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stale",
        abstract: "List stale flags (rolled out 14 days, past their kind's life, or not evaluated for DAYS days): candidates for removal.",
        discussion: "'clutch cleanup' gives the next step for each, with its code references.")

    @OptionGroup var connection: ConnectionOptions

    @Option(help: ArgumentHelp("Days without an evaluation that make a flag stale.", valueName: "days"))
    var days: Int = 30

    func run() async throws {
        guard days >= 0 else { throw CLIError.failed("--days must not be negative, got \(days)") }
        let response = try await connection.client().send("GET", ["flags", "stale"], query: [("days", String(days))])
        if connection.json { return Output.json(try response.json()) }
        let stale = try response.decode(StaleFlagList.self).flags
        if stale.isEmpty { return Output.text("No stale flags (\(days) days).") }
        var table = Table(["KEY", "KIND", "OWNER", "REASON", "LAST EVALUATED"])
        for entry in stale {
            table.add([entry.key, entry.kind.rawValue, entry.owner.map(Output.printable) ?? "-", entry.reason, Output.time(entry.lastEvaluated)])
        }
        Output.text(table.render())
    }
}
