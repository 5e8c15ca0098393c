import AsyncHTTPClient
import Logging

/// What the local-mode ``SyncLoop`` and the device-mode ``DeviceLoop`` share: one live stream
/// at a time, read in a child task that watches for missed heartbeats; on its end or failure,
/// a wait with capped exponential backoff and full jitter (never shorter than the `Retry-After`
/// of a refusal) during which the loop polls. Each loop brings its stream, its events and its
/// poll; runs inside one task, so nothing here is shared.
protocol ReconnectingLoop: AnyObject {
    var core: ClientCore { get }
    /// The stream's name in log messages ("the flag stream").
    var streamName: String { get }
    var reconnect: ReconnectState { get set }
    /// Reads one connection: returns when the server ends it, throws when it fails, or
    /// ``Superseded`` when ``superseded`` became true.
    func streamOnce() async throws
    /// Fetches the data once over plain HTTP, while the stream is down.
    func poll() async
    /// Whether the current connection or wait serves an outdated purpose (device mode: the
    /// person was switched), so the loop starts over at once.
    var superseded: Bool { get }
    /// Takes up what changed when ``superseded`` ended a connection or a wait.
    func startOver()
    /// Returns at `deadline`, or earlier once ``superseded``; throws when cancelled.
    func pause(until deadline: ContinuousClock.Instant) async throws
}

/// The reconnection state a ``ReconnectingLoop`` keeps.
struct ReconnectState {
    var attempt = 0
    /// Whether the last poll (made while the stream was down) succeeded.
    var pollHealthy = false
    var nextPoll: ContinuousClock.Instant?

    /// An event arrived: the connection is healthy, the next failure starts the backoff over.
    mutating func received() {
        attempt = 0
        nextPoll = nil
        pollHealthy = false
    }
}

/// Ends a connection or a wait whose purpose is outdated (``ReconnectingLoop/superseded``).
struct Superseded: Error {}

extension ReconnectingLoop {
    var superseded: Bool { false }
    func startOver() {}
    func pause(until deadline: ContinuousClock.Instant) async throws {
        try await ContinuousClock().sleep(until: deadline)
    }

    private var logger: Logger { core.logger }

    func run() async {
        while !Task.isCancelled {
            var failure: (any Error)?
            do {
                try await streamOnce()
                // A cancelled stream ends quietly too; that is the client closing.
                if Task.isCancelled { return }
                logger.debug("\(streamName) ended; reconnecting")
            } catch is Superseded {
                startOver()
                continue
            } catch {
                if Task.isCancelled { return }
                logger.info("\(streamName) failed; reconnecting", metadata: ["error": "\(error)"])
                failure = error
            }
            if Task.isCancelled { return }
            // Data confirmed by the last poll stays READY while the stream is down.
            if (failure as? ClutchError) == .unauthorized || !reconnect.pollHealthy {
                core.connectionFailed(failure)
            }
            let delay = Self.reconnectDelay(core.configuration.reconnectBackoff.delay(attempt: reconnect.attempt), after: failure)
            reconnect.attempt += 1
            await waitPolling(for: delay)
            if superseded { startOver() }
        }
    }

    /// The wait before the next connection: the backoff's, or longer when the server said how
    /// long with `Retry-After` (a connection budget or a limit is full).
    static func reconnectDelay(_ backoff: Duration, after failure: (any Error)?) -> Duration {
        guard let retryAfter = (failure as? ClutchError)?.retryAfter else { return backoff }
        return max(backoff, retryAfter)
    }

    /// Waits `delay` before the next connection attempt, polling meanwhile.
    private func waitPolling(for delay: Duration) async {
        let clock = ContinuousClock()
        let deadline = clock.now + delay
        while clock.now < deadline, !superseded {
            if reconnect.nextPoll.map({ clock.now >= $0 }) ?? true {
                await poll()
                reconnect.nextPoll = clock.now + core.configuration.pollingInterval
            }
            let wake = min(deadline, reconnect.nextPoll ?? deadline)
            do {
                try await pause(until: wake)
            } catch {
                return
            }
        }
    }

    /// Reads the stream `open` opens: its bytes are read in a child task (which also watches
    /// for missed heartbeats) and each event is passed to `handle` here, in the loop's task,
    /// where the loop's state lives. `interrupt`, when it returns, ends the connection with
    /// ``Superseded``. Ends the connection when `handle` throws or the task is cancelled.
    func read(
        _ open: @escaping @Sendable (_ headTimeout: Duration) async throws -> HTTPClientResponse.Body,
        interrupt: (@Sendable () async -> Void)? = nil,
        handle: (ServerSentEvent) throws -> Void
    ) async throws {
        let (events, continuation) = AsyncThrowingStream<ServerSentEvent, any Error>.makeStream()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { [heartbeat = core.configuration.heartbeatTimeout] in
                do {
                    try await EventStream.receive(heartbeatTimeout: heartbeat, open: open) { event in
                        continuation.yield(event)
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            if let interrupt {
                group.addTask {
                    await interrupt()
                    continuation.finish(throwing: Superseded())
                }
            }
            defer { group.cancelAll() }
            for try await event in events {
                try handle(event)
            }
        }
    }
}
