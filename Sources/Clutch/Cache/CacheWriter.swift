import Logging

/// Writes the newest data to a cache shortly after it changes, off the path that applies
/// changes: encoding a large snapshot never delays the next event, and a burst of changes is
/// written once. ``flush()`` (on close) writes what is still pending. One writer serves each
/// cache: the snapshot (local mode) and a person's answers (device mode).
final class CacheWriter<Item: Sendable>: Sendable {
    private struct Pending: Sendable {
        var generation = 0
        var item: Item?
    }

    /// The generation last written; held while writing, so writes never overlap and older
    /// data never overwrites newer.
    private let written = Locked(0)

    /// What the cache is, for log messages (its file or directory).
    private let location: String
    private let store: @Sendable (Item) throws -> Void
    private let logger: Logger
    private let pending = Locked(Pending())
    private static var delay: Duration { .milliseconds(200) }

    init(location: String, logger: Logger, store: @escaping @Sendable (Item) throws -> Void) {
        self.location = location
        self.logger = logger
        self.store = store
    }

    /// Writes `item` soon, unless a newer one is scheduled before then.
    func schedule(_ item: Item) {
        let generation = pending.withLock { state -> Int in
            state.generation += 1
            state.item = item
            return state.generation
        }
        Task.detached(priority: .utility) { [self] in
            try? await Task.sleep(for: Self.delay)
            write(onlyIf: generation)
        }
    }

    /// Writes the pending item now, if there is one.
    func flush() {
        write(onlyIf: nil)
    }

    private func write(onlyIf generation: Int?) {
        written.withLock { written in
            let taken = pending.withLock { state -> (Int, Item)? in
                guard generation == nil || state.generation == generation, let item = state.item else { return nil }
                state.item = nil
                return (state.generation, item)
            }
            guard let (taken, item) = taken, taken > written else { return }
            do {
                try store(item)
                written = taken
            } catch {
                logger.warning("cannot write the flag cache", metadata: ["path": "\(location)", "error": "\(error)"])
            }
        }
    }
}
