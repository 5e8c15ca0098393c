import ClutchCore
import Foundation
import Synchronization

/// The live engines of every environment, their recent events and their open streams.
///
/// Reads (every evaluation) take a short lock and copy an immutable `Engine`; writes come only from
/// ``SnapshotPublisher``, one at a time, after a change has committed.
final class EngineRegistry: Sendable {
    /// An open SSE stream.
    struct Subscriber: Sendable {
        let keyID: String
        let continuation: AsyncStream<String>.Continuation
    }

    private struct State: Sendable {
        var environments: [String: LiveEnvironment] = [:]
        var history: [String: EventHistory] = [:]
        var subscribers: [String: [UUID: Subscriber]] = [:]
    }

    private let state = Mutex(State())
    private let historyLimit: Int

    init(historyLimit: Int) {
        self.historyLimit = historyLimit
    }

    /// The environment's live state, if it exists.
    func live(_ environment: String) -> LiveEnvironment? {
        state.withLock { $0.environments[environment] }
    }

    /// The environment's engine, if it exists.
    func engine(_ environment: String) -> Engine? {
        state.withLock { $0.environments[environment]?.engine }
    }

    /// Every environment's key, sorted.
    var environmentKeys: [String] {
        state.withLock { $0.environments.keys.sorted() }
    }

    /// Open streams in `environment`.
    func streamCount(_ environment: String) -> Int {
        state.withLock { $0.subscribers[environment]?.count ?? 0 }
    }

    /// Open streams in all environments.
    var totalStreams: Int {
        state.withLock { $0.subscribers.values.reduce(0) { $0 + $1.count } }
    }

    /// Installs a new live state and sends its events to the environment's streams.
    /// Returns the number of streams notified. Older versions than the current one are ignored.
    @discardableResult
    func install(_ live: LiveEnvironment, events: [StreamEvent]) -> Int {
        let environment = live.snapshot.environment
        let (installed, subscribers): (Bool, [UUID: Subscriber]) = state.withLock { state in
            if let current = state.environments[environment], current.version > live.version {
                return (false, [:])
            }
            state.environments[environment] = live
            if state.history[environment] == nil {
                state.history[environment] = EventHistory(from: live.version, limit: historyLimit)
            } else {
                state.history[environment]?.append(events)
            }
            return (true, state.subscribers[environment] ?? [:])
        }
        guard installed, !events.isEmpty else { return 0 }
        var slow: [UUID] = []
        for (id, subscriber) in subscribers {
            for event in events {
                if case .dropped = subscriber.continuation.yield(event.wire) {
                    slow.append(id)
                    break
                }
            }
        }
        // A client too slow to keep up is disconnected; it reconnects with Last-Event-ID.
        for id in slow { subscribers[id]?.continuation.finish() }
        return subscribers.count
    }

    /// Adds a stream and returns what it must be sent first: the events after `lastEventID` when
    /// they are all still kept, otherwise the full snapshot. Registered under the same lock as
    /// `install`, so no event falls between the first message and the live ones.
    func subscribe(
        environment: String, keyID: String, lastEventID: Int64?, continuation: AsyncStream<String>.Continuation
    ) -> (id: UUID, first: [String])? {
        state.withLock { state in
            guard let live = state.environments[environment] else { return nil }
            let id = UUID()
            state.subscribers[environment, default: [:]][id] = Subscriber(keyID: keyID, continuation: continuation)
            if let lastEventID, let missed = state.history[environment]?.events(after: lastEventID, current: live.version) {
                return (id, missed.map(\.wire))
            }
            let event = StreamEvent(name: "snapshot", version: live.version, data: live.snapshotJSON)
            return (id, [event.wire])
        }
    }

    /// Removes a stream.
    func unsubscribe(environment: String, id: UUID) {
        state.withLock { _ = $0.subscribers[environment]?.removeValue(forKey: id) }
    }

    /// Ends every stream opened with `keyID` (the key was revoked).
    func closeStreams(keyID: String) {
        let ending = state.withLock { state in
            state.subscribers.values.flatMap { $0.values.filter { $0.keyID == keyID } }
        }
        for subscriber in ending { subscriber.continuation.finish() }
    }

    /// Ends every stream (shutdown).
    func closeAllStreams() {
        let ending = state.withLock { $0.subscribers.values.flatMap(\.values) }
        for subscriber in ending { subscriber.continuation.finish() }
    }
}
