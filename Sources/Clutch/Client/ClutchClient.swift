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
/// ```
public final class ClutchClient: Sendable {
    public let configuration: ClutchConfiguration
    let core: ClientCore

    /// Creates a client and starts syncing at once. The cache file and the bootstrap
    /// snapshot are read before this returns, so flags they hold are served immediately.
    public init(configuration: ClutchConfiguration) {
        self.configuration = configuration
        core = ClientCore(configuration: configuration)

        var initial: Snapshot?
        if case .local = configuration.mode {
            initial = Self.startingSnapshot(cached: core.cache?.load(), bootstrap: configuration.bootstrap)
            if let initial {
                core.install(FlagSource(engine: Engine(initial)), changed: [], status: .stale)
            }
        }
        let core = self.core
        core.spawn { [initial] in
            await SyncLoop(core: core, initial: initial).run()
        }
        if configuration.usageInterval > .zero {
            let interval = configuration.usageInterval
            core.spawn {
                while (try? await Task.sleep(for: interval)) != nil {
                    // Not cancelled by `close()`: a report cut off after the server counted
                    // it would be put back and counted twice.
                    await Task { await core.flushUsage() }.value
                }
            }
        }
    }

    deinit {
        for task in core.shutdown() { task.cancel() }
        core.api.invalidate()
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

    /// The keys of flags that changed, each time new data is applied. Every call returns a
    /// new stream; streams end when the client is closed.
    public var changes: AsyncStream<Set<String>> { core.changes() }

    /// Stops syncing, sends the last usage counts and ends the ``changes`` streams.
    /// Evaluations keep serving the last flags.
    public func close() async {
        let tasks = core.shutdown()
        for task in tasks { await task.value }
        await core.flushUsage()
        core.api.invalidate()
    }
}
