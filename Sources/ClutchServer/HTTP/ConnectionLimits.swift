import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypes
import Synchronization

/// How many connections the server serves at once (`--max-connections`). A connection beyond the
/// budget is still accepted, its first request read, answered 503 with `Retry-After` and closed,
/// all within ``GuardedHTTP1Channel/refusalTime``: a client learns to come back instead of waiting
/// in a listen queue, and what connections cost stays bounded however many are opened. SSE
/// streams hold their connection, so they count.
final class ConnectionBudget: Sendable {
    let limit: Int
    private let open = Mutex(0)
    private let running = Mutex(0)

    init(limit: Int) {
        self.limit = limit
    }

    /// Connections holding a place now.
    var count: Int { open.withLock { $0 } }

    /// Takes a place if one is free.
    func acquire() -> Bool {
        open.withLock { count in
            guard count < limit else { return false }
            count += 1
            return true
        }
    }

    /// Gives back a place taken by ``acquire()``.
    func release() {
        open.withLock { $0 -= 1 }
    }

    /// Connections whose task is running now; an idle client stream's has ended
    /// (``GuardedHTTP1Channel/inTaskOfItsOwn(_:)``).
    var tasks: Int { running.withLock { $0 } }

    /// Counts a connection's task while `body` runs.
    func task(_ body: () async -> Void) async {
        running.withLock { $0 += 1 }
        await body()
        running.withLock { $0 -= 1 }
    }
}

/// Hummingbird's HTTP/1 channel with the two limits it lacks: a connection budget
/// (``ConnectionBudget``) and a deadline for receiving each whole request, head and body
/// (``RequestDeadlineHandler``). Hummingbird's idle timeout counts every body part as activity, so
/// without the deadline a body sent one byte at a time holds its connection forever.
struct GuardedHTTP1Channel: ServerChildChannel {
    /// The HTTP/1 connection and whether it holds a place in the budget.
    struct Connection: ServerChildChannelValue {
        let http: HTTP1Channel.Value
        let admitted: Bool
        var channel: any Channel { http.channel }
    }

    let http: HTTP1Channel
    let budget: ConnectionBudget
    let requestTimeout: TimeAmount

    /// `configuration`'s handlers plus the one that tells the deadline where requests end.
    init(responder: @escaping HTTPChannelHandler.Responder, configuration: HTTP1Channel.Configuration, budget: ConnectionBudget, requestTimeout: TimeAmount) {
        var configuration = configuration
        let additional = configuration.additionalChannelHandlers
        configuration.additionalChannelHandlers = { [RequestProgressHandler() as any RemovableChannelHandler] + additional() }
        self.http = HTTP1Channel(responder: Self.inTaskOfItsOwn(responder), configuration: configuration)
        self.budget = budget
        self.requestTimeout = requestTimeout
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Connection> {
        let admitted = budget.acquire()
        if admitted {
            let budget = self.budget
            channel.closeFuture.whenComplete { _ in budget.release() }
        }
        do {
            // First in the pipeline: it sees the request's bytes before the HTTP decoder does.
            try channel.pipeline.syncOperations.addHandler(RequestDeadlineHandler(timeout: requestTimeout), position: .first)
            try channel.syncOptions?.setOption(ChannelOptions.recvAllocator, value: Self.receiveBuffers)
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return http.setup(channel: channel, logger: logger).map { Connection(http: $0, admitted: admitted) }
    }

    func handle(value: Connection, logger: Logger) async {
        if value.admitted {
            await budget.task { await http.handle(value: value.http, logger: logger) }
        } else {
            await Self.refuse(value.http, logger: logger)
        }
    }

    /// `responder`, with a client stream's request answered in a child task of the connection's,
    /// and the connection's task ended once the stream is the pipeline's.
    ///
    /// A task keeps the memory its deepest call needed until it ends. The routing's (the
    /// middlewares, the key's lookup, the body's decoding) is given back when the child task ends.
    /// Once the stream is handed to the pipeline (``ClientStreamHandler``) the connection's task
    /// would only wait for the connection to close, holding its frames for the stream's whole
    /// life (about as much again as the rest of an idle stream): it ends instead, by throwing
    /// ``HandedToPipeline`` out of Hummingbird's request loop. That loop's teardown closes the
    /// connection, and the handler, told beforehand (``ClientStreamHandler/detach(from:)``),
    /// answers that one close without closing. Other requests are answered on the connection's
    /// task, as Hummingbird does.
    static func inTaskOfItsOwn(_ responder: @escaping HTTPChannelHandler.Responder) -> HTTPChannelHandler.Responder {
        { request, writer, channel in
            guard request.uri.path == "/" + ClientStreamController.path else {
                try await responder(request, writer, channel)
                return
            }
            let box = ResponseWriterBox(writer)
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask {
                    guard let writer = box.take() else { return }
                    try await responder(request, writer, channel)
                }
            }
            // An answer other than a stream (a 4xx) leaves the connection to Hummingbird's loop.
            if try await channel.eventLoop.submit({ ClientStreamHandler.detach(from: channel) }).get() {
                throw HandedToPipeline()
            }
        }
    }

    /// Ends a connection's task whose stream the pipeline now serves (``inTaskOfItsOwn(_:)``).
    struct HandedToPipeline: Error {}

    /// The sizes a connection reads in. A connection keeps its last receive buffer for its whole
    /// life, so NIO's first size (2 KiB) is what every idle stream holds; most requests fit in
    /// 512 bytes, and a read that fills the buffer makes the next one twice as large.
    static let receiveBuffers = AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 512, maximum: 65536)

    /// How long a connection beyond the budget is kept, to read its request and answer it.
    static let refusalTime: TimeAmount = .seconds(2)

    /// Answers a connection beyond the budget: reads its first request, answers 503 with
    /// `Retry-After`, and closes it; one that has not sent its request, or not closed its end,
    /// within ``refusalTime`` is closed then. Reading the request first lets the client see the
    /// answer: closing a socket with unread input resets the connection instead.
    private static func refuse(_ connection: HTTP1Channel.Value, logger: Logger) async {
        let channel = connection.channel
        let giveUp = channel.eventLoop.scheduleTask(in: refusalTime) { channel.close(promise: nil) }
        defer { giveUp.cancel() }
        do {
            try await connection.executeThenClose { inbound, outbound in
                for try await part in inbound {
                    if case .end = part { break }
                }
                let error = APIError.overloaded("the server has as many connections open as it may; try again later", retryAfter: 1)
                let body = error.bodyBytes
                var headers = error.headers
                headers[.contentType] = "application/json"
                headers[.contentLength] = String(body.readableBytes)
                headers[.connection] = "close"
                try await outbound.write(.head(HTTPResponse(status: error.status, headerFields: headers)))
                try await outbound.write(.body(body))
                try await outbound.write(.end(nil))
                // Half-closes once the answer is written; the client then closes its end.
                outbound.finish()
                try await channel.closeFuture.get()
            }
        } catch {
            logger.trace("refused connection: \(error)")
        }
    }
}

/// Carries a request's response writer (which cannot be copied) into the task that answers it:
/// taken once, by that task alone.
private final class ResponseWriterBox: @unchecked Sendable {
    private var writer: ResponseWriter?

    init(_ writer: consuming ResponseWriter) {
        self.writer = consume writer
    }

    func take() -> ResponseWriter? {
        writer.take()
    }
}

/// Closes a connection whose request has not arrived whole within the request deadline
/// (`--request-timeout`), answering 408 when no response has started. The clock starts at a
/// request's first byte and stops when the HTTP decoder has read the request's end
/// (``RequestProgressHandler`` tells it); a connection waiting between requests is left to the
/// idle timeout. An SSE stream's request (a GET) is whole at once, so streams are never cut.
/// A request that arrives whole in one read (most of them) costs no timer: one is scheduled only
/// when a read ends with a request still incomplete.
///
/// It also closes a connection serving an event stream once the client has closed its end. The
/// server allows half-closed connections (a client may send a request, close its end and still
/// read the answer), so the client's close alone ends nothing, and a stream would otherwise hold
/// its place (a key's, a client stream's, a connection) until a heartbeat's write failed. A client
/// closing its end of an event stream has stopped listening.
final class RequestDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    private let timeout: TimeAmount
    private var deadline: Scheduled<Void>?
    /// When the first byte of the request being read arrived; `nil` between requests.
    private var startedAt: NIODeadline?
    /// The response to the request being read has started (no 408 can be sent any more).
    private var responding = false
    /// The deadline passed: the connection is closing and nothing more is written.
    private var expired = false
    /// The client has closed its end of the connection.
    private var inputClosed = false
    /// The response being written is an event stream (`text/event-stream`).
    private var eventStream = false
    private var context: ChannelHandlerContext?

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if startedAt == nil, !expired { startedAt = .now() }
        context.fireChannelRead(data)
    }

    /// The decoder has seen every byte read so far: a request still incomplete gets its timer.
    func channelReadComplete(context: ChannelHandlerContext) {
        if let startedAt, deadline == nil, !expired { schedule(at: startedAt + timeout, context) }
        context.fireChannelReadComplete()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard !expired else {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        context.write(data, promise: promise)
    }

    func channelInactive(context: ChannelHandlerContext) {
        stop()
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            inputClosed = true
            if eventStream {
                context.close(promise: nil)
                return
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stop()
        self.context = nil
    }

    /// The decoder has a request head: a request the bytes of which came with the previous
    /// request's end starts its clock here.
    func requestHeadRead() {
        responding = false
        eventStream = false
        guard startedAt == nil, !expired, let context else { return }
        let now = NIODeadline.now()
        startedAt = now
        schedule(at: now + timeout, context)
    }

    /// The decoder has read the request's end: it arrived in time.
    func requestEndRead() {
        stop()
    }

    /// The response has started: a 408 can no longer be sent. An event stream to a client that
    /// has closed its end already is closed.
    func responseStarted(eventStream: Bool) {
        responding = true
        self.eventStream = eventStream
        if eventStream, inputClosed, let context { context.close(promise: nil) }
    }

    private func schedule(at instant: NIODeadline, _ context: ChannelHandlerContext) {
        deadline = context.eventLoop.assumeIsolated().scheduleTask(deadline: instant) { [self] in
            expire(context)
        }
    }

    private func stop() {
        startedAt = nil
        deadline?.cancel()
        deadline = nil
    }

    private func expire(_ context: ChannelHandlerContext) {
        deadline = nil
        guard startedAt != nil, !expired else { return }
        expired = true
        guard !responding else {
            context.close(promise: nil)
            return
        }
        // Below the HTTP encoder, so written as bytes; the decoder may be mid-request.
        var answer = ByteBuffer()
        let body = APIError.requestTimeout("the request did not arrive whole within the server's request deadline").bodyBytes
        answer.writeString(
            "HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\ncontent-length: \(body.readableBytes)\r\nconnection: close\r\n\r\n")
        answer.writeImmutableBuffer(body)
        context.writeAndFlush(wrapOutboundOut(.byteBuffer(answer))).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }
}

/// Sits behind the HTTP decoder and tells the connection's ``RequestDeadlineHandler`` where each
/// request starts and ends and when its response starts.
final class RequestProgressHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private var deadline: RequestDeadlineHandler?

    func handlerAdded(context: ChannelHandlerContext) {
        deadline = try? context.pipeline.syncOperations.handler(type: RequestDeadlineHandler.self)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            deadline?.requestHeadRead()
        case .body:
            break
        case .end:
            deadline?.requestEndRead()
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .head(let head) = unwrapOutboundIn(data) {
            deadline?.responseStarted(eventStream: head.headerFields[.contentType] == "text/event-stream")
        }
        context.write(data, promise: promise)
    }
}
