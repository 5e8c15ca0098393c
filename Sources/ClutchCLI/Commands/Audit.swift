import ArgumentParser
import ClutchAPI
import ClutchCore

/// `clutch audit`: who changed what, newest first.
struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show the audit log, newest first.")

    @OptionGroup var connection: ConnectionOptions

    @Option(help: ArgumentHelp("Since a time (RFC 3339) or a duration ago: 30m, 1h, 7d.", valueName: "when"))
    var since: String?

    @Option(help: ArgumentHelp("Only events about this flag.", valueName: "key"))
    var flag: String?

    @Option(help: ArgumentHelp("At most this many events.", valueName: "n"))
    var limit: Int = 100

    func run() async throws {
        guard limit > 0 else { throw CLIError.failed("--limit must be positive, got \(limit)") }
        if let since, !Audit.isValidSince(since) {
            throw CLIError.failed("--since takes a duration like 30m, 1h or 7d, or an RFC 3339 time, got '\(since)'")
        }
        var query: [(String, String)] = [("limit", String(limit))]
        if let since { query.append(("since", since)) }
        if let flag { query.append(("flag", flag)) }
        let response = try await connection.client().send("GET", ["audit"], query: query)
        if connection.json { return Output.json(try response.json()) }
        let events = try response.decode(AuditEventList.self).events
        if events.isEmpty { return Output.text("No events.") }
        var table = Table(["TIME", "ACTOR", "ACTION", "ENTITY", "ENVIRONMENT", "REV", "MESSAGE"])
        for event in events {
            table.add([
                Output.time(event.at), event.actor, event.action, "\(event.entity) \(event.key)",
                event.environment ?? "-", event.revision.map(String.init) ?? "-",
                event.message.flatMap { $0.isEmpty ? nil : $0 } ?? "-",
            ].map(Output.printable))
        }
        Output.text(table.render())
    }

    static func isValidSince(_ text: String) -> Bool {
        if Timestamp.seconds(text) != nil, text.contains("-") { return true }
        guard let unit = text.last, "smhdw".contains(unit) else { return false }
        let number = text.dropLast()
        return !number.isEmpty && number.allSatisfy(\.isNumber)
    }
}
