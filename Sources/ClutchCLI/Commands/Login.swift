import ArgumentParser
import ClutchAPI
import ClutchCore
import ClutchServer
import Foundation

/// `clutch login`: checks a server URL and token (a personal token from the console's "Your
/// tokens", or a service token) and who it is, then saves them in the config file.
struct Login: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Save a server URL and your token in the config file, after checking them.")

    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let serverText = connection.server ?? environment["CLUTCH_URL"], !serverText.isEmpty else {
            throw CLIError.usage("login needs --server URL", hint: "e.g. clutch login --server http://127.0.0.1:8080 --token clutch_pat_…")
        }
        guard let token = connection.token ?? environment["CLUTCH_TOKEN"], !token.isEmpty else {
            throw CLIError.usage("login needs --token TOKEN")
        }
        let server = try ClientEndpoint.parseServer(serverText)
        let client = AdminClient(endpoint: ClientEndpoint(server: server, token: token))
        let status = try await client.send("GET", ["status"]).decode(ServerStatus.self)
        let me = try await client.send("GET", ["me"]).decode(Me.self)
        let path = CLIConfigFile.defaultPath()
        do {
            try CLIConfigFile(server: server.absoluteString, token: token).write(to: path)
        } catch {
            throw CLIError.failed("cannot write \(path): \(error.localizedDescription)")
        }
        if connection.json {
            Output.json([
                "server": .string(server.absoluteString), "config": .string(path), "version": .string(status.version), "actor": .string(me.actor),
            ])
        } else {
            Output.text("Logged in to \(server.absoluteString) (Clutch \(status.version)) as \(Output.printable(me.actor)); saved to \(path)")
        }
    }
}
