import Foundation
import Logging

/// Keeps a device-mode client's answers current: holds the client stream for the current
/// person (`POST /sdk/v1/client/stream`), applies its `values` and `changed` events, and
/// while the stream is down polls OFREP bulk evaluation with `If-None-Match`, reconnecting
/// with backoff. A switch of person (``ClientCore/switchContext(to:)``) ends the connection
/// or the wait at once and starts over for the new context. Runs inside one task.
final class DeviceLoop {
    private let core: ClientCore
    private let configuration: ClutchConfiguration
    private var logger: Logger { core.logger }

    /// The person answered for, and the switch that set them.
    private var context: EvaluationContext
    private var generation: UInt64
    /// The server's answers for `context` (from the stream, a poll or the disk), by flag key,
    /// with the server's reasons; `nil` before any.
    private var answers: [String: OFREPBulkResponse.Item]?
    /// Whether `answers` came from the server since this person was switched to.
    private var fresh = false
    /// The OFREP ETag of `answers` (kept on disk too), for `If-None-Match`.
    private var etag: String?
    private var attempt = 0
    /// Whether the last poll (made while the stream was down) succeeded.
    private var pollHealthy = false
    private var nextPoll: ContinuousClock.Instant?

    /// The connection's end when the person is switched.
    private struct Switched: Error {}

    init(core: ClientCore) {
        self.core = core
        configuration = core.configuration
        (context, generation) = core.deviceContext
        loadCached()
    }

    func run() async {
        while !Task.isCancelled {
            let current = core.deviceContext
            if current.generation != generation {
                (context, generation) = current
                loadCached()
            }
            var failure: (any Error)?
            do {
                try await streamOnce()
                if Task.isCancelled { return }
                logger.debug("the client stream ended; reconnecting")
            } catch is Switched {
                continue
            } catch {
                if Task.isCancelled { return }
                logger.info("the client stream failed; reconnecting", metadata: ["error": "\(error)"])
                failure = error
            }
            if Task.isCancelled { return }
            // Answers confirmed by the last poll stay READY while the stream is down.
            if (failure as? ClutchError) == .unauthorized || !pollHealthy {
                core.connectionFailed(failure)
            }
            let delay = Self.reconnectDelay(configuration.reconnectBackoff.delay(attempt: attempt), after: failure)
            attempt += 1
            await waitPolling(for: delay)
        }
    }

    /// The wait before the next connection: the backoff's, or longer when the server said
    /// how long with `Retry-After` (its connection budget or the address's limit is full).
    static func reconnectDelay(_ backoff: Duration, after failure: (any Error)?) -> Duration {
        guard let retryAfter = (failure as? ClutchError)?.retryAfter else { return backoff }
        return max(backoff, retryAfter)
    }

    /// Reads the new person's answers and ETag from disk (served as `CACHED` by
    /// ``ClientCore/switchContext(to:)`` or at start; kept here to revalidate with `If-None-Match`).
    private func loadCached() {
        let cached = core.answerCache?.load(targetingKey: context.targetingKey ?? "")
        answers = cached.map { Self.byKey($0.answers.flags) }
        etag = cached?.etag
        fresh = false
        attempt = 0
        pollHealthy = false
        nextPoll = nil
    }

    private static func byKey(_ items: [OFREPBulkResponse.Item]) -> [String: OFREPBulkResponse.Item] {
        Dictionary(items.map { ($0.key, $0) }, uniquingKeysWith: { _, last in last })
    }

    // MARK: Stream

    /// One connection for the current person: returns when the server ends it, throws when it
    /// fails, or ``Switched`` when the person changes.
    private func streamOnce() async throws {
        let (events, continuation) = AsyncThrowingStream<ServerSentEvent, any Error>.makeStream()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { [api = core.api, context, heartbeat = configuration.heartbeatTimeout] in
                do {
                    try await EventStream.receive(heartbeatTimeout: heartbeat) { headTimeout in
                        try await api.clientStream(context, headTimeout: headTimeout)
                    } deliver: { event in
                        continuation.yield(event)
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            group.addTask { [core, generation] in
                await core.waitForSwitch(after: generation)
                continuation.finish(throwing: Switched())
            }
            // Ends the connection when this returns or throws (cancelled, switched, or an unreadable event).
            defer { group.cancelAll() }
            var hasValues = false
            for try await event in events {
                try handle(event, hasValues: &hasValues)
            }
        }
    }

    private func handle(_ event: ServerSentEvent, hasValues: inout Bool) throws {
        let received: ClientStreamEvent?
        do {
            received = try ClientStreamEvent(type: event.type, data: event.data.utf8)
        } catch {
            throw ClutchError.invalidResponse("cannot read a '\(event.type)' event: \(error)")
        }
        switch received {
        case nil:
            return  // an event this SDK does not know
        case .values(let response):
            hasValues = true
            // Not an OFREP answer: its ETag no longer describes what is held.
            install(Self.byKey(response.flags), etag: nil)
        case .changed(let flags, let removed):
            guard hasValues, var next = answers else {
                throw ClutchError.invalidResponse("a change arrived before the values")
            }
            for item in flags { next[item.key] = item }
            for key in removed { next.removeValue(forKey: key) }
            install(next, etag: nil)
        }
        attempt = 0
        nextPoll = nil
        pollHealthy = false
    }

    /// Serves `next` (the server's answers for the current person) and keeps it on disk.
    private func install(_ next: [String: OFREPBulkResponse.Item], etag: String?) {
        let response = OFREPBulkResponse(flags: next.values.sorted { $0.key < $1.key })
        let keep = AnswerCache.Pending(targetingKey: context.targetingKey ?? "", answers: response, etag: etag)
        guard core.installAnswers(FlagSource(answers: response), generation: generation, keep: keep) else { return }
        answers = next
        fresh = true
        self.etag = etag
    }

    // MARK: Polling

    /// Waits `delay` before the next connection attempt, polling meanwhile; returns early
    /// when the person is switched.
    private func waitPolling(for delay: Duration) async {
        let clock = ContinuousClock()
        let deadline = clock.now + delay
        while clock.now < deadline, !Task.isCancelled {
            if core.deviceContext.generation != generation { return }
            if nextPoll.map({ clock.now >= $0 }) ?? true {
                await poll()
                nextPoll = clock.now + configuration.pollingInterval
            }
            let wake = min(deadline, nextPoll ?? deadline)
            // Sleeps until `wake`, or until a switch of person.
            await withTaskGroup(of: Void.self) { [core, generation] group in
                group.addTask { try? await clock.sleep(until: wake) }
                group.addTask { await core.waitForSwitch(after: generation) }
                await group.next()
                group.cancelAll()
            }
        }
    }

    /// `POST /ofrep/v1/evaluate/flags` for the current person, with `If-None-Match`.
    private func poll() async {
        pollHealthy = false
        do {
            switch try await core.api.evaluateAll(context, ifNoneMatch: etag) {
            case .notModified:
                // The answers held (from disk at a cold start) are the server's current ones.
                if !fresh, let answers { install(answers, etag: etag) } else { core.confirmed() }
            case .fetched(let response, let etag):
                install(Self.byKey(response.flags), etag: etag)
            }
            pollHealthy = true
        } catch {
            if Task.isCancelled { return }
            logger.debug("polling for answers failed", metadata: ["error": "\(error)"])
            core.connectionFailed(error)
        }
    }
}
