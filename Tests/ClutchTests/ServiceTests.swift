import AsyncHTTPClient
import Foundation
import Logging
import ServerTestSupport
import ServiceLifecycle
import TestSupport
import Testing

@testable import Clutch

/// The client as a swift-service-lifecycle `Service`, as a Hummingbird app runs it.
@Suite("SDK as a service")
struct ServiceTests {
    private let acme = EvaluationContext(targetingKey: "user-1", customerId: "acme")

    private func seed(_ server: TestServer) async throws -> String {
        try await server.createFlag(#"{"key": "new-checkout", "environments": {"production": {"enabled": true, "rules": [{"clauses": [{"attribute": "customerId", "operator": "in", "values": ["acme"]}], "serve": {"variant": "on"}}], "default": {"variant": "off"}}}}"#)
        return try await server.createKey().key
    }

    /// Runs `group` in a task; the flag tells when `run()` returned.
    private func start(_ group: ServiceGroup) -> (Task<Void, any Error>, Locked<Bool>) {
        let ended = Locked(false)
        let task = Task {
            defer { ended.withLock { $0 = true } }
            try await group.run()
        }
        return (task, ended)
    }

    @Test("runs in a ServiceGroup with the stream open and returns promptly on graceful shutdown")
    func gracefulShutdown() async throws {
        try await TestServer.with { server in
            let key = try await seed(server)
            let client = ClutchClient(
                configuration: Fixtures.configuration(server: try server.url, sdkKey: key, heartbeatTimeout: .seconds(30)),
                start: .onRun)
            // Nothing syncs before the group runs the client.
            #expect(client.status == .notReady)
            let group = ServiceGroup(services: [client], logger: Logger(label: "sdk-tests.group"))
            let (running, ended) = start(group)
            try await client.waitUntilReady(timeout: .seconds(10))
            #expect(client.bool("new-checkout", default: false, context: acme))
            var changes = client.changes.makeAsyncIterator()

            await group.triggerGracefulShutdown()
            // The open stream and the loops end; `run()` closes the client and returns.
            #expect(try await eventually(timeout: .seconds(5)) { ended.withLock { $0 } })
            try await running.value
            #expect(client.core.api.hasShutDown)
            #expect(await changes.next() == nil)
            // Closed, the client keeps serving its last flags.
            #expect(client.bool("new-checkout", default: false, context: acme))
        }
    }

    @Test("close() ends a running run(); run() after close() returns at once")
    func closeEndsRun() async throws {
        try await TestServer.with { server in
            let key = try await seed(server)
            let client = ClutchClient(configuration: Fixtures.configuration(server: try server.url, sdkKey: key), start: .onRun)
            let ended = Locked(false)
            let running = Task {
                await client.run()
                ended.withLock { $0 = true }
            }
            try await client.waitUntilReady(timeout: .seconds(10))
            await client.close()
            #expect(try await eventually(timeout: .seconds(5)) { ended.withLock { $0 } })
            await running.value
            await client.run()
            #expect(client.core.api.hasShutDown)
        }
    }

    @Test("a client started on init joins a ServiceGroup and closes on its graceful shutdown")
    func startedOnInit() async throws {
        try await TestServer.with { server in
            let key = try await seed(server)
            let client = ClutchClient(configuration: Fixtures.configuration(server: try server.url, sdkKey: key))
            try await client.waitUntilReady(timeout: .seconds(10))
            let group = ServiceGroup(services: [client], logger: Logger(label: "sdk-tests.group"))
            let (running, ended) = start(group)
            await group.triggerGracefulShutdown()
            #expect(try await eventually(timeout: .seconds(5)) { ended.withLock { $0 } })
            try await running.value
            #expect(client.core.api.hasShutDown)
        }
    }

    @Test("an application's own HTTP client is used and left running")
    func sharedHTTPClient() async throws {
        let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        do {
            try await TestServer.with { server in
                let key = try await seed(server)
                var configuration = Fixtures.configuration(server: try server.url, sdkKey: key)
                configuration.httpClient = http
                let client = ClutchClient(configuration: configuration)
                try await client.waitUntilReady(timeout: .seconds(10))
                #expect(client.bool("new-checkout", default: false, context: acme))
                await client.close()
                #expect(client.core.api.hasShutDown == false)
                // Still usable by the application.
                let response = try await http.execute(HTTPClientRequest(url: try server.url.appendingPathComponent("healthz").absoluteString), timeout: .seconds(5))
                #expect(response.status == .ok)
            }
        } catch {
            try await http.shutdown()
            throw error
        }
        try await http.shutdown()
    }
}
