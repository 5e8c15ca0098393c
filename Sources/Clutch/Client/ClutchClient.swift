import ClutchAPI
import Foundation
import Logging

/// Evaluates feature flags for an application.
///
/// The client downloads the environment's flags, keeps them current over a live stream
/// and evaluates in-process: evaluation calls are synchronous, never throw, never wait on
/// the network and are safe from any thread or task. When the server is unreachable the
/// last known flags keep being served (from memory, or from the cache file on a restart).
///
/// ```swift
/// let client = ClutchClient(configuration: .init(serverURL: url, sdkKey: key, logger: logger))
/// try await client.waitUntilReady(timeout: .seconds(5))
/// if client.bool("new-checkout", default: false, context: .init(targetingKey: "u1", customerId: "acme")) { … }
/// await client.close()
/// ```
///
/// In a server, run it as a `Service` of the application's `ServiceGroup` (Hummingbird:
/// `Application(…, services: [client])`): created with `start: .onRun`, it syncs while the
/// group runs and closes on graceful shutdown.
///
/// ```swift
/// let client = ClutchClient(configuration: configuration, start: .onRun)
/// let app = Application(router: router, services: [client], logger: logger)
/// try await app.runService()
/// ```
public final class ClutchClient: Sendable {
    public let configuration: ClutchConfiguration
    let core: ClientCore
    /// The cache's or the bootstrap's snapshot, where syncing starts from (local mode).
    let initial: Snapshot?

    /// When a client starts syncing with the server.
    public enum Start: Sendable, Hashable {
        /// At once, from `init`, until ``close()``: for tools, scripts and tests.
        case immediately
        /// When ``run()`` is called: for a `ServiceGroup`, which runs the client beside the
        /// application's other services and ends it on graceful shutdown.
        case onRun
    }

    /// Creates a client; it syncs from `init` on, or once ``run()`` is called (see
    /// ``Start``). The cache file and the bootstrap snapshot (local mode) or the person's
    /// answers on disk (device mode, reason `CACHED`) are read before this returns, so flags
    /// they hold are served immediately either way.
    ///
    /// A key of the wrong kind for the mode (a client key in local mode, a server key in
    /// device mode) is refused here: nothing is sent, ``status`` is ``ClutchStatus/error``
    /// and ``waitUntilReady(timeout:)`` throws ``ClutchError/wrongKeyKind`` saying which
    /// kind the mode needs.
    public init(configuration: ClutchConfiguration, start: Start = .immediately) {
        self.configuration = configuration
        core = ClientCore(configuration: configuration)

        var initial: Snapshot?
        if let kind = SDKKeyKind(key: configuration.sdkKey), kind != ClutchConfiguration.keyKind(for: configuration.mode) {
            let error = ClutchError.wrongKeyKind(for: configuration.mode)
            configuration.logger.error("\(error.message)")
            core.refuse(error)
        } else {
            switch configuration.mode {
            case .local:
                initial = Self.startingSnapshot(cached: core.cache?.load(), bootstrap: configuration.bootstrap)
                if let initial {
                    core.install(FlagSource(engine: Engine(initial)), changed: [], status: .stale)
                }
            case .device(let context):
                if let cached = core.cachedAnswers(for: context) {
                    core.install(cached, changed: [], status: .stale)
                }
            }
        }
        self.initial = initial
        if start == .immediately, core.claimLoops() {
            // The task holds the core, not the client: dropping the client stops it (deinit).
            Task { [core] in await core.runLoops(initial: initial) }
        }
    }

    deinit {
        // Dropped without `close()`: stop syncing and release the connections (no usage report).
        core.shutdown()
        Task { [core] in
            await core.waitForLoopsToEnd()
            await core.api.shutdown()
        }
    }

    /// The cache wins over the bootstrap unless the bootstrap is newer for the same environment.
    static func startingSnapshot(cached: Snapshot?, bootstrap: Snapshot?) -> Snapshot? {
        guard let cached else { return bootstrap }
        guard let bootstrap, bootstrap.environment == cached.environment, bootstrap.version > cached.version else {
            return cached
        }
        return bootstrap
    }

    /// The client's state, after OpenFeature's provider states.
    public var status: ClutchStatus { core.status }

    /// Returns once flags can be served: from the server, or at once when the cache or the
    /// bootstrap snapshot provided them (``status`` is then ``ClutchStatus/stale`` until
    /// the server confirms). Throws ``ClutchError/timedOut`` after `timeout`,
    /// ``ClutchError/unauthorized`` if the server refuses the SDK key and
    /// ``ClutchError/closed`` if the client is closed meanwhile.
    public func waitUntilReady(timeout: Duration = .seconds(10)) async throws {
        let core = self.core
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await core.waitForData() }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw ClutchError.timedOut
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }

    /// Device mode: answers for `context` from now on (a person signed in or out). Evaluations
    /// switch at once, in one swap, to the answers kept on disk for that person (reason
    /// `CACHED`) or, when there are none, to the caller's defaults (`PROVIDER_NOT_READY`) —
    /// never the previous person's answers; the stream is reopened for the new context and
    /// the server's answers replace them as soon as they arrive (``changes`` names the flags
    /// whose answers changed at each swap). Returns once the server's answers are served;
    /// throws ``ClutchError/timedOut`` after `timeout` (the client keeps trying) and
    /// ``ClutchError/closed`` if the client is closed meanwhile.
    ///
    /// In local mode every evaluation takes its own context: this only logs a warning.
    public func setContext(_ context: EvaluationContext, timeout: Duration = .seconds(10)) async throws {
        guard case .device = configuration.mode else {
            core.logger.warning("setContext(_:) is for device mode; in local mode pass the context to each evaluation")
            return
        }
        let core = self.core
        let generation = core.switchContext(to: context)
        try await withTimeout(timeout, error: ClutchError.timedOut) {
            try await core.waitForAnswers(generation: generation)
        }
    }

    /// The keys of flags that changed, each time new data is applied. Every call returns a
    /// new stream; streams end when the client is closed.
    public var changes: AsyncStream<Set<String>> { core.changes() }

    /// Stops syncing, sends the last usage counts, ends the ``changes`` streams and shuts
    /// down the HTTP client the SDK made. Evaluations keep serving the last flags. Safe to
    /// call more than once; later calls wait for the first.
    public func close() async {
        core.shutdown()
        await core.waitForLoopsToEnd()
        await core.finish()
    }
}
