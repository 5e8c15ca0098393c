import Hummingbird
import HummingbirdCore
import NIOCore
import NIOHTTPTypes

/// A client stream (`/sdk/v1/client/stream`) once its response head is written: served from the
/// connection's pipeline on its event loop, with no Swift task, response-body writer or queue
/// of its own (issue 28: an idle client stream costs its connection and this handler, not a
/// suspended task's frames).
///
/// The request goes through the router like any other (the key, the limits, the context, the
/// answers 4xx); the controller's response body then hands the channel to this handler
/// (``start(channel:stream:)``) and returns without ending the response. From then on:
/// - the stream's events are ``ClientValuesFormat``'s, evaluated on the event loop when its
///   ``ClientStreamHub`` hears of a change, and written below the HTTP encoder's users as body
///   parts;
/// - one write is in flight at a time: a change that comes while one is waiting is folded into
///   the next look at the registry once it is done, so a slow client costs one buffer, and a
///   write that waits longer than the stall timeout closes the stream (``ClientStreamHub/sweep``);
/// - the client's going (the channel going inactive) releases the stream's place at once;
/// - a graceful shutdown (the server's quiesce event) ends the response and closes the
///   connection; a client that does not read is closed a second later;
/// - further requests on the connection are dropped, and Hummingbird's connection task ends at
///   once (``detach(from:)``): its half-close of the output and its close of the connection are
///   answered without closing anything, and the handler asks the socket for reads itself (the
///   request loop's handler above it, whose reader is gone, holds them back), so the client's
///   close is still seen.
final class ClientStreamHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// What one stream is: its events, its place in the budget, whose it is.
    struct Stream: Sendable {
        var format: ClientValuesFormat
        let slot: StreamSlot
        let keyID: String
        let environment: String
        let registry: EngineRegistry
        let metrics: ServerMetrics
        let clock: any ServerClock
    }

    private var stream: Stream
    private let hub: ClientStreamHub
    /// The stream's number in its hub (and its heartbeat group).
    let id: Int
    private var context: ChannelHandlerContext?
    /// When the write in flight began (server clock); `nil` when none is.
    private var writeStarted: ContinuousClock.Instant?
    /// A change came while a write was in flight: look again once it is done.
    private var behind = false
    private var released = false
    private var ending = false
    /// The connection's task is ending (``detach(from:)``): its close of the connection is answered
    /// without closing, once.
    private var detaching = false
    /// The connection's task has been let go (``detach(from:)``): this handler asks for reads.
    private var detached = false

    var keyID: String { stream.keyID }
    var environment: String { stream.environment }

    private init(stream: Stream, hub: ClientStreamHub, id: Int) {
        self.stream = stream
        self.hub = hub
        self.id = id
    }

    /// How long a graceful shutdown waits for a stream's last write before closing it.
    static let drainTime: TimeAmount = .seconds(1)

    /// Hands `channel` (its response head written) to a new handler, which sends the context's
    /// values and then its changes. Run on the channel's event loop.
    static func start(channel: any Channel, stream: Stream) throws {
        channel.eventLoop.preconditionInEventLoop()
        guard channel.isActive else {
            stream.slot.release()
            return
        }
        let hub = stream.registry.clientStreamHub(on: channel.eventLoop)
        let handler = ClientStreamHandler(stream: stream, hub: hub, id: hub.nextID())
        do {
            // Below Hummingbird's connection state and async handlers: it sees the quiesce event
            // and their half-close before they do, and the request parts that follow.
            let operations = channel.pipeline.syncOperations
            let state = try operations.handler(type: HTTPConnectionStateHandler.self)
            try operations.addHandler(handler, position: .before(state))
        } catch {
            stream.slot.release()
            throw error
        }
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        hub.add(self)
        stream.registry.clientStreamOpened(environment: stream.environment)
        ServerServices.updateStreamGauge(metrics: stream.metrics, registry: stream.registry)
        let first = stream.format.first([])
        guard let values = first.first else {
            // The environment is gone: nothing to follow.
            end()
            return
        }
        send(values)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        release()
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        release()
        context.fireChannelInactive()
    }

    /// Request parts after the stream's own: the connection is the stream's.
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}

    /// Reads on: nothing above this handler asks for them once the connection's task has ended,
    /// and a read is how the client's close (end of input) is seen.
    func channelReadComplete(context: ChannelHandlerContext) {
        context.fireChannelReadComplete()
        if detached { context.read() }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ChannelShouldQuiesceEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        end()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        switch mode {
        case .output where !ending:
            // Hummingbird finishing its side of the connection after the request: the stream goes on.
            promise?.succeed(())
        case .all where detaching && !ending:
            // The connection's task ending (``detach(from:)``): the stream goes on without it.
            detaching = false
            promise?.succeed(())
        default:
            context.close(mode: mode, promise: promise)
        }
    }

    /// Lets the connection's task end while the stream goes on: the next close of the whole
    /// connection from above (the request loop's teardown) is answered without closing, and reads
    /// are asked for from here on. `false` when `channel` serves no stream (the request was
    /// answered otherwise) or its stream is over. Run on the channel's event loop.
    static func detach(from channel: any Channel) -> Bool {
        channel.eventLoop.preconditionInEventLoop()
        guard let handler = try? channel.pipeline.syncOperations.handler(type: ClientStreamHandler.self),
            let context = handler.context, !handler.released, !handler.ending, !handler.detached
        else { return false }
        handler.detaching = true
        handler.detached = true
        context.read()
        return true
    }

    /// The registry has a new version of the stream's environment: what changed for this context.
    func changed() {
        guard !released, !ending else { return }
        guard writeStarted == nil else {
            behind = true
            return
        }
        if let event = stream.format.next(ByteBuffer()) { send(event) }
    }

    /// One look of ``StreamHeartbeat``: a write waiting past `stallTimeout` closes the stream,
    /// otherwise `beat` sends a heartbeat (with whatever changed, if anything).
    func sweep(beat: Bool, stallTimeout: Duration) {
        guard !released, !ending else { return }
        if let writeStarted {
            if writeStarted.duration(to: stream.clock.instant()) > stallTimeout { context?.close(promise: nil) }
            return
        }
        guard beat, let event = stream.format.next(StreamEvent.heartbeat) else { return }
        send(event)
    }

    /// Closes the connection (its key was revoked).
    func close() {
        context?.close(promise: nil)
    }

    private func send(_ buffer: ByteBuffer) {
        guard let context else { return }
        writeStarted = stream.clock.instant()
        context.writeAndFlush(wrapOutboundOut(.body(buffer))).assumeIsolated().whenComplete { [self] result in
            writeStarted = nil
            switch result {
            case .success:
                if behind {
                    behind = false
                    changed()
                }
            case .failure:
                self.context?.close(promise: nil)
            }
        }
    }

    /// Ends the response and closes the connection once that is written, or after
    /// ``drainTime`` when the client does not read.
    private func end() {
        guard !ending, let context else { return }
        ending = true
        let closing = context.eventLoop.assumeIsolated().scheduleTask(in: Self.drainTime) { context.close(promise: nil) }
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
            closing.cancel()
            context.close(promise: nil)
        }
    }

    /// Gives the stream's place back, once.
    private func release() {
        guard !released else { return }
        released = true
        hub.remove(self)
        stream.slot.release()
        stream.registry.clientStreamClosed(environment: stream.environment)
        ServerServices.updateStreamGauge(metrics: stream.metrics, registry: stream.registry)
    }
}

/// The client streams of one event loop (``ClientStreamHandler``): the registry tells each hub
/// of a change once, and the hub tells its streams, on its loop, a batch at a time so that other
/// connections' work is not held up by a long list.
///
/// Its state is only touched on `eventLoop`.
final class ClientStreamHub: @unchecked Sendable {
    let eventLoop: any EventLoop
    private var streams: [String: [Int: ClientStreamHandler]] = [:]
    private var lastID = 0

    /// Streams told of a change between two turns of the event loop.
    static let batch = 256

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func nextID() -> Int {
        eventLoop.preconditionInEventLoop()
        lastID &+= 1
        return lastID
    }

    func add(_ handler: ClientStreamHandler) {
        eventLoop.preconditionInEventLoop()
        streams[handler.environment, default: [:]][handler.id] = handler
    }

    func remove(_ handler: ClientStreamHandler) {
        eventLoop.preconditionInEventLoop()
        streams[handler.environment]?.removeValue(forKey: handler.id)
        if streams[handler.environment]?.isEmpty == true { streams[handler.environment] = nil }
    }

    /// `environment` has a new version: its streams look at what changed for them.
    func changed(environment: String) {
        eventLoop.execute { [self] in
            guard let handlers = streams[environment] else { return }
            tell(Array(handlers.values)[...]) { $0.changed() }
        }
    }

    /// One step of ``StreamHeartbeat`` for this loop's streams of group `slice`.
    func sweep(slice: Int, of slices: Int, beat: Bool, stallTimeout: Duration) {
        eventLoop.execute { [self] in
            let group = streams.values.flatMap { handlers in handlers.values.filter { $0.id % slices == slice } }
            tell(group[...]) { $0.sweep(beat: beat, stallTimeout: stallTimeout) }
        }
    }

    /// Closes the streams opened with `keyID`.
    func close(keyID: String) {
        eventLoop.execute { [self] in
            for handler in streams.values.flatMap(\.values) where handler.keyID == keyID { handler.close() }
        }
    }

    /// `action` for each handler, ``batch`` of them per turn of the event loop.
    private func tell(_ handlers: ArraySlice<ClientStreamHandler>, _ action: @escaping (ClientStreamHandler) -> Void) {
        for handler in handlers.prefix(Self.batch) { action(handler) }
        let rest = handlers.dropFirst(Self.batch)
        guard !rest.isEmpty else { return }
        eventLoop.assumeIsolated().execute { [self] in tell(rest, action) }
    }
}
