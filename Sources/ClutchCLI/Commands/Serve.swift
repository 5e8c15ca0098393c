import ArgumentParser
import ClutchServer
import ClutchStore
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
            environments and an admin token (CLUTCH_BOOTSTRAP_TOKEN, at least 32 characters and never \
            printed back, or a random one printed once), and writes the CLI config file. Prints 'Clutch listening on URL' once it accepts connections.
            """)

    @Option(help: ArgumentHelp("The address to bind (or CLUTCH_HOST; default 127.0.0.1).", valueName: "host"))
    var host: String?

    @Option(help: ArgumentHelp("The port; 0 picks a free one (or CLUTCH_PORT; default 8080).", valueName: "port"))
    var port: Int?

    @Option(help: ArgumentHelp(
        "The SQLite database file, or a postgres://user@host:port/database URL that several replicas share (or CLUTCH_DB; default ./clutch.db). The PostgreSQL password comes from PGPASSWORD or CLUTCH_DB_PASSWORD_FILE.",
        valueName: "path-or-url"))
    var db: String?

    @OptionGroup var databaseWait: DatabaseWaitOption

    @ArgumentParser.Flag(help: "Print the ready line as JSON.")
    var json = false

    @Option(help: ArgumentHelp(
        "Usage reports a second per SDK key, on average (or CLUTCH_USAGE_RATE; default 50; 0 = no limit).", valueName: "n"))
    var usageRate: Double?

    @Option(help: ArgumentHelp("Open streams per SDK key (or CLUTCH_MAX_STREAMS_PER_KEY; default 2000).", valueName: "n"))
    var maxStreamsPerKey: Int?

    @Option(help: ArgumentHelp(
        "Client streams (apps on devices, any client key) open at once; one more is answered 429 (or CLUTCH_MAX_CLIENT_STREAMS; default 8000).",
        valueName: "n"))
    var maxClientStreams: Int?

    @Option(help: ArgumentHelp(
        "Client streams from one source address; one more is answered 429 (or CLUTCH_MAX_CLIENT_STREAMS_PER_ADDRESS; default 500).",
        valueName: "n"))
    var maxClientStreamsPerAddress: Int?

    @Option(help: ArgumentHelp(
        "Seconds a connection may stay silent or take to send a request head (or CLUTCH_IDLE_TIMEOUT; default 60).",
        valueName: "seconds"))
    var idleTimeout: Int?

    @Option(help: ArgumentHelp(
        "Seconds a request may take to arrive whole, head and body, from its first byte; then 408 and the connection is closed (or CLUTCH_REQUEST_TIMEOUT; default 30). Streams are not cut.",
        valueName: "seconds"))
    var requestTimeout: Int?

    @Option(help: ArgumentHelp(
        "Connections open at once, streams included; one more is answered 503 with Retry-After (or CLUTCH_MAX_CONNECTIONS; default 10000; above --max-streams-per-key).",
        valueName: "n"))
    var maxConnections: Int?

    @Option(help: ArgumentHelp("The largest import in MiB (or CLUTCH_MAX_IMPORT_MB; default 64).", valueName: "MiB"))
    var maxImportSize: Int?

    @Option(help: ArgumentHelp(
        "Serve /metrics on a listener of its own at [HOST:]PORT, HOST 127.0.0.1 unless given (or CLUTCH_METRICS_ADDRESS; default none). The main listener serves /metrics only with --metrics-token.",
        valueName: "[host:]port"))
    var metricsAddress: String?

    @Option(help: ArgumentHelp(
        "Require 'Authorization: Bearer TOKEN' (at least 32 characters) for /metrics, and serve it on the main listener too (or CLUTCH_METRICS_TOKEN, which keeps it off the command line).",
        valueName: "token"))
    var metricsToken: String?

    @Option(name: .customLong("cors-origin"), help: ArgumentHelp(
        "Let web apps from this origin call the OFREP and SDK routes (repeatable; '*' for any; or CLUTCH_CORS_ORIGINS, comma-separated; default none).",
        valueName: "origin"))
    var corsOrigins: [String] = []

    @Option(help: ArgumentHelp(
        "The URL clients reach this server at, for links it hands out such as OFREP event streams (or CLUTCH_PUBLIC_URL; default http://<Host header>).",
        valueName: "url"))
    var publicURL: String?

    @Option(help: ArgumentHelp(
        "After SIGTERM, seconds /readyz answers 503 while requests are still served, so a proxy stops sending here before the server stops (or CLUTCH_DRAIN_SECONDS; default 5 on PostgreSQL, 0 on SQLite).",
        valueName: "seconds"))
    var drainSeconds: Double?

    @ArgumentParser.Flag(help: "Mark the web console's session cookie Secure even when requests arrive over plain HTTP (behind a TLS proxy).")
    var consoleSecureCookies = false

    @ArgumentParser.Flag(help: ArgumentHelp(
        "Let webhooks reach loopback, private, link-local and CGNAT addresses (or CLUTCH_WEBHOOK_ALLOW_PRIVATE=1; default: public addresses only)."))
    var webhookAllowPrivate = false

    @Option(name: .customLong("webhook-allow"), help: ArgumentHelp(
        "Let webhooks reach this internal network, e.g. 10.1.2.0/24 or fd00::/8 (repeatable; or CLUTCH_WEBHOOK_ALLOW, comma-separated).",
        valueName: "CIDR"))
    var webhookAllow: [String] = []

    @Option(help: ArgumentHelp(
        "The file with the key webhook secrets are sealed with, created (0600) on first start; every replica on one PostgreSQL database needs the same one (or CLUTCH_SECRET_KEY_FILE; default <db>.key for SQLite, secret.key beside the CLI config for PostgreSQL).",
        valueName: "path"))
    var secretKeyFile: String?

    @OptionGroup var oidc: OIDCOptions

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

        var configuration = ServerConfiguration(
            host: host, port: port, databasePath: databasePath,
            bootstrapToken: nonEmpty(environment["CLUTCH_BOOTSTRAP_TOKEN"]),
            cliConfigPath: CLIConfigFile.defaultPath())
        configuration.limits = try limits(environment)
        configuration.databaseConnectTimeout = try databaseWait.timeout(environment)
        configuration.checkContract = environment["CLUTCH_CHECK_CONTRACT"] == "1"
        let origins = corsOrigins.isEmpty
            ? (environment["CLUTCH_CORS_ORIGINS"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            : corsOrigins
        configuration.corsOrigins = try origins.filter { !$0.isEmpty }.map { origin in
            guard let normalized = CORSPolicy.normalizedOrigin(origin) else {
                throw CLIError.usage("--cors-origin must be an origin such as https://app.example.com, or '*'; got '\(origin)'")
            }
            return normalized
        }
        if let url = nonEmpty(publicURL) ?? nonEmpty(environment["CLUTCH_PUBLIC_URL"]) {
            guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil else {
                throw CLIError.usage("--public-url must be an http(s) URL, got '\(url)'")
            }
            configuration.publicURL = url
        }
        configuration.consoleSecureCookies = consoleSecureCookies
        if let address = nonEmpty(metricsAddress) ?? nonEmpty(environment["CLUTCH_METRICS_ADDRESS"]) {
            configuration.metricsAddress = try Self.listenAddress(address, option: "--metrics-address")
        }
        configuration.metricsToken = nonEmpty(metricsToken) ?? nonEmpty(environment["CLUTCH_METRICS_TOKEN"])
        if let seconds = try drainPeriod(environment) { configuration.drainPeriod = seconds }
        if let text = nonEmpty(environment["CLUTCH_WEBHOOK_FIRST_RETRY_SECONDS"]) {
            // The first retry's delay (default 10 s; it doubles per attempt up to an hour).
            guard let seconds = Double(text), seconds > 0, seconds <= 3600 else {
                throw CLIError.usage("CLUTCH_WEBHOOK_FIRST_RETRY_SECONDS must be a number of seconds in (0, 3600], got '\(text)'")
            }
            configuration.webhooks.firstRetryDelay = .milliseconds(Int64(seconds * 1000))
        }
        configuration.webhooks.targets = try webhookTargets(environment)
        configuration.secretKeyPath = nonEmpty(secretKeyFile) ?? nonEmpty(environment["CLUTCH_SECRET_KEY_FILE"])
        configuration.oidc = try oidc.settings(environment)
        let json = self.json
        let publicURL = configuration.publicURL
        do {
            try await runClutchServer(configuration, logger: logger) { boundPort in
                let display = host.contains(":") ? "[\(host)]" : host
                let url = "http://\(display):\(boundPort)"
                let console = Self.consoleURL(host: host, port: Int(boundPort), publicURL: publicURL)
                if json {
                    let line: Value = [
                        "url": .string(url), "port": .integer(Int64(boundPort)), "host": .string(host), "console": .string(console),
                    ]
                    Terminal.out(line.jsonText + "\n")
                } else {
                    // The ready line stays one line (scripts read the port from its end); the console follows.
                    Terminal.out("Clutch listening on \(url)\nWeb console: \(console)\n")
                }
            }
        } catch let error as CLIError {
            throw error
        } catch let error as ServerConfigurationError {
            throw CLIError.usage("\(error)")
        } catch let error as PostgresStoreError {
            throw CLIError.failed("cannot start: \(error)")
        } catch let error as StoreUnavailableError {
            throw CLIError.failed("cannot reach the database \(PostgresAddress.redacted(databasePath)): \(error)")
        } catch let error as WebhookSecretKeyError {
            throw CLIError.failed("cannot start: \(error)")
        } catch let error as DatabaseInUseError {
            throw CLIError.failed(
                "\(error)", hint: "stop the other server first, or give this one its own --db")
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

    /// The limits from the options, else the environment, else the defaults.
    private func limits(_ environment: [String: String]) throws -> ServerLimits {
        var limits = ServerLimits()
        func number<T: LosslessStringConvertible & Comparable>(
            _ option: T?, _ variable: String, _ flag: String, minimum: T
        ) throws -> T? {
            let value: T
            if let option {
                value = option
            } else if let text = nonEmpty(environment[variable]) {
                guard let parsed = T(text) else { throw CLIError.usage("\(variable) must be a number, got '\(text)'") }
                value = parsed
            } else {
                return nil
            }
            guard value >= minimum else { throw CLIError.usage("\(flag) must be at least \(minimum), got \(value)") }
            return value
        }
        if let rate = try number(usageRate, "CLUTCH_USAGE_RATE", "--usage-rate", minimum: 0.0) {
            limits.usageReportsPerSecond = rate
            limits.usageReportBurst = max(1, Int(rate * 4))
        }
        if let streams = try number(maxStreamsPerKey, "CLUTCH_MAX_STREAMS_PER_KEY", "--max-streams-per-key", minimum: 1) {
            limits.maxStreamsPerKey = streams
        }
        if let streams = try number(maxClientStreams, "CLUTCH_MAX_CLIENT_STREAMS", "--max-client-streams", minimum: 1) {
            limits.maxClientStreams = streams
        }
        if let streams = try number(
            maxClientStreamsPerAddress, "CLUTCH_MAX_CLIENT_STREAMS_PER_ADDRESS", "--max-client-streams-per-address", minimum: 1)
        {
            limits.maxClientStreamsPerAddress = streams
        }
        if let seconds = try number(idleTimeout, "CLUTCH_IDLE_TIMEOUT", "--idle-timeout", minimum: 1) {
            limits.idleTimeout = .seconds(seconds)
        }
        if let seconds = try number(requestTimeout, "CLUTCH_REQUEST_TIMEOUT", "--request-timeout", minimum: 1) {
            limits.requestTimeout = .seconds(seconds)
        }
        if let connections = try number(maxConnections, "CLUTCH_MAX_CONNECTIONS", "--max-connections", minimum: 1) {
            limits.maxConnections = connections
        }
        if let mebibytes = try number(maxImportSize, "CLUTCH_MAX_IMPORT_MB", "--max-import-size", minimum: 1) {
            limits.maxImportBytes = min(mebibytes, 1 << 16) << 20
        }
        return limits
    }

    /// `[HOST:]PORT` (`[::1]:9464` for an IPv6 host) as a host and a port; the host is 127.0.0.1
    /// when left out, so a listener is never exposed by accident.
    static func listenAddress(_ text: String, option: String) throws -> (host: String, port: Int) {
        var host = "127.0.0.1"
        var portText = Substring(text)
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            portText = rest.first == ":" ? rest.dropFirst() : ""
        } else if let colon = text.lastIndex(of: ":") {
            let named = text[..<colon]
            if !named.isEmpty { host = String(named) }
            portText = text[text.index(after: colon)...]
        }
        guard let port = Int(portText), (0...65535).contains(port), !host.isEmpty else {
            throw CLIError.usage("\(option) must be [HOST:]PORT with a port 0–65535, got '\(text)'")
        }
        return (host, port)
    }

    /// `--webhook-allow-private` and `--webhook-allow`, else CLUTCH_WEBHOOK_ALLOW_PRIVATE and CLUTCH_WEBHOOK_ALLOW.
    private func webhookTargets(_ environment: [String: String]) throws -> WebhookTargetPolicy {
        let allowPrivate: Bool
        if webhookAllowPrivate {
            allowPrivate = true
        } else if let text = nonEmpty(environment["CLUTCH_WEBHOOK_ALLOW_PRIVATE"]) {
            guard ["0", "1", "true", "false"].contains(text) else {
                throw CLIError.usage("CLUTCH_WEBHOOK_ALLOW_PRIVATE must be 1 or 0, got '\(text)'")
            }
            allowPrivate = text == "1" || text == "true"
        } else {
            allowPrivate = false
        }
        let networks = webhookAllow.isEmpty
            ? (environment["CLUTCH_WEBHOOK_ALLOW"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            : webhookAllow
        let allowed = try networks.filter { !$0.isEmpty }.map { text in
            guard let network = IPNetwork(text) else {
                throw CLIError.usage("--webhook-allow must be an IP network such as 10.1.2.0/24 or fd00::/8, got '\(text)'")
            }
            return network
        }
        return WebhookTargetPolicy(allowPrivate: allowPrivate, allowed: allowed)
    }

    /// `--drain-seconds`, else CLUTCH_DRAIN_SECONDS; `nil` keeps the default for the database kind.
    private func drainPeriod(_ environment: [String: String]) throws -> Duration? {
        let seconds: Double
        if let drainSeconds {
            seconds = drainSeconds
        } else if let text = nonEmpty(environment["CLUTCH_DRAIN_SECONDS"]) {
            guard let parsed = Double(text) else { throw CLIError.usage("CLUTCH_DRAIN_SECONDS must be a number of seconds, got '\(text)'") }
            seconds = parsed
        } else {
            return nil
        }
        guard seconds >= 0, seconds <= 300 else { throw CLIError.usage("--drain-seconds must be 0–300, got \(seconds)") }
        return .milliseconds(Int64(seconds * 1000))
    }

    private func nonEmpty(_ s: String?) -> String? {
        guard let s, !s.isEmpty else { return nil }
        return s
    }
}

extension ServeCommand {
    /// Where a browser on this machine opens the console: the public URL's `/ui` when one is
    /// set, else the bound address (loopback for a wildcard one, which no browser can open).
    static func consoleURL(host: String, port: Int, publicURL: String?) -> String {
        if let publicURL { return (publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL) + "/ui" }
        let reachable = ["0.0.0.0", "::", ""].contains(host) ? "127.0.0.1" : host
        return "http://\(reachable.contains(":") ? "[\(reachable)]" : reachable):\(port)/ui"
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
