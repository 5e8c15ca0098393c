import ClutchProtocol
import Foundation
import Logging

/// Keeps a local-mode client's snapshot current: holds the live stream, applies its events,
/// reconnects with backoff and polls while disconnected. Runs inside one task; nothing here
/// is shared. (Device mode: ``DeviceLoop``.)
final class SyncLoop: ReconnectingLoop {
    let core: ClientCore
    private var logger: Logger { core.logger }
    /// The snapshot evaluated.
    private var snapshot: Snapshot?
    /// Whether `snapshot` came from the server (not from the cache or the bootstrap), so
    /// that single changes apply to it.
    private var serverSynced = false
    /// The id of the last event applied, sent as `Last-Event-ID` to resume.
    private var lastEventID: String?
    var reconnect = ReconnectState()
    let streamName = "the flag stream"

    init(core: ClientCore, initial: Snapshot?) {
        self.core = core
        snapshot = initial
    }

    // MARK: Stream

    /// One connection to `/sdk/v1/stream`, resumed after the last event applied.
    func streamOnce() async throws {
        try await read { [api = core.api, lastEventID] headTimeout in
            try await api.stream(lastEventID: lastEventID, headTimeout: headTimeout)
        } handle: { event in
            try handle(event)
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
        reconnect.received()
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

    /// `GET /sdk/v1/flags` with `If-None-Match`.
    func poll() async {
        reconnect.pollHealthy = false
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
            reconnect.pollHealthy = true
        } catch {
            if Task.isCancelled { return }
            logger.debug("polling for flags failed", metadata: ["error": "\(error)"])
            core.connectionFailed(error)
        }
    }
}
