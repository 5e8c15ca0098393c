import ClutchStore
import Hummingbird
import Logging

/// What every controller works with: the store, the live engines and the caches around them.
struct ServerServices: Sendable {
    let configuration: ServerConfiguration
    let store: any ClutchStoring
    let registry: EngineRegistry
    let publisher: SnapshotPublisher
    let credentials: CredentialCache
    /// Fills ``credentials`` from the store, one load at a time (``CredentialReloader``).
    let credentialReloader: CredentialReloader
    let metrics: ServerMetrics
    let logger: Logger
    /// Stores usage reports in batches, so they never hold up a change.
    let usage: UsageBatcher
    /// The attribute names contexts carry, written in batches (``AttributeRecorder``).
    let attributes: AttributeRecorder
    /// Usage reports per SDK key.
    let usageLimiter: RateLimiter
    /// Environments with a running release (SDKs report every few seconds there).
    let releases: ReleaseSignal
    /// Client streams open, within the server's budget and each address's (``ClientStreamBudget``).
    let clientStreams: ClientStreamBudget
    /// Each environment's flagd document, made once per version (flagd polls it every few seconds).
    let flagdDocuments = FlagdDocuments()

    /// The server's one clock (``ServerConfiguration/clock``).
    var clock: any ServerClock { configuration.clock }

    /// Runs a store write, timed, then publishes the environments it changed before answering,
    /// so that a client's next evaluation already sees its own write. Returns the change and the
    /// number of streams notified.
    func write<T: Sendable>(_ operation: String, _ body: () async throws -> Change<T>) async throws -> (Change<T>, notified: Int) {
        let change = try await metrics.timeWrite(operation, body)
        let notified = change.versions.isEmpty ? 0 : await publisher.publish(change.versions, touched: change.touched)
        return (change, notified)
    }

    /// Reloads the credential cache after a key was created or revoked (here or, announced, on
    /// another replica); returns once the cache holds what the store held after the change.
    func refreshCredentials() async throws {
        try await credentialReloader.reload()
    }

    /// How requests' credentials are checked: the cache, and on a database replicas share the
    /// store after a miss (a key just created through another replica).
    var credentialLookup: CredentialLookup {
        CredentialLookup(
            cache: credentials, reloader: PostgresAddress.isPostgres(configuration.databasePath) ? credentialReloader : nil,
            clock: clock)
    }

    /// The server's URL as clients reach it, without a trailing slash: `--public-url` when set,
    /// else `http://` and the plain `host[:port]` the request came to (`nil` when it names none):
    /// the base of the URLs the server hands out (event streams, invite links).
    func publicBase(for request: Request) -> String? {
        if let configured = configuration.publicURL {
            return configured.hasSuffix("/") ? String(configured.dropLast()) : configured
        }
        // Only a plain host[:port]: the header is the caller's, and ends up in a URL.
        guard let host = request.head.authority, !host.isEmpty, host.utf8.allSatisfy(OFREPEventsController.isHostByte) else { return nil }
        return "http://\(host)"
    }

    /// Publishes the number of open streams as a metric.
    func updateStreamGauge() {
        Self.updateStreamGauge(metrics: metrics, registry: registry)
    }

    /// The same, for a stream's task, which keeps these two rather than every service.
    static func updateStreamGauge(metrics: ServerMetrics, registry: EngineRegistry) {
        metrics.setStreams(registry.totalStreams)
    }
}
