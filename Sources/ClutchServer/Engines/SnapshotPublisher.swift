import ClutchCore
import ClutchStore
import Logging

/// Reloads an environment's snapshot after a committed change, compiles it, swaps it in and
/// sends the change to the environment's streams. One reload at a time, so events stay in order.
actor SnapshotPublisher {
    private let store: FlagStore
    private let registry: EngineRegistry
    private let logger: Logger

    init(store: FlagStore, registry: EngineRegistry, logger: Logger) {
        self.store = store
        self.registry = registry
        self.logger = logger
    }

    /// Loads every environment (at start).
    func loadAll() async throws {
        for environment in try await store.environments() {
            try await reload(environment.key)
        }
    }

    /// Publishes a committed change: reloads each environment it touched. Returns the number of
    /// streams notified.
    @discardableResult
    func publish(_ versions: [String: Int64]) async -> Int {
        var notified = 0
        for environment in versions.keys.sorted() {
            do {
                notified += try await reload(environment)
            } catch {
                // The change is committed; only the in-memory copy lags. The next change retries.
                logger.error("snapshot reload failed", metadata: ["environment": "\(environment)", "error": "\(error)"])
            }
        }
        return notified
    }

    /// Reloads one environment; returns the number of streams notified.
    @discardableResult
    func reload(_ environment: String) async throws -> Int {
        let snapshot = try await store.snapshot(environment: environment)
        let live = LiveEnvironment(snapshot: snapshot)
        guard let current = registry.live(environment) else {
            return registry.install(live, events: [])
        }
        guard snapshot.version > current.version else { return 0 }
        let events = SnapshotDiff.events(from: current.snapshot, to: snapshot)
        return registry.install(live, events: events)
    }
}
