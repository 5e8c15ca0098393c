import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import TestSupport
import Testing

@testable import Clutch

/// A scripted client-stream server for what the real one does not do on demand: refuse the
/// stream while OFREP answers, push a change when told. It records what the client sent.
private final class ScriptedDeviceServer: Sendable {
    struct Seen: Sendable {
        var path: String
        var targetingKey: String?
        var ifNoneMatch: String?
    }

    enum StreamBehaviour: Sendable {
        /// Sends `values` for the context, then each pushed `changed` event, until stopped.
        case push
        /// Refuses with 429 and `Retry-After: 1`.
        case busy
    }

    let stream: StreamBehaviour
    private let seen = Locked<[Seen]>([])
    private let pushed = Locked<[String]>([])
    private let stopped = Locked(false)
    /// One per open stream: woken by a push or the stop, so a stream waits for those, not a timer.
    private let wakers = Locked<[AsyncStream<Void>.Continuation]>([])
    /// The `banner` answer OFREP serves; changing it changes the ETag.
    let banner = Locked("hello")

    init(stream: StreamBehaviour) {
        self.stream = stream
    }

    func requests(to path: String) -> [Seen] { seen.withLock { $0 }.filter { $0.path == path } }
    func push(_ data: String) {
        pushed.withLock { $0.append(data) }
        for waker in wakers.withLock({ $0 }) { waker.yield() }
    }

    func stop() {
        stopped.withLock { $0 = true }
        for waker in wakers.withLock({ $0 }) { waker.finish() }
    }

    /// Wakes for each push until stopped (at once when stopped already).
    private func wakes() -> AsyncStream<Void> {
        let (wakes, waker) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        wakers.withLock { $0.append(waker) }
        // After registering: a stop that read the wakers before this one was added is seen here.
        if stopped.withLock({ $0 }) { waker.finish() }
        return wakes
    }

    private func targetingKey(_ request: Request) async throws -> String? {
        let body = try await request.body.collect(upTo: 1 << 20)
        let json = try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any]
        return (json?["context"] as? [String: Any])?["targetingKey"] as? String
    }

    private func answers(_ banner: String, for person: String?) -> String {
        #"{"flags":[{"key":"banner","value":"\#(banner) \#(person ?? "")","reason":"TARGETING_MATCH","variant":"greeting"},{"key":"limit","value":100,"reason":"STATIC","variant":"high"}]}"#
    }

    func application() -> some ApplicationProtocol {
        let router = Router()
        router.post("sdk/v1/client/stream") { request, _ -> Response in
            let person = try await self.targetingKey(request)
            self.seen.withLock { $0.append(Seen(path: "stream", targetingKey: person)) }
            switch self.stream {
            case .busy:
                return Response(status: .tooManyRequests, headers: [.retryAfter: "1"])
            case .push:
                let values = self.answers(self.banner.withLock { $0 }, for: person)
                let body = ResponseBody { writer in
                    try await writer.write(ByteBuffer(string: "event: values\nid: 1\ndata: \(values)\n\n"))
                    var sent = 0
                    var wakes = self.wakes().makeAsyncIterator()
                    // Pushes made before this stream opened are sent at once, then each as it comes.
                    repeat {
                        let next = self.pushed.withLock { Array($0.dropFirst(sent)) }
                        for data in next { try await writer.write(ByteBuffer(string: "event: changed\nid: 2\ndata: \(data)\n\n")) }
                        sent += next.count
                        try await writer.write(ByteBuffer(string: ": ping\n\n"))
                    } while await wakes.next() != nil
                    try await writer.finish(nil)
                }
                return Response(status: .ok, headers: [.contentType: "text/event-stream"], body: body)
            }
        }
        router.post("ofrep/v1/evaluate/flags") { request, _ -> Response in
            let ifNoneMatch = request.headers.first { $0.name.canonicalName == "if-none-match" }?.value
            let person = try await self.targetingKey(request)
            self.seen.withLock { $0.append(Seen(path: "ofrep", targetingKey: person, ifNoneMatch: ifNoneMatch)) }
            let banner = self.banner.withLock { $0 }
            let etag = "\"\(banner)-\(person ?? "")\""
            if ifNoneMatch == etag { return Response(status: .notModified, headers: [.eTag: etag]) }
            return Response(
                status: .ok, headers: [.contentType: "application/json", .eTag: etag],
                body: ResponseBody(byteBuffer: ByteBuffer(string: self.answers(banner, for: person))))
        }
        var logger = Logger(label: "clutch.scripted-device-server")
        logger.logLevel = .error
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger)
    }
}

@Suite("Device protocol")
struct DeviceProtocolTests {
    private func configuration(_ port: Int?, cache: URL? = nil) throws -> ClutchConfiguration {
        let port = try #require(port)
        let url = try #require(URL(string: "http://127.0.0.1:\(port)"))
        return Fixtures.configuration(
            server: url, sdkKey: DeviceModeTests.clientKey, cacheDirectory: cache, mode: .device(EvaluationContext(targetingKey: "ann")))
    }

    /// Runs `body` with a pushing scripted server and a device client for `ann` that has her answers.
    private func withPushingServer(_ body: @escaping @Sendable (ScriptedDeviceServer, ClutchClient) async throws -> Void) async throws {
        let server = ScriptedDeviceServer(stream: .push)
        try await server.application().test(.live) { http in
            defer { server.stop() }
            let client = ClutchClient(configuration: try configuration(http.port))
            try await client.waitUntilReady(timeout: .seconds(10))
            #expect(client.string("banner", default: "") == "hello ann")
            try await body(server, client)
            await client.close()
        }
    }

    @Test("values arrive over the client stream, a changed event updates only its flags, removed flags are gone")
    func pushedChanges() async throws {
        try await withPushingServer { server, client in
            #expect(client.status == .ready)
            var changes = client.changes.makeAsyncIterator()
            server.push(#"{"flags":[{"key":"limit","value":10,"reason":"DISABLED","variant":"low"}],"removed":["banner"]}"#)
            #expect(await changes.next() == ["limit", "banner"])
            #expect(client.integerDetails("limit", default: 0).value == 10)
            #expect(client.integerDetails("limit", default: 0).reason == .disabled)
            #expect(client.stringDetails("banner", default: "").errorCode == .flagNotFound)
            #expect(server.requests(to: "ofrep").isEmpty)  // the stream alone carried it
        }
    }

    @Test("setContext reopens the stream with the new context and switches the answers when they arrive")
    func switchReopensTheStream() async throws {
        try await withPushingServer { server, client in
            try await client.setContext(EvaluationContext(targetingKey: "bob"), timeout: .seconds(10))
            #expect(client.string("banner", default: "") == "hello bob")
            #expect(server.requests(to: "stream").map(\.targetingKey) == ["ann", "bob"])
        }
    }

    @Test("while the stream is refused (429), the client polls OFREP bulk evaluation with If-None-Match and keeps its answers on disk")
    func pollingWhileRefused() async throws {
        let server = ScriptedDeviceServer(stream: .busy)
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try await server.application().test(.live) { http in
            let client = ClutchClient(configuration: try configuration(http.port, cache: directory.url))
            try await client.waitUntilReady(timeout: .seconds(10))
            #expect(client.string("banner", default: "") == "hello ann")
            #expect(try await eventually { server.requests(to: "ofrep").contains { $0.ifNoneMatch == "\"hello-ann\"" } })
            #expect(server.requests(to: "ofrep").first?.ifNoneMatch == nil)
            #expect(client.status == .ready)  // a 304 confirms the answers are current
            server.banner.withLock { $0 = "changed" }
            #expect(try await eventually { client.string("banner", default: "") == "changed ann" })
            await client.close()
            // Closing writes what is pending: the next start has the last answers, and their ETag.
            let cache = AnswerCache(directory: directory.url, serverURL: try configuration(http.port).serverURL, key: DeviceModeTests.clientKey, logger: Logger(label: "t"))
            let stored = try #require(cache.load(targetingKey: "ann"))
            #expect(stored.etag == "\"changed-ann\"")
            #expect(stored.answers.flags.first { $0.key == "banner" }?.value == .string("changed ann"))
        }
    }
}
