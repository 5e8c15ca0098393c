import ArgumentParser
import ClutchAPI
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
        let status = try response.decode(ServerStatus.self)
        Output.text("Clutch \(status.version) at \(client.endpoint.server.absoluteString)")
        var table = Table(["ENVIRONMENT", "FLAGS", "SNAPSHOT", "STREAMS"])
        for environment in status.environments {
            table.add([
                environment.key, String(environment.flags), String(environment.snapshotVersion), String(environment.streams),
            ])
        }
        Output.text(table.render())
    }
}
