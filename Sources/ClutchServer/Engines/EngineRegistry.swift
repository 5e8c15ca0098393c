import ClutchCore
import Foundation
import NIOCore
import Synchronization

/// The live engines of every environment, their recent events and their open streams.
///
/// Reads (every evaluation) take a short lock and copy an immutable `Engine`; writes come only from
/// ``SnapshotPublisher``, one at a time, after a change has committed.
final class EngineRegistry: Sendable {
    /// An open SSE stream.
    struct Subscriber: Sendable {
        let keyID: String
        let continuation: AsyncStream<ByteBuffer>.Continuation
        /// When the write the stream waits on began: ``StreamHeartbeat`` closes a stalled one.
        var writing: WriteWatch?
        /// Closes the connection: ends a stream whose task is stuck in a write.
        let close: @Sendable () -> Void
        /// Whether this is the stream's own environment; `false` for another environment a
        /// stream also follows (the console's), which stream counts and heartbeats leave out.
        var counted = true

        init(
            keyID: String, continuation: AsyncStream<ByteBuffer>.Continuation, writing: WriteWatch? = nil,
            close: @escaping @Sendable () -> Void
        ) {
            self.keyID = keyID
            self.continuation = continuation
            self.writing = writing
            self.close = close
        }

        /// Ends the stream and its connection.
        func end() {
            continuation.finish()
            close()
        }
    }

    private struct State: Sendable {
        var environments: [String: LiveEnvironment] = [:]
        var history: [String: EventHistory] = [:]
        /// Which flags each recent version may have changed the answers of (the client stream).
        var changedFlags: [String: ChangedFlagsHistory] = [:]
        /// Each environment's engine before its current one: a client stream that had its answers
        /// from it compares the two for its context instead of keeping every answer it sent.
        var previousEngines: [String: Engine] = [:]
        var subscribers: [String: [UUID: Subscriber]] = [:]
        /// The subscribers that are counted, in every environment: kept as they come and go,
        /// since every stream's start and end reads it (the gauge) and a walk would cost as
        /// many steps as there are streams.
        var counted = 0
        /// Streams reserved or open per SDK key, for the per-key limit.
        var streamsPerKey: [String: Int] = [:]
        /// Client streams open per environment (``ClientStreamHandler``; counted in `counted` too).
        var clientStreams: [String: Int] = [:]
    }

    private let state = Mutex(State())
    /// The client streams' hubs, one per event loop that serves one.
    private let hubs = Mutex<[ObjectIdentifier: ClientStreamHub]>([:])
    private let historyLimit: Int
    /// Events a stream may queue (`ServerLimits.streamBacklog`).
    private let backlogLimit: Int

    /// Sends `wire` (a whole SSE event without an `id`, outside the versioned history) to every
    /// open stream of `environment`; a stream that cannot queue it misses it.
    func broadcast(environment: String, _ wire: ByteBuffer) {
        let subscribers = state.withLock { Array(($0.subscribers[environment] ?? [:]).values) }
        for subscriber in subscribers { _ = subscriber.continuation.yield(wire) }
    }

    init(historyLimit: Int, backlogLimit: Int) {
        self.historyLimit = historyLimit
        self.backlogLimit = max(1, backlogLimit)
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
        state.withLock { ($0.subscribers[environment]?.values.count(where: \.counted) ?? 0) + $0.clientStreams[environment, default: 0] }
    }

    /// Open streams in all environments.
    var totalStreams: Int {
        state.withLock { $0.counted }
    }

    /// Installs a new live state and sends its events to the environment's streams.
    /// Returns the number of streams notified. Older versions than the current one are ignored.
    /// `changed` names the flags whose answers the change may have changed (`nil`: unknown, any),
    /// for the client streams, which evaluate only those again.
    @discardableResult
    func install(_ live: LiveEnvironment, events: [StreamEvent], changed: Set<String>? = nil) -> Int {
        let environment = live.snapshot.environment
        let (installed, subscribers, clientStreams): (Bool, [UUID: Subscriber], Int) = state.withLock { state in
            if let current = state.environments[environment], current.version > live.version {
                return (false, [:], 0)
            }
            if let current = state.environments[environment], current.version < live.version {
                state.previousEngines[environment] = current.engine
            }
            state.environments[environment] = live
            if state.history[environment] == nil {
                state.history[environment] = EventHistory(from: live.version, limit: historyLimit)
                state.changedFlags[environment] = ChangedFlagsHistory(from: live.version, limit: historyLimit)
            } else {
                state.history[environment]?.append(events)
                state.changedFlags[environment]?.append(version: live.version, changed: changed)
            }
            return (true, state.subscribers[environment] ?? [:], state.clientStreams[environment, default: 0])
        }
        guard installed, !events.isEmpty else { return 0 }
        // The client streams hear of it once per event loop (``ClientStreamHub``).
        for hub in hubs.withLock({ Array($0.values) }) { hub.changed(environment: environment) }
        // A change with more events than a stream may queue (a large import) goes out as the
        // new snapshot instead: one event, which every SDK applies, rather than closing every stream.
        let sent = events.count * 2 > backlogLimit ? [live.snapshotEvent] : events
        var slow: [Subscriber] = []
        for subscriber in subscribers.values {
            for event in sent {
                if case .dropped = subscriber.continuation.yield(event.wire) {
                    slow.append(subscriber)
                    break
                }
            }
        }
        // A client that fell further behind than the backlog is disconnected; it reconnects
        // with Last-Event-ID and catches up from the history, or gets a fresh snapshot.
        for subscriber in slow { subscriber.end() }
        return subscribers.count + clientStreams
    }

    /// What a client stream that has the answers of `version` needs to send the current ones.
    struct Change {
        /// The environment now.
        let live: LiveEnvironment
        /// The flags whose answers may differ from those at `version` (`nil` when that is no
        /// longer known: any flag may have changed).
        let changed: Set<String>?
        /// The engine of `version` when it is the one just before the current (the usual case:
        /// one change at a time), to compare a context's answers with; `nil` otherwise.
        let before: Engine?
    }

    /// The environment's live state and what changed since `version`.
    func changes(_ environment: String, since version: Int64) -> Change? {
        state.withLock { state in
            guard let live = state.environments[environment] else { return nil }
            let before = state.previousEngines[environment].flatMap { $0.version == version ? $0 : nil }
            return Change(live: live, changed: state.changedFlags[environment]?.changed(after: version, current: live.version), before: before)
        }
    }

    /// Reserves a stream for `keyID`, or returns `nil` when the key has `limit` streams already.
    /// The slot is given back when released or when it is deallocated, whichever comes first,
    /// so a response that is never written cannot leak one.
    func reserveStream(keyID: String, limit: Int) -> StreamSlot? {
        let reserved = state.withLock { state -> Bool in
            let count = state.streamsPerKey[keyID, default: 0]
            guard count < limit else { return false }
            state.streamsPerKey[keyID] = count + 1
            return true
        }
        guard reserved else { return nil }
        return StreamSlot { [self] in
            state.withLock { state in
                let left = state.streamsPerKey[keyID, default: 1] - 1
                state.streamsPerKey[keyID] = left > 0 ? left : nil
            }
        }
    }

    /// Adds a stream and returns what it must be sent first: the events after `lastEventID` when
    /// they are all still kept, otherwise the full snapshot. Registered under the same lock as
    /// `install`, so no event falls between the first message and the live ones.
    func subscribe(
        environment: String, subscriber: Subscriber, lastEventID: Int64?
    ) -> (id: UUID, first: [ByteBuffer])? {
        let subscribed: (UUID, LiveEnvironment, [ByteBuffer]?)? = state.withLock { state in
            guard let live = state.environments[environment] else { return nil }
            let id = UUID()
            state.subscribers[environment, default: [:]][id] = subscriber
            if subscriber.counted { state.counted += 1 }
            let missed = lastEventID.flatMap { state.history[environment]?.events(after: $0, current: live.version) }
            return (id, live, missed?.map(\.wire))
        }
        guard let (id, live, missed) = subscribed else { return nil }
        // The snapshot event of exactly the version subscribed at, built (once per version,
        // see `EncodedSnapshot`) outside the lock that every evaluation takes.
        return (id, missed ?? [live.snapshotEvent.wire])
    }

    /// One step of ``StreamHeartbeat``: the streams of group `slice` (of `slices`, by id) whose
    /// write has waited longer than `stallTimeout` are ended, and when `beat` the others are sent
    /// a heartbeat. The subscribers are read under the lock (a copy on write, not a walk) and
    /// looked at outside it, so evaluations are not held up by a long list.
    func sweep(slice: Int, of slices: Int, beat: Bool, stallTimeout: Duration) {
        for hub in hubs.withLock({ Array($0.values) }) {
            hub.sweep(slice: slice, of: slices, beat: beat, stallTimeout: stallTimeout)
        }
        let environments = state.withLock { $0.subscribers }
        for subscribers in environments.values {
            // By index, so that only the group's subscribers are copied out, not every one.
            for index in subscribers.indices where Int(subscribers.keys[index].uuid.15) % slices == slice {
                let subscriber = subscribers.values[index]
                guard subscriber.counted else { continue }
                if subscriber.writing?.waiting(longerThan: stallTimeout) == true {
                    subscriber.end()
                } else if beat {
                    _ = subscriber.continuation.yield(StreamEvent.heartbeat)
                }
            }
        }
    }

    /// Removes a stream.
    func unsubscribe(environment: String, id: UUID) {
        state.withLock { state in
            if state.subscribers[environment]?.removeValue(forKey: id)?.counted == true { state.counted -= 1 }
        }
    }

    /// Ends every stream opened with `keyID` (the key was revoked).
    func closeStreams(keyID: String) {
        let ending = state.withLock { state in
            state.subscribers.values.flatMap { $0.values.filter { $0.keyID == keyID } }
        }
        for subscriber in ending { subscriber.end() }
        for hub in hubs.withLock({ Array($0.values) }) { hub.close(keyID: keyID) }
    }

    /// The client streams' hub of `eventLoop`.
    func clientStreamHub(on eventLoop: any EventLoop) -> ClientStreamHub {
        hubs.withLock { hubs in
            if let hub = hubs[ObjectIdentifier(eventLoop)] { return hub }
            let hub = ClientStreamHub(eventLoop: eventLoop)
            hubs[ObjectIdentifier(eventLoop)] = hub
            return hub
        }
    }

    /// A client stream of `environment` has opened (counted with the others).
    func clientStreamOpened(environment: String) {
        state.withLock { state in
            state.clientStreams[environment, default: 0] += 1
            state.counted += 1
        }
    }

    /// A client stream of `environment` has closed.
    func clientStreamClosed(environment: String) {
        state.withLock { state in
            let left = state.clientStreams[environment, default: 1] - 1
            state.clientStreams[environment] = left > 0 ? left : nil
            state.counted -= 1
        }
    }

    /// Ends every stream (shutdown).
    func closeAllStreams() {
        let ending = state.withLock { $0.subscribers.values.flatMap(\.values) }
        for subscriber in ending { subscriber.continuation.finish() }
    }
}

/// A reserved stream of one SDK key; see ``EngineRegistry/reserveStream(keyID:limit:)``.
final class StreamSlot: Sendable {
    private let giveBack: Mutex<(@Sendable () -> Void)?>

    init(giveBack: @escaping @Sendable () -> Void) {
        self.giveBack = Mutex(giveBack)
    }

    /// Gives the slot back; later calls do nothing.
    func release() {
        let action = giveBack.withLock { action in
            defer { action = nil }
            return action
        }
        action?()
    }

    deinit { release() }
}

/// The flags each recent version of one environment may have changed the answers of: what a
/// client stream evaluates again to learn what changed for its context.
struct ChangedFlagsHistory: Sendable {
    private var entries: [(version: Int64, changed: Set<String>)] = []
    /// Every change after this version is in `entries`.
    private var coveredFrom: Int64
    let limit: Int

    init(from version: Int64, limit: Int) {
        coveredFrom = version
        self.limit = max(1, limit)
    }

    /// Records one version; `changed` `nil` (a reload whose changes are not known) forgets what
    /// came before, so that a stream behind it evaluates everything again.
    mutating func append(version: Int64, changed: Set<String>?) {
        guard let changed else {
            entries.removeAll()
            coveredFrom = version
            return
        }
        entries.append((version, changed))
        if entries.count > limit {
            coveredFrom = entries.removeFirst().version
        }
    }

    /// The flags changed by the versions after `version` up to `current`, or `nil` when some of
    /// them are no longer kept.
    func changed(after version: Int64, current: Int64) -> Set<String>? {
        guard version >= coveredFrom, version <= current else { return nil }
        var union = Set<String>()
        for entry in entries.reversed() {
            if entry.version <= version { break }
            union.formUnion(entry.changed)
        }
        return union
    }
}
