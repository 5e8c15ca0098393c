import ArgumentParser
import ClutchServer
import Foundation
import ClutchCore
import Logging

/// `clutch serve`: runs the server in the foreground until SIGTERM or SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the Clutch server.",
        discussion: """
            On first start it creates the database, the development, staging and production \
            environments and an admin token (CLUTCH_BOOTSTRAP_TOKEN, or a random one), and writes \
            the CLI config file. Prints 'Clutch listening on URL' once it accepts connections.
            """)

    @Option(help: ArgumentHelp("The address to bind (or CLUTCH_HOST; default 127.0.0.1).", valueName: "host"))
    var host: String?

    @Option(help: ArgumentHelp("The port; 0 picks a free one (or CLUTCH_PORT; default 8080).", valueName: "port"))
    var port: Int?

    @Option(help: ArgumentHelp("The SQLite database file (or CLUTCH_DB; default ./clutch.db).", valueName: "path"))
    var db: String?

    @ArgumentParser.Flag(help: "Print the ready line as JSON.")
    var json = false

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let host = nonEmpty(self.host) ?? nonEmpty(environment["CLUTCH_HOST"]) ?? "127.0.0.1"
        let port: Int
        if let explicit = self.port {
            port = explicit
        } else if let text = nonEmpty(environment["CLUTCH_PORT"]) {
            guard let parsed = Int(text) else { throw CLIError.usage("CLUTCH_PORT must be a port number, got '\(text)'") }
            port = parsed
        } else {
            port = 8080
        }
        guard (0...65535).contains(port) else { throw CLIError.usage("--port must be 0–65535, got \(port)") }
        let databasePath = nonEmpty(db) ?? nonEmpty(environment["CLUTCH_DB"]) ?? "./clutch.db"

        ServeLogging.bootstrapOnce()
        var logger = Logger(label: "clutch")
        if let level = environment["CLUTCH_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) { logger.logLevel = level }

        let configuration = ServerConfiguration(
            host: host, port: port, databasePath: databasePath,
            bootstrapToken: nonEmpty(environment["CLUTCH_BOOTSTRAP_TOKEN"]),
            cliConfigPath: CLIConfigFile.defaultPath())
        let json = self.json
        do {
            try await runClutchServer(configuration, logger: logger) { boundPort in
                let display = host.contains(":") ? "[\(host)]" : host
                let url = "http://\(display):\(boundPort)"
                if json {
                    let line: Value = ["url": .string(url), "port": .integer(Int64(boundPort)), "host": .string(host)]
                    Terminal.out(line.jsonText + "\n")
                } else {
                    Terminal.out("Clutch listening on \(url)\n")
                }
            }
        } catch let error as CLIError {
            throw error
        } catch {
            let text = "\(error)"
            if text.contains("Address already in use") {
                throw CLIError.failed(
                    "cannot listen on \(host):\(port): the address is already in use",
                    hint: "stop the other server or pick another --port (0 picks a free one)")
            }
            throw CLIError.failed("the server stopped: \(text)")
        }
    }

    private func nonEmpty(_ s: String?) -> String? {
        guard let s, !s.isEmpty else { return nil }
        return s
    }
}

/// The executable's one logging bootstrap: stderr, so stdout stays for the ready line.
enum ServeLogging {
    private static let bootstrapped: Void = {
        LoggingSystem.bootstrap { label in StreamLogHandler.standardError(label: label) }
    }()

    static func bootstrapOnce() {
        _ = bootstrapped
    }
}
