import ArgumentParser
import ClutchCore

/// `clutch status`: server version, environments and connected SDK streams.
struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the server's version, environments and connected SDK streams.")

    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        let client = try connection.client()
        let response = try await client.send("GET", ["status"])
        if connection.json { return Output.json(try response.json()) }
        let status = try response.decode(StatusRecord.self)
        Output.text("Clutch \(status.version ?? "?") at \(client.endpoint.server.absoluteString)")
        var table = Table(["ENVIRONMENT", "FLAGS", "SNAPSHOT", "STREAMS"])
        for environment in status.environments {
            table.add([
                environment.key, environment.flags.map(String.init) ?? "-",
                environment.snapshotVersion.map { String($0) } ?? "-", environment.streams.map(String.init) ?? "-",
            ])
        }
        Output.text(table.render())
    }
}
