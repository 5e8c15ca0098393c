import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import TestSupport
import Testing

@testable import Clutch

/// A scripted Clutch server for what the real one does not do on demand: go silent, refuse
/// streams, answer 304. It records what the client sent.
private final class ScriptedServer: Sendable {
    struct Seen: Sendable {
        var path: String
        var lastEventID: String?
        var ifNoneMatch: String?
    }

    enum StreamBehaviour: Sendable {
        /// Sends the snapshot as event `id` and then nothing at all (no heartbeats).
        case snapshotThenSilence(id: String)
        /// Refuses with 503.
        case unavailable
    }

    let snapshot: Snapshot
    let stream: StreamBehaviour
    private let seen = Locked<[Seen]>([])
    private let stopped = Locked(false)

    init(snapshot: Snapshot, stream: StreamBehaviour) {
        self.snapshot = snapshot
        self.stream = stream
    }

    var requests: [Seen] { seen.withLock { $0 } }
    func requests(to path: String) -> [Seen] { requests.filter { $0.path == path } }
    /// Lets silent streams end so the server can shut down.
    func stop() { stopped.withLock { $0 = true } }

    private func header(_ request: Request, _ name: String) -> String? {
        request.headers.first { $0.name.canonicalName == name }?.value
    }

    func application() -> some ApplicationProtocol {
        let router = Router()
        router.get("sdk/v1/stream") { request, _ -> Response in
            self.seen.withLock { $0.append(Seen(path: "stream", lastEventID: self.header(request, "last-event-id"))) }
            switch self.stream {
            case .unavailable:
                return Response(status: .serviceUnavailable)
            case .snapshotThenSilence(let id):
                let json = String(decoding: try ClutchJSON.encode(self.snapshot), as: UTF8.self)
                let body = ResponseBody { writer in
                    try await writer.write(ByteBuffer(string: "event: snapshot\nid: \(id)\ndata: \(json)\n\n"))
                    while !self.stopped.withLock({ $0 }) {
                        try await Task.sleep(for: .milliseconds(50))
                    }
                    try await writer.finish(nil)
                }
                return Response(status: .ok, headers: [.contentType: "text/event-stream"], body: body)
            }
        }
        router.get("sdk/v1/flags") { request, _ -> Response in
            let ifNoneMatch = self.header(request, "if-none-match")
            self.seen.withLock { $0.append(Seen(path: "flags", ifNoneMatch: ifNoneMatch)) }
            let etag = self.snapshot.entityTag
            if ifNoneMatch == etag { return Response(status: .notModified, headers: [.eTag: etag]) }
            return Response(
                status: .ok, headers: [.contentType: "application/json", .eTag: etag],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: try ClutchJSON.encode(self.snapshot))))
        }
        var logger = Logger(label: "clutch.scripted-server")
        logger.logLevel = .error
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger)
    }
}

@Suite("Sync protocol")
struct SyncProtocolTests {
    @Test("a stream that goes silent past the heartbeat timeout is dropped and resumed with Last-Event-ID")
    func missedHeartbeat() async throws {
        let server = ScriptedServer(snapshot: Fixtures.snapshot(version: 7), stream: .snapshotThenSilence(id: "7"))
        try await server.application().test(.live) { http in
            let port = try #require(http.port)
            let url = try #require(URL(string: "http://127.0.0.1:\(port)"))
            let client = ClutchClient(configuration: Fixtures.configuration(server: url, heartbeatTimeout: .milliseconds(600)))
            try await client.waitUntilReady(timeout: .seconds(10))
            #expect(client.string("banner", default: "") == "hello")
            // No byte for longer than the timeout: the client must give up and reconnect.
            #expect(try await eventually { server.requests(to: "stream").count >= 2 })
            let streams = server.requests(to: "stream")
            #expect(streams.first?.lastEventID == nil)
            #expect(streams.dropFirst().first?.lastEventID == "7")
            // Values keep being served throughout.
            #expect(client.string("banner", default: "") == "hello")
            await client.close()
            server.stop()
        }
    }

    @Test("while the stream is refused, the client polls the snapshot with If-None-Match")
    func pollingWhileDisconnected() async throws {
        let server = ScriptedServer(snapshot: Fixtures.snapshot(version: 3), stream: .unavailable)
        try await server.application().test(.live) { http in
            let port = try #require(http.port)
            let url = try #require(URL(string: "http://127.0.0.1:\(port)"))
            let client = ClutchClient(configuration: Fixtures.configuration(server: url))
            try await client.waitUntilReady(timeout: .seconds(10))
            #expect(client.integer("limit", default: 0) == 100)
            #expect(client.status == .ready)
            #expect(try await eventually { server.requests(to: "flags").contains { $0.ifNoneMatch == "\"production-3\"" } })
            #expect(server.requests(to: "flags").first?.ifNoneMatch == nil)
            #expect(server.requests(to: "stream").count >= 2)  // and it keeps trying the stream
            #expect(client.status == .ready)  // a 304 confirms the flags are current
            await client.close()
        }
    }
}
