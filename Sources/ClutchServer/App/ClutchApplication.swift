import ClutchAPI
import ClutchCore
import ClutchStore
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// A Clutch server: the store, the live engines and caches, and the HTTP routes over them.
///
/// `runClutchServer` runs one until SIGTERM/SIGINT; tests use ``start()`` to run one on an
/// ephemeral port in-process and stop it.
public final class ClutchApplication: Sendable {
    public let configuration: ServerConfiguration
    let services: ServerServices
    /// The web console's templates, parsed once.
    let consolePages: ConsolePages
    private let ready = Mutex(false)
    /// Set by ``startDraining()``: `/readyz` answers 503 while everything else is still served.
    private let draining = Mutex(false)
    /// One server per SQLite file (`nil` on PostgreSQL, which replicas share).
    private let instanceLock: InstanceLock?
    /// On a shared database: keeps this replica current with the others' changes.
    let replicaSync: ReplicaSync?
    /// The admin token this start created (first start only); never logged, and shown once only
    /// when the server chose it (an operator's `CLUTCH_BOOTSTRAP_TOKEN` is not printed back).
    public let createdAdminToken: String?
    /// Applies scheduled changes when due.
    private let scheduleRunner: ScheduleRunner
    /// Sends the webhook outbox.
    private let webhookDispatcher: WebhookDispatcher
    /// Names the flags that became stale, daily (`flag.stale`).
    private let staleFlagNotifier: StaleFlagNotifier
    /// The main listener's connections (`--max-connections`).
    private let connectionBudget: ConnectionBudget
    /// The release runner's turns: a test on a ``TestClock`` waits for one after moving time.
    public let releaseTurns = RunnerTurns()
    /// The scheduler's looks at the due schedules, counted likewise.
    public var scheduleTurns: RunnerTurns { scheduleRunner.turns }
    /// The webhook dispatcher's looks at the outbox, counted likewise.
    public var webhookTurns: RunnerTurns { webhookDispatcher.turns }
    /// The daily stale-flag notifier's turns, counted likewise.
    public var staleFlagTurns: RunnerTurns { staleFlagNotifier.turns }
    /// Webhook attempts running now: none, after a look at the outbox, means every attempt made
    /// so far has been answered (or given up) and recorded.
    public var webhookAttemptsInFlight: Int { webhookDispatcher.attemptsInFlight }

    /// Opens (or creates) the database, creates the first admin token if there is none, and
    /// loads every environment's snapshot and the credentials into memory.
    public init(configuration: ServerConfiguration, logger: Logger) async throws {
        try configuration.validate()
        self.configuration = configuration
        connectionBudget = ConnectionBudget(limit: configuration.limits.maxConnections)
        let store: any ClutchStoring
        if PostgresAddress.isPostgres(configuration.databasePath) {
            instanceLock = nil
            store = try await PostgresStore.open(
                try PostgresAddress(url: configuration.databasePath), connectTimeout: configuration.databaseConnectTimeout,
                secretKeyPath: configuration.effectiveSecretKeyPath, logger: logger)
        } else {
            instanceLock = try InstanceLock(database: configuration.databasePath)
            store = try FlagStore(path: configuration.databasePath, secretKeyPath: configuration.effectiveSecretKeyPath, logger: logger)
        }
        let clock = configuration.clock
        store.useClock { clock.now() }
        let registry = EngineRegistry(
            historyLimit: configuration.eventHistoryLimit, backlogLimit: configuration.limits.streamBacklog)
        let credentials = CredentialCache()
        let metrics = ServerMetrics()
        let services = ServerServices(
            configuration: configuration, store: store, registry: registry,
            publisher: SnapshotPublisher(store: store, registry: registry, logger: logger),
            credentials: credentials,
            credentialReloader: CredentialReloader(
                cache: credentials, missInterval: configuration.limits.unknownCredentialReloadInterval,
                onMissLoad: { metrics.recordUnknownCredentialReload() },
                load: { try await store.activeCredentials() }),
            metrics: metrics, logger: logger,
            usage: UsageBatcher(
                store: store, interval: configuration.limits.usageFlushInterval, logger: logger, clock: configuration.clock),
            attributes: AttributeRecorder(
                store: store, interval: configuration.limits.seenAttributeFlushInterval,
                enabled: configuration.limits.recordsSeenAttributes, logger: logger),
            usageLimiter: RateLimiter(
                rate: configuration.limits.usageReportsPerSecond, burst: configuration.limits.usageReportBurst),
            releases: ReleaseSignal(),
            clientStreams: ClientStreamBudget(
                total: configuration.limits.maxClientStreams, perAddress: configuration.limits.maxClientStreamsPerAddress))
        self.services = services
        replicaSync = (store as? any StoreChangeFeed).map {
            ReplicaSync(feed: $0, services: services, pollInterval: configuration.replicaPollInterval)
        }
        _ = try await services.refreshReleaseSignal()
        // On a shared database work may be queued by another replica: look at least once per poll
        // interval, in case its notification was lost.
        let lookAgain = replicaSync == nil ? nil : configuration.replicaPollInterval
        scheduleRunner = ScheduleRunner(services: services, longestSleep: min(lookAgain ?? .seconds(30), .seconds(30)))
        webhookDispatcher = WebhookDispatcher(
            store: store, settings: configuration.webhooks, logger: logger, longestSleep: min(lookAgain ?? .seconds(60), .seconds(60)),
            clock: configuration.clock)
        staleFlagNotifier = StaleFlagNotifier(services: services)
        consolePages = try ConsolePages()
        if try await store.hasAdminToken() {
            createdAdminToken = nil
        } else {
            let token = configuration.bootstrapToken.flatMap { $0.isEmpty ? nil : $0 } ?? Self.randomToken()
            do {
                let (record, secret) = try await store.createAdminToken(name: "admin", secret: token)
                logger.notice("created the first admin token", metadata: ["name": "\(record.name)"])
                createdAdminToken = secret
            } catch let error as StoreError where error.kind == .conflict {
                // Another replica starting on the same database created it first.
                createdAdminToken = nil
            }
        }
        try await services.refreshCredentials()
        try await services.publisher.loadAll()
        ready.withLock { $0 = true }
        logger.info("store opened", metadata: ["path": "\(PostgresAddress.redacted(configuration.databasePath))", "environments": "\(registry.environmentKeys.joined(separator: ","))"])
    }

    /// SSE streams open now, in every environment.
    public var openStreamCount: Int { services.registry.totalStreams }

    /// Client streams open now (``ServerLimits/maxClientStreams``); they are among ``openStreamCount``.
    public var openClientStreamCount: Int { services.clientStreams.count }

    /// Connections the main listener holds now, within ``ServerLimits/maxConnections``.
    public var openConnectionCount: Int { connectionBudget.count }

    /// Connections of the main listener whose Swift task is running: every connection but those
    /// whose client stream the pipeline serves alone (``ClientStreamHandler``).
    public var connectionTaskCount: Int { connectionBudget.tasks }

    /// Whether the database is open and every snapshot is loaded.
    var isReady: Bool { ready.withLock { $0 } }

    /// Whether this server is about to stop (``startDraining()``).
    public var isDraining: Bool { draining.withLock { $0 } }

    /// Marks the server as stopping soon: `/readyz` answers 503 `draining` from now on, so a
    /// proxy's health check takes it out of rotation while it still answers every request and
    /// keeps its streams open. Shutting down is the caller's next step.
    public func startDraining() {
        draining.withLock { $0 = true }
    }

    /// On a shared database, whether this replica hears the others' changes (always true on SQLite).
    var isListening: Bool { replicaSync?.isListening ?? true }

    /// Every route the router serves, as `METHOD /path` with `:name` captures: what the API
    /// document must describe (a test compares the two).
    public var routes: [String] {
        buildRouter().routes.map { "\($0.method) \($0.path)" }
    }

    /// The service that moves guarded releases on; runs next to the HTTP application.
    public var releaseRunner: some Service {
        ReleaseRunner(services: services, interval: Self.releaseRunnerInterval, turns: releaseTurns)
    }

    /// How often the release runner takes a turn, on the server's clock.
    public static let releaseRunnerInterval: Duration = .milliseconds(500)

    /// Writes the usage counts, and the attribute names seen, collected and not yet stored.
    public func flushUsage() async {
        await services.usage.flush()
        await services.attributes.flush()
    }

    /// Every open stream's heartbeat and stall check.
    var streamHeartbeat: StreamHeartbeat {
        StreamHeartbeat(
            registry: services.registry, clock: services.clock, heartbeat: configuration.heartbeatInterval,
            stallTimeout: configuration.limits.streamStallTimeout)
    }

    /// The services that run beside the HTTP server: the release runner, the scheduler, the webhook dispatcher,
    /// the stale-flag notice, the streams' heartbeat and, on a shared database, the replica's sync with the others.
    /// Each is stopped within ``backgroundStopGrace`` of being cancelled (``BoundedStop``).
    var backgroundServices: [any Service] {
        let logger = services.logger
        let runners: [any Service] = [releaseRunner, scheduleRunner, webhookDispatcher, staleFlagNotifier, streamHeartbeat]
        var bounded: [any Service] = runners.map { BoundedStop($0, grace: Self.backgroundStopGrace, logger: logger) }
        if let replicaSync {
            bounded.append(BoundedStop(replicaSync, grace: Self.backgroundStopGrace, logger: logger) { replicaSync.activity })
        }
        return bounded
    }

    /// How long a background service has to stop once cancelled (at the end of the graceful
    /// shutdown's ``maximumGracefulShutdown``) before the server stops without it.
    static let backgroundStopGrace: Duration = .seconds(2)

    /// Closes the database.
    public func close() throws {
        defer { instanceLock?.release() }
        try services.store.close()
    }

    /// `clutch_svc_` + 32 random bytes, base64url without padding: the bootstrap service token.
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let base64 = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return TokenKind.service.secretPrefix + base64
    }

    /// The router with every route of docs/api.md.
    func buildRouter() -> Router<ClutchRequestContext> {
        let router = Router(context: ClutchRequestContext.self)
        if configuration.checkContract, case .success(let contract) = SchemaValidator.served {
            router.middlewares.add(ContractCheckMiddleware(check: ContractCheck(contract: contract)))
        }
        router.middlewares.add(MetricsMiddleware(metrics: services.metrics))
        router.middlewares.add(ErrorMiddleware())
        router.addRoutes(OpsController(
            services: services, isReady: { [self] in self.isReady }, isDraining: { [self] in self.isDraining },
            isListening: { [self] in self.isListening }).routes)
        // Here only behind the metrics token; `--metrics-address` serves it on a listener of its own.
        router.addRoutes(MetricsController(
            metrics: services.metrics, token: configuration.metricsToken, servedWithoutToken: false).routes)
        router.group(RouterPath(AdminAPI.path))
            .add(middleware: CredentialMiddleware(credentials: services.credentialLookup, requirement: .admin))
            .add(middleware: AccessMiddleware())
            .addRoutes(FlagsController(services: services).routes)
            .addRoutes(ChangesController(services: services).routes)
            .addRoutes(RevisionsController(services: services).routes)
            .addRoutes(ReleasesController(services: services).routes)
            .addRoutes(CohortsController(services: services).routes)
            .addRoutes(EnvironmentsController(services: services).routes)
            .addRoutes(ExplainController(services: services).routes)
            .addRoutes(AuditController(services: services).routes)
            .addRoutes(SchedulesController(services: services).routes)
            .addRoutes(WebhooksController(services: services).routes)
            .addRoutes(PeopleController(services: services).routes)
            .addRoutes(CodeReferencesController(services: services).routes)
            .addRoutes(CleanupController(services: services).routes)
            .addRoutes(FlagdController(services: services).adminRoutes)
            .addRoutes(ChangeRequestsController(services: services).routes)
            .addRoutes(BlocksController(services: services).routes)
        router.group("sdk/v1")
            .add(middleware: CredentialMiddleware(credentials: services.credentialLookup, requirement: .sdk))
            .addRoutes(SDKController(services: services).routes)
        // The events stream authenticates itself: a browser's EventSource sends a token, not headers.
        router.group("flagd/v1")
            .add(middleware: CredentialMiddleware(credentials: services.credentialLookup, requirement: .sdk))
            .addRoutes(FlagdController(services: services).routes)
        router.addRoutes(OFREPEventsController(services: services).routes)
        // So does the client stream: a browser's EventSource sends its (public) client key in the URL.
        router.addRoutes(ClientStreamController(services: services).routes)
        router.group("ofrep/v1")
            .add(middleware: OFREPErrorMiddleware())
            .add(middleware: CredentialMiddleware(credentials: services.credentialLookup, requirement: .sdk))
            .addRoutes(OFREPController(services: services).routes)
        ConsoleRoutes.add(to: router, services: services, pages: consolePages)
        return router
    }

    /// The Hummingbird application (a `Service`). `onReady` receives the bound port.
    /// Single-flag OFREP evaluations are answered ahead of the router by
    /// `OFREPSingleFlagResponder`; every other request goes to the router.
    public func makeApplication(onReady: (@Sendable (Int) async -> Void)? = nil) -> some ApplicationProtocol {
        let configuration = self.configuration
        let logger = services.logger
        let responder = CORSResponder(
            inner: OFREPSingleFlagResponder(
                router: buildRouter().buildResponder(), controller: OFREPController(services: services),
                credentials: services.credentialLookup, metrics: services.metrics),
            origins: configuration.corsOrigins)
        return Application(
            responder: responder,
            server: Self.guardedHTTP1(limits: configuration.limits, budget: connectionBudget),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            onServerRunning: { [self] channel in
                let port = channel.localAddress?.port ?? configuration.port
                logger.info("listening", metadata: ["host": "\(configuration.host)", "port": "\(port)"])
                announceBootstrap(port: port)
                await onReady?(port)
            },
            logger: logger)
    }

    /// The listener that serves `/metrics` alone (`--metrics-address`), or `nil` when there is none.
    /// `onReady` receives its bound port.
    public func makeMetricsApplication(onReady: (@Sendable (Int) async -> Void)? = nil) -> (any Service)? {
        guard let address = configuration.metricsAddress else { return nil }
        let logger = services.logger
        let router = Router(context: ClutchRequestContext.self)
        router.middlewares.add(ErrorMiddleware())
        router.addRoutes(MetricsController(metrics: services.metrics, token: configuration.metricsToken, servedWithoutToken: true).routes)
        return Application(
            router: router,
            // A scraper or two: a small budget of its own, so this listener never takes the main one's.
            server: Self.guardedHTTP1(limits: configuration.limits, budget: ConnectionBudget(limit: Self.metricsConnections)),
            configuration: .init(address: .hostname(address.host, port: address.port), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? address.port
                logger.info("metrics listening", metadata: ["host": "\(address.host)", "port": "\(port)"])
                await onReady?(port)
            },
            logger: logger)
    }

    /// Connections the metrics listener holds at once.
    static let metricsConnections = 64

    /// HTTP/1 with the idle timeout, the request deadline and a connection budget.
    private static func guardedHTTP1(limits: ServerLimits, budget: ConnectionBudget) -> HTTPServerBuilder {
        // The idle timeout also bounds how long a connection may take to send a whole request
        // head: no part of a request counts as activity until its head is complete.
        let idleTimeout = timeAmount(limits.idleTimeout)
        let requestTimeout = timeAmount(limits.requestTimeout)
        return HTTPServerBuilder { responder in
            GuardedHTTP1Channel(
                responder: responder, configuration: .init(idleTimeout: idleTimeout), budget: budget,
                requestTimeout: requestTimeout)
        }
    }

    private static func timeAmount(_ duration: Duration) -> TimeAmount {
        let parts = duration.components
        return .nanoseconds(parts.seconds * 1_000_000_000 + parts.attoseconds / 1_000_000_000)
    }

    /// After the first start: prints the new admin token once and writes the CLI configuration.
    private func announceBootstrap(port: Int) {
        guard let token = createdAdminToken else { return }
        let path = configuration.cliConfigPath ?? CLIConfigFile.defaultPath()
        let file = CLIConfigFile(server: Self.baseURL(host: configuration.host, port: port), token: token)
        // A token the operator supplied is theirs already: printing it would only put it in a
        // terminal's scrollback or a container's log.
        let supplied = configuration.bootstrapToken.map { !$0.isEmpty } ?? false
        var lines = supplied
            ? "Created the first admin token from CLUTCH_BOOTSTRAP_TOKEN.\n"
            : "Created the first admin token (shown only this once):\n  \(token)\n"
        do {
            try file.write(to: path)
            lines += "Wrote it to \(path) (mode 0600) for the clutch CLI.\n"
            services.logger.info("wrote CLI configuration", metadata: ["path": "\(path)"])
        } catch {
            lines += "Could not write the CLI configuration to \(path): \(error)\n"
            services.logger.warning("could not write CLI configuration", metadata: ["path": "\(path)"])
        }
        FileHandle.standardOutput.write(Data(lines.utf8))
    }

    /// `http://host:port` for clients on this machine (a wildcard address becomes loopback).
    static func baseURL(host: String, port: Int) -> String {
        switch host {
        case "0.0.0.0", "": return "http://127.0.0.1:\(port)"
        case "::", "[::]": return "http://[::1]:\(port)"
        default: return host.contains(":") && !host.hasPrefix("[") ? "http://[\(host)]:\(port)" : "http://\(host):\(port)"
        }
    }

    /// Runs the server in this process until ``RunningClutchServer/stop()`` (no signal handling).
    /// How long a graceful shutdown may take before the remaining work is cancelled.
    static let maximumGracefulShutdown: Duration = .seconds(4)

    public func start() async throws -> RunningClutchServer {
        let (ports, continuation) = AsyncStream.makeStream(of: (Listener, Int).self)
        let app = makeApplication { port in continuation.yield((.main, port)) }
        let metricsApp = makeMetricsApplication { port in continuation.yield((.metrics, port)) }
        var groupConfiguration = ServiceGroupConfiguration(
            services: [app as any Service] + [metricsApp].compactMap { $0 } + backgroundServices,
            gracefulShutdownSignals: [], logger: services.logger)
        groupConfiguration.maximumGracefulShutdownDuration = ClutchApplication.maximumGracefulShutdown
        let group = ServiceGroup(configuration: groupConfiguration)
        let task = Task { [self] in
            defer { continuation.finish() }
            try await group.run()
            // What the server counted and has not written yet, as `runClutchServer` does: the
            // database is closed after this.
            await flushUsage()
        }
        var port: Int?
        var metricsPort: Int?
        for await (listener, bound) in ports {
            switch listener {
            case .main: port = bound
            case .metrics: metricsPort = bound
            }
            if port != nil, metricsApp == nil || metricsPort != nil { break }
        }
        guard let port, metricsApp == nil || metricsPort != nil else {
            try await task.value
            throw APIError.internal("server stopped before it was listening")
        }
        return RunningClutchServer(port: port, metricsPort: metricsPort, group: group, task: task)
    }

    /// Which listener a bound port belongs to.
    private enum Listener: Sendable { case main, metrics }
}

/// A server started with ``ClutchApplication/start()``.
public final class RunningClutchServer: Sendable {
    /// The bound port.
    public let port: Int
    /// The metrics listener's bound port (``ServerConfiguration/metricsAddress``), if there is one.
    public let metricsPort: Int?
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    init(port: Int, metricsPort: Int?, group: ServiceGroup, task: Task<Void, any Error>) {
        self.port = port
        self.metricsPort = metricsPort
        self.group = group
        self.task = task
    }

    /// Shuts down gracefully (open streams are ended) and waits until the server has stopped.
    public func stop() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }
}
