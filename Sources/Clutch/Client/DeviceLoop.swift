import Foundation
import Logging

/// Keeps a device-mode client's answers current: holds the client stream for the current
/// person (`POST /sdk/v1/client/stream`), applies its `values` and `changed` events, and
/// while the stream is down polls OFREP bulk evaluation with `If-None-Match`, reconnecting
/// with backoff. A switch of person (``ClientCore/switchContext(to:)``) ends the connection
/// or the wait at once and starts over for the new context. Runs inside one task.
final class DeviceLoop: ReconnectingLoop {
    let core: ClientCore
    private var logger: Logger { core.logger }
    var reconnect = ReconnectState()
    let streamName = "the client stream"

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

    init(core: ClientCore) {
        self.core = core
        (context, generation) = core.deviceContext
        loadCached()
    }

    var superseded: Bool { core.deviceContext.generation != generation }

    func startOver() {
        (context, generation) = core.deviceContext
        loadCached()
    }

    /// Sleeps until `deadline`, or until a switch of person.
    func pause(until deadline: ContinuousClock.Instant) async throws {
        await withTaskGroup(of: Void.self) { [core, generation] group in
            group.addTask { try? await ContinuousClock().sleep(until: deadline) }
            group.addTask { await core.waitForSwitch(after: generation) }
            await group.next()
            group.cancelAll()
        }
        try Task.checkCancellation()
    }

    /// Reads the person's answers and ETag from disk (served as `CACHED` by
    /// ``ClientCore/switchContext(to:)`` or at start; kept here to revalidate with `If-None-Match`).
    private func loadCached() {
        let cached = core.answerCache?.load(targetingKey: context.targetingKey ?? "")
        answers = cached.map { Self.byKey($0.answers.flags) }
        etag = cached?.etag
        fresh = false
        reconnect = ReconnectState()
    }

    private static func byKey(_ items: [OFREPBulkResponse.Item]) -> [String: OFREPBulkResponse.Item] {
        Dictionary(items.map { ($0.key, $0) }, uniquingKeysWith: { _, last in last })
    }

    // MARK: Stream

    /// One connection for the current person; ends with ``Superseded`` when the person changes.
    func streamOnce() async throws {
        var hasValues = false
        try await read { [api = core.api, context] headTimeout in
            try await api.clientStream(context, headTimeout: headTimeout)
        } interrupt: { [core, generation] in
            await core.waitForSwitch(after: generation)
        } handle: { event in
            try handle(event, hasValues: &hasValues)
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
        reconnect.received()
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

    /// `POST /ofrep/v1/evaluate/flags` for the current person, with `If-None-Match`.
    func poll() async {
        reconnect.pollHealthy = false
        do {
            switch try await core.api.evaluateAll(context, ifNoneMatch: etag) {
            case .notModified:
                // The answers held (from disk at a cold start) are the server's current ones.
                if !fresh, let answers { install(answers, etag: etag) } else { core.confirmed() }
            case .fetched(let response, let etag):
                install(Self.byKey(response.flags), etag: etag)
            }
            reconnect.pollHealthy = true
        } catch {
            if Task.isCancelled { return }
            logger.debug("polling for answers failed", metadata: ["error": "\(error)"])
            core.connectionFailed(error)
        }
    }
}
