import ClutchProtocol
import Foundation
import Logging

/// Keeps a local-mode client's snapshot current: holds the live stream, applies its events,
/// reconnects with backoff and polls while disconnected. Runs inside one task; nothing here
/// is shared. (Device mode: ``DeviceLoop``.)
final class SyncLoop {
    private let core: ClientCore
    private let configuration: ClutchConfiguration
    private var logger: Logger { core.logger }
    /// The snapshot evaluated.
    private var snapshot: Snapshot?
    /// Whether `snapshot` came from the server (not from the cache or the bootstrap), so
    /// that single changes apply to it.
    private var serverSynced = false
    /// The id of the last event applied, sent as `Last-Event-ID` to resume.
    private var lastEventID: String?
    private var attempt = 0
    /// Whether the last poll (made while the stream was down) succeeded.
    private var pollHealthy = false
    private var nextPoll: ContinuousClock.Instant?

    init(core: ClientCore, initial: Snapshot?) {
        self.core = core
        configuration = core.configuration
        snapshot = initial
    }

    func run() async {
        while !Task.isCancelled {
            var failure: (any Error)?
            do {
                try await streamOnce()
                // A cancelled stream ends quietly too; that is the client closing.
                if Task.isCancelled { return }
                logger.debug("the flag stream ended; reconnecting")
            } catch {
                if Task.isCancelled { return }
                logger.info("the flag stream failed; reconnecting", metadata: ["error": "\(error)"])
                failure = error
            }
            if Task.isCancelled { return }
            // Flags confirmed by the last poll stay READY while the stream is down.
            if (failure as? ClutchError) == .unauthorized || !pollHealthy {
                core.connectionFailed(failure)
            }
            let delay = configuration.reconnectBackoff.delay(attempt: attempt)
            attempt += 1
            await waitPolling(for: delay)
        }
    }

    // MARK: Stream

    /// One connection: returns when the server ends it, throws when it fails. The connection
    /// is read in a child task (which also watches for missed heartbeats); its events are
    /// handled here, where the loop's state lives.
    private func streamOnce() async throws {
        let (events, continuation) = AsyncThrowingStream<ServerSentEvent, any Error>.makeStream()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { [api = core.api, lastEventID, heartbeat = configuration.heartbeatTimeout] in
                do {
                    try await EventStream.receive(heartbeatTimeout: heartbeat) { headTimeout in
                        try await api.stream(lastEventID: lastEventID, headTimeout: headTimeout)
                    } deliver: { event in
                        continuation.yield(event)
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            // Ends the connection when this returns or throws (cancelled, or an unreadable event).
            defer { group.cancelAll() }
            for try await event in events {
                try handle(event)
            }
        }
    }

    private func handle(_ event: ServerSentEvent) throws {
        if event.type == UsageCadence.eventName {
            // A hint, not a change: an unreadable one is ignored like an unknown event.
            if let cadence = try? UsageCadence(data: event.data.utf8) { core.adopt(cadence) }
            return
        }
        let change: SyncEvent?
        do {
            change = try SyncEvent(type: event.type, data: event.data.utf8)
        } catch {
            lastEventID = nil  // start over from a full snapshot
            throw ClutchError.invalidResponse("cannot read a '\(event.type)' event: \(error)")
        }
        guard let change else { return }
        try apply(change)
        if !event.lastEventID.isEmpty { lastEventID = event.lastEventID }
        attempt = 0
        nextPoll = nil
        pollHealthy = false
    }

    private func apply(_ change: SyncEvent) throws {
        if case .snapshot(let full) = change {
            install(full)
        } else if let current = snapshot, serverSynced {
            guard let delta = change.delta(after: current.version), !delta.isEmpty else { return }
            // A change costs what it changes: the live engine is updated, not rebuilt.
            if let source = core.source.withLock({ $0 }), source.snapshot?.version == current.version,
               let (next, changed) = source.applying(delta) {
                core.install(next, changed: changed, status: .ready)
                snapshot = next.snapshot
                scheduleCacheWrite()
            } else {
                install(current.applying(delta))
            }
        } else {
            lastEventID = nil
            throw ClutchError.invalidResponse("a change arrived before the snapshot")
        }
        serverSynced = true
    }

    private func install(_ next: Snapshot) {
        let changed = next.changedFlagKeys(since: core.source.withLock { $0 }?.snapshot)
        core.install(FlagSource(engine: Engine(next)), changed: changed, status: .ready)
        snapshot = next
        scheduleCacheWrite()
    }

    private func scheduleCacheWrite() {
        if let snapshot { core.cacheWriter?.schedule(snapshot) }
    }

    // MARK: Polling

    /// Waits `delay` before the next connection attempt, polling meanwhile.
    private func waitPolling(for delay: Duration) async {
        let clock = ContinuousClock()
        let deadline = clock.now + delay
        while clock.now < deadline {
            if nextPoll.map({ clock.now >= $0 }) ?? true {
                await poll()
                nextPoll = clock.now + configuration.pollingInterval
            }
            let wake = min(deadline, nextPoll ?? deadline)
            do {
                try await clock.sleep(until: wake)
            } catch {
                return
            }
        }
    }

    private func poll() async {
        pollHealthy = false
        do {
            switch try await core.api.snapshot(ifNoneMatch: snapshot?.entityTag) {
            case .notModified:
                core.confirmed()
            case .fetched(let next, _):
                // Event ids are snapshot versions: resume the stream after this one.
                lastEventID = String(next.version)
                install(next)
                serverSynced = true
            }
            pollHealthy = true
        } catch {
            if Task.isCancelled { return }
            logger.debug("polling for flags failed", metadata: ["error": "\(error)"])
            core.connectionFailed(error)
        }
    }
}
