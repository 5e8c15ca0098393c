import ClutchCore
import ClutchProtocol
import ClutchStore
import Logging

/// Reloads an environment's snapshot after a committed change, compiles it, swaps it in and
/// sends the change to the environment's streams. One reload at a time, so events stay in order.
actor SnapshotPublisher {
    private let store: any ClutchStoring
    private let registry: EngineRegistry
    private let logger: Logger

    init(store: any ClutchStoring, registry: EngineRegistry, logger: Logger) {
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

    /// Publishes a committed change to each environment it touched. When the live state is the
    /// one the change was made on, only what the change touched is compiled and encoded
    /// (``LiveEnvironment/applying(_:)``): from what the write itself says it wrote
    /// (``Touched/delta(for:version:)``), else read from the store (a change from another
    /// replica names only its keys). Otherwise (another change came in between, or was
    /// published first) the environment is reloaded whole. Returns the number of streams notified.
    @discardableResult
    func publish(_ versions: [String: Int64], touched: Touched = Touched()) async -> Int {
        var notified = 0
        for (environment, version) in versions.sorted(by: { $0.key < $1.key }) {
            do {
                if let current = registry.live(environment), current.version >= version { continue }
                if let current = registry.live(environment), current.version == touched.previousVersions[environment] {
                    if let delta = touched.delta(for: environment, version: version) {
                        notified += install(delta, on: current)
                        continue
                    }
                    let delta = try await store.delta(
                        environment: environment, flags: touched.flags[environment] ?? [],
                        cohorts: touched.cohorts[environment] ?? [], members: touched.members[environment] ?? [:])
                    // The delta is this change alone only if nothing else committed since.
                    if delta.version == version {
                        notified += install(delta, on: current)
                        continue
                    }
                }
                notified += try await reload(environment)
            } catch {
                // The change is committed; only the in-memory copy lags. The next change retries.
                logger.error("snapshot reload failed", metadata: ["environment": "\(environment)", "error": "\(error)"])
            }
        }
        return notified
    }

    /// Installs `current` with `delta` applied, with the events made from the delta and the flags
    /// whose answers it may change (what client streams evaluate again); returns the streams notified.
    private func install(_ delta: SnapshotDelta, on current: LiveEnvironment) -> Int {
        let live = current.applying(delta)
        return registry.install(
            live, events: SnapshotDiff.events(for: delta, encoded: live.encoded),
            changed: current.engine.flagsAffected(by: delta, next: live.engine))
    }

    /// Reloads one environment whole; returns the number of streams notified.
    @discardableResult
    func reload(_ environment: String) async throws -> Int {
        let snapshot = try await store.snapshot(environment: environment)
        guard let current = registry.live(environment) else {
            return registry.install(LiveEnvironment(snapshot: snapshot), events: [])
        }
        guard snapshot.version > current.version else { return 0 }
        let events = SnapshotDiff.events(from: current.snapshot, to: snapshot)
        return registry.install(
            LiveEnvironment(snapshot: snapshot), events: events, changed: snapshot.changedFlagKeys(since: current.snapshot))
    }
}
