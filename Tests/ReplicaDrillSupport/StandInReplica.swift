import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
import TestSupport

/// A stand-in for a replica behind the proxy, to rehearse what HAProxy does when a replica is
/// killed in the middle of a request, at the one instant that matters (a real `kill -9` lands
/// there only now and then). It answers its health checks (`/readyz`, `/healthz`) with 200; any
/// other request it reads whole and then either answers 200 or, with `dies`, closes the
/// connection without a byte of answer — what the proxy sees of a replica killed while it works
/// on a request. It records every such request (`METHOD /path`) it received.
public final class StandInReplica: Sendable {
    public let port: Int
    private let channel: any Channel
    private let log: RequestLog

    public init(dies: Bool) async throws {
        let log = RequestLog()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Handler(dies: dies, log: log))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        guard let port = channel.localAddress?.port else { throw TestFailure("the stand-in replica has no port") }
        self.port = port
        self.channel = channel
        self.log = log
    }

    /// The requests received besides health checks, in order (`POST /api/v1/flags`).
    public var requests: [String] { log.entries }

    public func stop() async { try? await channel.close() }

    final class RequestLog: Sendable {
        private let mutex = Mutex<[String]>([])
        var entries: [String] { mutex.withLock { $0 } }
        func append(_ entry: String) { mutex.withLock { $0.append(entry) } }
    }

    final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        private let dies: Bool
        private let log: RequestLog
        private var head: HTTPRequestHead?

        init(dies: Bool, log: RequestLog) {
            self.dies = dies
            self.log = log
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head): self.head = head
            case .body: break
            case .end:
                guard let head else { return }
                let path = String(head.uri.prefix { $0 != "?" })
                let healthCheck = path == "/readyz" || path == "/healthz"
                if !healthCheck { log.append("\(head.method.rawValue) \(path)") }
                if dies && !healthCheck {
                    context.close(promise: nil)
                    return
                }
                var headers = HTTPHeaders()
                headers.add(name: "Content-Length", value: "2")
                headers.add(name: "Connection", value: "close")
                context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .ok, headers: headers))), promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: "{}")))), promise: nil)
                let channel = context.channel
                context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
            }
        }
    }
}
