import ClutchStore
import Foundation

/// Everything `clutch serve` needs to start a server.
public struct ServerConfiguration: Sendable {
    /// The address to bind; loopback unless told otherwise.
    public var host: String
    /// The port to bind; 0 picks a free one (see `runClutchServer`'s `onReady`).
    public var port: Int
    /// The SQLite file, created on first start, or a `postgres://` URL of a database that
    /// several replicas share.
    public var databasePath: String
    /// On PostgreSQL: how long a start waits for a database it cannot reach before it fails
    /// (`--db-connect-timeout`); the SQLite file is opened at once.
    public var databaseConnectTimeout: Duration
    /// The first admin token's value (`CLUTCH_BOOTSTRAP_TOKEN`), for scripts and containers: at
    /// least ``minimumTokenLength`` characters (``validate()``), and never printed back.
    public var bootstrapToken: String?
    /// Where the first start writes the CLI configuration; `nil` means `CLIConfigFile.defaultPath()`.
    public var cliConfigPath: String?
    /// How often an SSE stream sends a heartbeat comment. Tests shorten it.
    public var heartbeatInterval: Duration
    /// How many events each environment keeps for `Last-Event-ID` catch-up.
    public var eventHistoryLimit: Int
    /// Rate, size and time limits on what callers send.
    public var limits: ServerLimits
    /// Whether every request and response is checked against `docs/openapi.json`
    /// (`CLUTCH_CHECK_CONTRACT=1`); the test suites turn it on, production never needs it.
    public var checkContract: Bool
    /// The URL clients reach this server at (`--public-url`), for links the server hands out
    /// (OFREP `eventStreams`); `nil` uses the scheme `http` and the request's `Host`.
    public var publicURL: String?
    /// Origins allowed to call the OFREP and SDK routes from a browser (`--cors-origin`);
    /// `*` allows any. Empty (the default): no CORS headers, browsers refuse cross-origin calls.
    public var corsOrigins: [String]
    /// Whether the web console's session cookie is always marked `Secure`
    /// (`--console-secure-cookies`), for a server behind a TLS-terminating proxy. Without it the
    /// cookie is `Secure` when the request came over TLS (`X-Forwarded-Proto: https`) or
    /// `publicURL` is https.
    public var consoleSecureCookies: Bool
    /// How long a console session lives without a request; tests shorten it.
    public var consoleIdleTimeout: Duration
    /// On a shared (PostgreSQL) database: how often a replica compares the environments'
    /// versions with its own, in case a change notification was lost.
    public var replicaPollInterval: Duration
    /// How webhooks are delivered and retried, and where they may go.
    public var webhooks: WebhookSettings
    /// Where `/metrics` is served on a listener of its own (`--metrics-address`), unauthenticated
    /// unless ``metricsToken`` is set; `nil`: no such listener. Port 0 picks a free one
    /// (``RunningClutchServer/metricsPort``).
    public var metricsAddress: (host: String, port: Int)?
    /// The bearer token `/metrics` requires (`--metrics-token`), on the main listener and on
    /// ``metricsAddress``. Without it the main listener does not serve `/metrics`: the metrics
    /// name every flag key and its traffic.
    public var metricsToken: String?
    /// The file holding the key webhook secrets are sealed with (`--secret-key-file`); `nil`: next
    /// to the SQLite database (`<db>.key`), or on PostgreSQL next to the CLI configuration file
    /// (``effectiveSecretKeyPath``). Created, 0600, on the first start.
    public var secretKeyPath: String?
    /// After SIGTERM, how long `/readyz` answers 503 `draining` while the server still serves
    /// everything, before it stops: a proxy's health check takes the replica out of rotation
    /// first, so no request is sent to a process that is exiting. `nil`: 5 s on a PostgreSQL
    /// database (replicas behind a proxy), none on a SQLite file (one server).
    public var drainPeriod: Duration?
    /// Where the server and its background runners read the time and wait (``ServerClock``):
    /// the system clock, or in tests a ``TestClock`` they move themselves.
    public var clock: any ServerClock
    /// Single sign-on through an OpenID Connect provider (`--oidc-issuer` and the rest); `nil`:
    /// none, the console's sign-in page offers no "Sign in with …".
    public var oidc: OIDCSettings?

    public init(
        host: String = "127.0.0.1", port: Int = 8080, databasePath: String = "./clutch.db",
        bootstrapToken: String? = nil, cliConfigPath: String? = nil
    ) {
        self.host = host
        self.port = port
        self.databasePath = databasePath
        self.databaseConnectTimeout = PostgresStore.defaultConnectTimeout
        self.bootstrapToken = bootstrapToken
        self.cliConfigPath = cliConfigPath
        self.heartbeatInterval = .seconds(15)
        self.eventHistoryLimit = 1000
        self.limits = ServerLimits()
        self.checkContract = false
        self.publicURL = nil
        self.corsOrigins = []
        self.consoleSecureCookies = false
        self.consoleIdleTimeout = .seconds(30 * 60)
        self.replicaPollInterval = .seconds(3)
        self.webhooks = WebhookSettings()
        self.secretKeyPath = nil
        self.drainPeriod = nil
        self.metricsAddress = nil
        self.metricsToken = nil
        self.clock = SystemClock()
        self.oidc = nil
    }

    /// The fewest characters a token the operator chooses may have (`CLUTCH_BOOTSTRAP_TOKEN`,
    /// `--metrics-token`): as many as the random tokens' 32 bytes give in hex would be more, but
    /// 32 characters of anything not guessable already rule out a guess over the network.
    public static let minimumTokenLength = 32

    /// Refuses what the server must not start with: a token the operator chose that is too short
    /// to resist guessing. The message names the variable or option, never the token.
    public func validate() throws(ServerConfigurationError) {
        if let token = bootstrapToken, !token.isEmpty, token.count < Self.minimumTokenLength {
            throw ServerConfigurationError(
                "CLUTCH_BOOTSTRAP_TOKEN must be at least \(Self.minimumTokenLength) characters, it has \(token.count)")
        }
        if let token = metricsToken, token.count < Self.minimumTokenLength {
            throw ServerConfigurationError(
                "--metrics-token (CLUTCH_METRICS_TOKEN) must be at least \(Self.minimumTokenLength) characters, it has \(token.count)")
        }
        // One SDK key's streams (an app's whole fleet) must not be able to take every connection.
        guard limits.maxConnections > limits.maxStreamsPerKey else {
            throw ServerConfigurationError(
                "--max-connections (\(limits.maxConnections)) must be above --max-streams-per-key (\(limits.maxStreamsPerKey)): one key's streams would fill the server")
        }
        guard limits.requestTimeout > .zero else {
            throw ServerConfigurationError("--request-timeout must be positive, got \(limits.requestTimeout)")
        }
        try oidc?.validate()
    }

    /// The webhook secret key file in effect: ``secretKeyPath``, else `<database>.key` for a
    /// SQLite file, else `secret.key` beside the CLI configuration file. Replicas on one
    /// PostgreSQL database must all be given the same file.
    public var effectiveSecretKeyPath: String {
        if let secretKeyPath { return secretKeyPath }
        if !PostgresAddress.isPostgres(databasePath) { return databasePath + ".key" }
        let directory = ((cliConfigPath ?? CLIConfigFile.defaultPath()) as NSString).deletingLastPathComponent
        return (directory as NSString).appendingPathComponent("secret.key")
    }

    /// The drain period in effect: ``drainPeriod``, else the default for the database kind.
    public var effectiveDrainPeriod: Duration {
        drainPeriod ?? (PostgresAddress.isPostgres(databasePath) ? .seconds(5) : .zero)
    }
}

/// A configuration the server refuses to start with (``ServerConfiguration/validate()``); the
/// message names the setting and holds no secret.
public struct ServerConfigurationError: Error, Sendable, CustomStringConvertible {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
