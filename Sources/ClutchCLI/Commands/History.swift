import ArgumentParser
import ClutchAPI
import ClutchCore
import Foundation

/// `clutch history KEY`: revisions newest first.
struct History: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a flag's revisions, newest first (only those touching --env, if given).")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var environment: EnvironmentOption
    @Argument(help: "The flag's key.") var key: String

    /// The widest a line of the table gets: 100 columns, or `$COLUMNS` when it is exported
    /// (at least 40).
    static var width: Int {
        guard let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), columns >= 40 else { return 100 }
        return columns
    }

    func run() async throws {
        let query = environment.optional().map { [("environment", $0)] } ?? []
        let response = try await connection.client().send("GET", ["flags", key, "revisions"], query: query)
        if connection.json { return Output.json(try response.json()) }
        let revisions = try response.decode(RevisionList.self).revisions
        if revisions.isEmpty { return Output.text("No revisions of \(key).") }
        var table = Table(["REV", "TIME", "ACTOR", "MESSAGE", "CHANGE"])
        for revision in revisions {
            table.add([
                String(revision.number), Output.time(revision.createdAt), revision.actor,
                revision.message.flatMap { $0.isEmpty ? nil : $0 } ?? "-",
                revision.summary.isEmpty ? revision.action : revision.summary,
            ].map(Output.printable))
        }
        // Fits the width: the actor, message and change wrap (the number and time never do).
        Output.text(table.render(width: Self.width, wrap: [2, 3, 4]))
    }
}
