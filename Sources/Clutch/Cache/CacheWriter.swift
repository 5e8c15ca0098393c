import ClutchCore
import Logging

/// Writes the newest snapshot to the cache shortly after it changes, off the path that applies
/// changes: encoding a large snapshot never delays the next event, and a burst of changes is
/// written once. ``flush()`` (on close) writes what is still pending.
final class CacheWriter: Sendable {
    private struct Pending: Sendable {
        var generation = 0
        var snapshot: Snapshot?
    }

    /// The generation last written; held while writing, so writes never overlap and an older
    /// snapshot never overwrites a newer one.
    private let written = Locked(0)

    let cache: SnapshotCache
    private let logger: Logger
    private let pending = Locked(Pending())
    private static let delay: Duration = .milliseconds(200)

    init(cache: SnapshotCache, logger: Logger) {
        self.cache = cache
        self.logger = logger
    }

    /// Writes `snapshot` soon, unless a newer one is scheduled before then.
    func schedule(_ snapshot: Snapshot) {
        let generation = pending.withLock { state -> Int in
            state.generation += 1
            state.snapshot = snapshot
            return state.generation
        }
        Task.detached(priority: .utility) { [self] in
            try? await Task.sleep(for: Self.delay)
            write(onlyIf: generation)
        }
    }

    /// Writes the pending snapshot now, if there is one.
    func flush() {
        write(onlyIf: nil)
    }

    private func write(onlyIf generation: Int?) {
        written.withLock { written in
            let taken = pending.withLock { state -> (Int, Snapshot)? in
                guard generation == nil || state.generation == generation, let snapshot = state.snapshot else { return nil }
                state.snapshot = nil
                return (state.generation, snapshot)
            }
            guard let (taken, snapshot) = taken, taken > written else { return }
            do {
                try cache.store(snapshot)
                written = taken
            } catch {
                logger.warning("cannot write the flag cache", metadata: ["path": "\(cache.fileURL.path)", "error": "\(error)"])
            }
        }
    }
}
