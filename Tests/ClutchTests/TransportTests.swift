import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import Clutch

/// The HTTP transport's bounds: a stalled answer and a silent stream end on time.
@Suite("SDK transport")
struct TransportTests {
    /// A server whose flags answer and stream send their head and a few bytes, then stall
    /// until `released` (so that the server can shut down at the end of the test).
    private func stallingServer(released: Locked<Bool>) -> some ApplicationProtocol {
        @Sendable func stall() async throws {
            while !released.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(50)) }
        }
        let router = Router()
        router.get("sdk/v1/flags") { _, _ -> Response in
            let body = ResponseBody { writer in
                try await writer.write(ByteBuffer(string: "{\"environment\":"))
                try await stall()
                try await writer.finish(nil)
            }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: body)
        }
        router.get("sdk/v1/stream") { _, _ -> Response in
            let body = ResponseBody { writer in
                try await writer.write(ByteBuffer(string: ": connected\n\n"))
                try await stall()
                try await writer.finish(nil)
            }
            return Response(status: .ok, headers: [.contentType: "text/event-stream"], body: body)
        }
        var logger = Logger(label: "clutch.stalling-server")
        logger.logLevel = .critical
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger)
    }

    private func api(_ port: Int?, requestTimeout: Duration = .seconds(2)) throws -> ServerAPI {
        let port = try #require(port)
        let url = try #require(URL(string: "http://127.0.0.1:\(port)"))
        var configuration = Fixtures.configuration(server: url)
        configuration.requestTimeout = requestTimeout
        return ServerAPI(configuration: configuration)
    }

    @Test("an answer that stalls mid-body fails after the request timeout")
    func stalledBody() async throws {
        let released = Locked(false)
        try await stallingServer(released: released).test(.live) { http in
            defer { released.withLock { $0 = true } }
            let api = try api(http.port, requestTimeout: .milliseconds(500))
            let start = ContinuousClock.now
            await #expect(throws: HTTPClientError.deadlineExceeded) { _ = try await api.snapshot(ifNoneMatch: nil) }
            #expect(ContinuousClock.now - start < .seconds(5))
            await api.shutdown()
        }
    }

    @Test("a stream that goes silent fails with missedHeartbeat after the heartbeat timeout")
    func silentStream() async throws {
        let released = Locked(false)
        try await stallingServer(released: released).test(.live) { http in
            defer { released.withLock { $0 = true } }
            let api = try api(http.port)
            let start = ContinuousClock.now
            await #expect(throws: ClutchError.missedHeartbeat) {
                try await EventStream.receive(heartbeatTimeout: .milliseconds(400)) { headTimeout in
                    try await api.stream(lastEventID: nil, headTimeout: headTimeout)
                } deliver: { _ in }
            }
            let elapsed = ContinuousClock.now - start
            #expect(elapsed >= .milliseconds(400) && elapsed < .seconds(5))
            await api.shutdown()
        }
    }
}
