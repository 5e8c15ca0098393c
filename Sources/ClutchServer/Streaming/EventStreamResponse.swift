import ClutchCore
import Hummingbird
import NIOCore
import ServiceLifecycle

/// What a stream sends for the environment's events: the SDK's own events as they are
/// (``SyncEventsFormat``), or OFREP's change notifications (``OFREPRefetchFormat``).
protocol StreamFormat: Sendable {
    /// What to send first, given the snapshot event or the events missed since `Last-Event-ID`.
    mutating func first(_ buffers: [ByteBuffer]) -> [ByteBuffer]
    /// What to send for one queued message (an event, or ``StreamEvent/heartbeat``); `nil` sends nothing.
    mutating func next(_ buffer: ByteBuffer) -> ByteBuffer?
}

/// The SDK stream: every event as the registry rendered it.
struct SyncEventsFormat: StreamFormat {
    func first(_ buffers: [ByteBuffer]) -> [ByteBuffer] { buffers }
    func next(_ buffer: ByteBuffer) -> ByteBuffer? { buffer }
}

/// A Server-Sent-Events response subscribed to one environment's changes.
enum EventStreamResponse {
    /// The stream: the first messages, then one per change and a heartbeat comment every
    /// `heartbeatInterval`, in `format`.
    ///
    /// A stream costs little while its client reads: events are shared bytes (``StreamEvent``),
    /// and heartbeats and stall checks come from one task for every stream (``StreamHeartbeat``).
    /// One that stops reading is closed, when it falls `streamBacklog` events behind or when one
    /// write waits longer than `streamStallTimeout`; a key may hold `maxStreamsPerKey` streams
    /// (SDK and OFREP streams together). Events of the environments in `following` are queued
    /// too (the console's flag page shows every environment's state); the stream counts once.
    /// (Client streams are served by the connection's pipeline instead, ``ClientStreamHandler``.)
    ///
    /// A stream ends as soon as its connection closes, the client's going included (the
    /// connection's ``RequestDeadlineHandler`` closes an event stream's connection when the
    /// client closes its end), so its place is free again at once, not at the next heartbeat.
    static func make<Format: StreamFormat>(
        services: ServerServices, channel: any Channel, keyID: String, environment: String, following: [String] = [],
        lastEventID: Int64?, format: Format, after first: @escaping @Sendable () -> [ByteBuffer] = { [] }
    ) throws -> Response {
        guard services.registry.live(environment) != nil else {
            throw APIError.notFound("environment '\(environment)' not found")
        }
        let limits = services.configuration.limits
        guard let slot = services.registry.reserveStream(keyID: keyID, limit: limits.maxStreamsPerKey) else {
            throw APIError.tooManyRequests(
                "this SDK key has \(limits.maxStreamsPerKey) streams open already", retryAfter: 10)
        }
        // What the body uses, and nothing more: it lives as long as the stream, once per stream
        // (the services, configuration included, are several hundred bytes).
        let registry = services.registry
        let metrics = services.metrics
        let clock = services.clock
        let backlog = max(1, limits.streamBacklog)
        let body = ResponseBody { writer in
            var format = format
            defer { slot.release() }
            let (messages, continuation) = AsyncStream.makeStream(of: ByteBuffer.self, bufferingPolicy: .bufferingOldest(backlog))
            let writing = WriteWatch(clock: clock)
            let subscriber = EngineRegistry.Subscriber(
                keyID: keyID, continuation: continuation, writing: writing, close: { channel.close(promise: nil) })
            // The connection is gone (the client closed it, or a write failed): end the stream now.
            channel.closeFuture.whenComplete { _ in continuation.finish() }
            guard let (id, initial) = registry.subscribe(
                environment: environment, subscriber: subscriber, lastEventID: lastEventID)
            else {
                try await writer.finish(nil)
                return
            }
            var follower = subscriber
            follower.counted = false
            let followed = following.filter { $0 != environment }.compactMap { other in
                registry.subscribe(environment: other, subscriber: follower, lastEventID: nil).map { (other, $0.id) }
            }
            ServerServices.updateStreamGauge(metrics: metrics, registry: registry)
            defer {
                continuation.finish()
                registry.unsubscribe(environment: environment, id: id)
                for (other, followID) in followed { registry.unsubscribe(environment: other, id: followID) }
                ServerServices.updateStreamGauge(metrics: metrics, registry: registry)
            }
            try await withGracefulShutdownHandler {
                for buffer in format.first(initial) + first() {
                    writing.start()
                    try await writer.write(buffer)
                    writing.stop()
                }
                for await message in messages {
                    guard let buffer = format.next(message) else { continue }
                    writing.start()
                    try await writer.write(buffer)
                    writing.stop()
                }
            } onGracefulShutdown: {
                // Ends the stream cleanly so that shutdown is not held up; clients reconnect elsewhere.
                continuation.finish()
                // A client that does not read never lets its last writes finish: close it once
                // one has waited a second (checked until the stream's task ends). The checks are
                // on the wall clock, as the shutdown's own bound is; the wait is on the server's.
                Task {
                    for _ in 0..<16 {
                        try? await Task.sleep(for: .milliseconds(250))
                        if writing.waiting(longerThan: .seconds(1)) {
                            subscriber.close()
                            return
                        }
                    }
                }
            }
            // Finishing waits for what is still unsent, like a write.
            writing.start()
            try await writer.finish(nil)
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: body)
    }
}
