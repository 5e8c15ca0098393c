import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HTTPTestSupport
import ServerTestSupport
import TestSupport
import Testing

/// The tests' HTTP calls survive their task being cancelled while the server goes away.
///
/// With FoundationNetworking's own `data(for:)` this scenario deadlocked the test process within
/// a few rounds in each of 6 tries (two threads, each waiting for the other's lock; see
/// `URLSession.uncancelledData(for:)`). A regression shows here as a hang, which the stall
/// watchdog turns into a failed run.
@Suite("cancelled requests")
struct CancelledRequestTests {
    @Test(.timeLimit(.minutes(2)))
    func cancellingRequestsAsTheServerStopsNeverHangs() async throws {
        _ = StallWatchdog.shared
        var answered = 0
        for _ in 0..<20 {
            let server = try await TestServer.start()
            let session = server.session
            guard let url = URL(string: "http://127.0.0.1:\(server.port)/api/v1/flags") else { throw TestFailure("bad URL") }
            let request = {
                var request = URLRequest(url: url)
                TestServer.authorize(&request, .admin)
                return request
            }()
            let clients = (0..<6).map { _ in
                Task {
                    var count = 0
                    while !Task.isCancelled, (try? await session.uncancelledData(for: request)) != nil {
                        count += 1
                    }
                    return count
                }
            }
            try await Task.sleep(for: .milliseconds(150))
            // The server stops while the clients are cancelled: transfers end as their tasks are cancelled.
            async let stopped: Void = server.running.stop()
            for client in clients { client.cancel() }
            for client in clients { answered += await client.value }
            try await stopped
            try server.application.close()
            try? FileManager.default.removeItem(at: server.directory)
        }
        #expect(answered >= 20)
    }
}
