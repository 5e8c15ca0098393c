import Foundation
import Logging
import ServerTestSupport
import TestSupport
import Testing

@testable import Clutch

/// Device mode against the real server: a client key, the client stream, a switch of person,
/// and a cold start from the answers on disk while the server is down.
@Suite("Device mode against the server")
struct DeviceServerTests {
    /// In the `beta` cohort: `new-checkout` is on by a rule.
    private let acme = EvaluationContext(targetingKey: "user-1", customerId: "acme")
    /// Outside it: `new-checkout` is decided by the 25 % rollout.
    private let initech = EvaluationContext(targetingKey: "user-9", customerId: "initech")

    private func client(_ server: TestServer, key: String, context: EvaluationContext, cache: URL? = nil) throws -> ClutchClient {
        ClutchClient(configuration: Fixtures.configuration(server: try server.url, sdkKey: key, cacheDirectory: cache, mode: .device(context)))
    }

    @Test("device mode gets one person's answers over the client stream, and a kill arrives as the one flag that changed")
    func valuesAndChange() async throws {
        try await TestServer.with { server in
            try await server.seedFixtures()
            let key = try await server.createKey(kind: "client").key
            #expect(key.hasPrefix("clutch_client_"))
            let client = try client(server, key: key, context: acme)
            try await client.waitUntilReady(timeout: .seconds(10))
            #expect(client.status == .ready)
            let details = client.boolDetails("new-checkout", default: false)
            #expect(details.value == true)
            #expect(details.variant == "on")
            #expect(details.reason == .targetingMatch)
            #expect(client.string("banner", default: "") == "hello")
            #expect(client.integer("limit", default: 0) == 100)
            #expect(client.double("ratio", default: 0) == 0.5)
            #expect(client.object("config", default: [:]) == ["retries": 3, "mode": "fast"])
            #expect(client.stringDetails("new-checkout", default: "x").errorCode == .typeMismatch)
            #expect(client.boolDetails("missing", default: false).errorCode == .flagNotFound)
            // Answers only: never the rules or the cohort's members.
            #expect(client.core.source.withLock { $0 }?.snapshot == nil)

            var changes = client.changes.makeAsyncIterator()
            try await server.mustSend("POST", "/api/v1/flags/new-checkout/kill")
            #expect(await changes.next() == ["new-checkout"])
            #expect(client.boolDetails("new-checkout", default: true).reason == .disabled)
            #expect(client.bool("new-checkout", default: true) == false)
            #expect(client.string("banner", default: "") == "hello")
            await client.close()
        }
    }

    @Test("setContext reopens the stream for the new person and switches to the server's answers for them")
    func switchPerson() async throws {
        try await TestServer.with { server in
            try await server.seedFixtures()
            let client = try client(server, key: try await server.createKey(kind: "client").key, context: acme)
            try await client.waitUntilReady(timeout: .seconds(10))
            #expect(client.boolDetails("new-checkout", default: false).reason == .targetingMatch)
            var changes = client.changes.makeAsyncIterator()
            try await client.setContext(initech, timeout: .seconds(10))
            #expect(client.boolDetails("new-checkout", default: false).reason == .split)
            #expect(await changes.next()?.contains("new-checkout") == true)
            // Changes now follow the new person.
            try await server.mustSend("POST", "/api/v1/flags/new-checkout/kill")
            #expect(try await eventually { client.boolDetails("new-checkout", default: true).reason == .disabled })
            await client.close()
        }
    }

    @Test("while the server refuses the client stream (429), the client polls OFREP bulk evaluation with If-None-Match: 304s keep it READY and a change arrives by polling")
    func pollingWhileRefused() async throws {
        try await TestServer.with(configure: { $0.limits.maxClientStreamsPerAddress = 0 }) { server in
            try await server.seedFixtures()
            let client = try client(server, key: try await server.createKey(kind: "client").key, context: acme)
            try await client.waitUntilReady(timeout: .seconds(10))
            #expect(client.boolDetails("new-checkout", default: false).reason == .targetingMatch)
            // The server's own count: the stream refused, then polls answered 304 (the ETag was sent).
            func served(_ route: String, _ status: Int) async throws -> Bool {
                try await server.metrics().text.split(separator: "\n").contains {
                    $0.hasPrefix("clutch_http_requests_total") && $0.contains(route) && $0.contains("status=\"\(status)\"")
                }
            }
            #expect(try await eventually { try await served("/sdk/v1/client/stream", 429) })
            #expect(try await eventually { try await served("/ofrep/v1/evaluate/flags", 304) })
            #expect(client.status == .ready)
            try await server.mustSend("POST", "/api/v1/flags/new-checkout/kill")
            #expect(try await eventually { client.boolDetails("new-checkout", default: true).reason == .disabled })
            await client.close()
        }
    }

    @Test("usage is counted once: the server counts the answers it pushed, the device reports the errors the app recorded only")
    func usageCountedOnce() async throws {
        try await TestServer.with { server in
            try await server.seedFixtures()
            let (logger, records) = RecordingLogHandler.logger()
            let client = ClutchClient(configuration: Fixtures.configuration(
                server: try server.url, sdkKey: try await server.createKey(kind: "client").key, mode: .device(acme),
                usageInterval: .seconds(60), logger: logger))
            try await client.waitUntilReady(timeout: .seconds(10))
            for _ in 0..<50 { #expect(client.string("banner", default: "") == "hello") }
            client.recordError(flag: "banner", count: 2)
            #expect(client.core.usage?.errors(flag: "banner", variant: "greeting") == 2)
            await client.close()  // sends the last report: the two errors, with count 0
            #expect(client.core.usage?.errors(flag: "banner", variant: "greeting") == 0)
            #expect(records.all.allSatisfy { !$0.contains("usage") }, "\(records.all)")
            await server.application.flushUsage()
            let flag = try await server.mustSend("GET", "/api/v1/flags/banner").json()
            // The one answer the stream pushed, not the 50 evaluations made of it.
            #expect(flag.at("usage.production.variants.greeting") == .integer(1), "\(flag.jsonText)")
        }
    }

    @Test("a cold start with the server down serves the person's last answers from disk as CACHED, then the server's once it is back")
    func coldStartWhileDown() async throws {
        let cache = try TemporaryDirectory()
        defer { cache.remove() }
        let server = try await TestServer.start()
        do {
            try await server.seedFixtures()
            let key = try await server.createKey(kind: "client").key
            let first = try client(server, key: key, context: acme, cache: cache.url)
            try await first.waitUntilReady(timeout: .seconds(10))
            #expect(first.string("banner", default: "") == "hello")
            await first.close()  // writes the answers still pending
            try await server.stop(remove: false)

            let restarted = try client(server, key: key, context: acme, cache: cache.url)
            try await restarted.waitUntilReady(timeout: .seconds(1))
            let details = restarted.boolDetails("new-checkout", default: false)
            #expect(details.value == true)
            #expect(details.variant == "on")
            #expect(details.reason == .cached)
            #expect(restarted.string("banner", default: "") == "hello")
            #expect(restarted.status == .stale)
            // Another person on the same device has nothing on disk: the defaults.
            #expect(try client(server, key: key, context: initech, cache: cache.url).boolDetails("new-checkout", default: false).errorCode == .providerNotReady)

            try await server.restart()
            #expect(try await eventually { restarted.boolDetails("new-checkout", default: false).reason == .targetingMatch })
            #expect(try await eventually { restarted.status == .ready })
            await restarted.close()
        } catch {
            try? await server.stop()
            throw error
        }
        try await server.stop()
    }
}
