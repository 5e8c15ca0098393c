import ClutchStore
import Foundation
import Logging
import ServerTestSupport
import TestSupport
import Testing

@testable import Clutch

/// The SDK against the real server, in-process on an ephemeral port with a temporary database.
@Suite("SDK against the server")
struct ClientServerTests {
    private func seed(_ server: TestServer) async throws {
        try await server.seedFixtures()
    }

    private func client(
        _ server: TestServer, key: String, cache: TemporaryDirectory? = nil, bootstrap: Snapshot? = nil,
        mode: ClutchConfiguration.Mode = .local, usageInterval: Duration = .zero, logger: Logger = Logger(label: "sdk-tests")
    ) throws -> ClutchClient {
        ClutchClient(configuration: Fixtures.configuration(
            server: try server.url, sdkKey: key, cacheDirectory: cache?.url, bootstrap: bootstrap, mode: mode,
            usageInterval: usageInterval, logger: logger))
    }

    private let acme = EvaluationContext(targetingKey: "user-1", customerId: "acme")

    @Test("becomes ready and evaluates with the server's flags")
    func readyAndEvaluate() async throws {
        try await TestServer.with { server in
            try await seed(server)
            let client = try client(server, key: try await server.createKey().key)
            try await client.waitUntilReady(timeout: .seconds(10))
            #expect(client.status == .ready)
            let details = client.boolDetails("new-checkout", default: false, context: acme)
            #expect(details.value == true)
            #expect(details.reason == .targetingMatch)
            #expect(details.flagMetadata["environment"] == "production")
            #expect(client.string("banner", default: "") == "hello")
            #expect(client.integer("limit", default: 0) == 100)
            #expect(client.double("ratio", default: 0) == 0.5)
            #expect(client.bool("dormant", default: true) == false)
            await client.close()
        }
    }

    @Test("a change made through the admin API is seen within one second")
    func adminChangeSeen() async throws {
        try await TestServer.with { server in
            try await seed(server)
            let client = try client(server, key: try await server.createKey().key)
            try await client.waitUntilReady(timeout: .seconds(10))
            var changes = client.changes.makeAsyncIterator()
            #expect(client.bool("new-checkout", default: false, context: acme))
            try await server.mustSend("POST", "/api/v1/flags/new-checkout/kill", body: #"{"environments": ["production"]}"#)
            let seen = try await eventually(timeout: .seconds(1)) {
                client.boolDetails("new-checkout", default: true, context: acme).reason == .disabled
            }
            #expect(seen)
            #expect(client.bool("new-checkout", default: true, context: acme) == false)
            #expect(await changes.next() == ["new-checkout"])
            await client.close()
        }
    }

    @Test("a membership change reaches the SDK as the members it changed")
    func membershipChangeSeen() async throws {
        try await TestServer.with { server in
            try await seed(server)
            let client = try client(server, key: try await server.createKey().key)
            try await client.waitUntilReady(timeout: .seconds(10))
            var changes = client.changes.makeAsyncIterator()
            let initech = EvaluationContext(targetingKey: "user-9", customerId: "initech")
            #expect(client.boolDetails("new-checkout", default: false, context: initech).reason != .targetingMatch)
            try await server.mustSend(
                "POST", "/api/v1/environments/production/cohorts/beta/members", body: #"{"add": ["initech"], "remove": ["acme"]}"#)
            #expect(await changes.next() == ["new-checkout"])
            #expect(client.boolDetails("new-checkout", default: false, context: initech).reason == .targetingMatch)
            #expect(client.boolDetails("new-checkout", default: false, context: acme).reason != .targetingMatch)
            let served = try await server.mustSend("GET", "/api/v1/environments/production/cohorts/beta")
            #expect(served["cohort.members"] == .array(["globex", "initech"]))
            await client.close()
        }
    }

    @Test("the server stopped: values keep being served; restarted: the client reconnects and catches up")
    func stopAndRestart() async throws {
        try await TestServer.with { server in
            try await seed(server)
            let client = try client(server, key: try await server.createKey().key)
            try await client.waitUntilReady(timeout: .seconds(10))
            #expect(client.bool("new-checkout", default: false, context: acme))

            try await server.stop(remove: false)
            #expect(try await eventually { client.status == .stale })
            #expect(client.bool("new-checkout", default: false, context: acme))
            #expect(client.string("banner", default: "") == "hello")

            // A change made while the client cannot see it, straight in the database.
            let store = try FlagStore(path: server.databasePath, logger: Logger(label: "sdk-tests.store"))
            _ = try await store.kill(flag: "new-checkout", environments: ["production"], change: ChangeInfo(actor: "test"))
            try store.close()

            try await server.restart()
            #expect(try await eventually { client.status == .ready })
            #expect(try await eventually { client.bool("new-checkout", default: true, context: acme) == false })
            // Live again: a change after the restart arrives over the new stream.
            try await server.mustSend("POST", "/api/v1/flags/new-checkout/environments/production/on")
            #expect(try await eventually { client.bool("new-checkout", default: false, context: acme) })
            await client.close()
        }
    }

    @Test("the app restarted while the server is down serves the cached snapshot")
    func restartWithServerDown() async throws {
        let cache = try TemporaryDirectory()
        defer { cache.remove() }
        try await TestServer.with { server in
            try await seed(server)
            let key = try await server.createKey().key
            let first = try client(server, key: key, cache: cache)
            try await first.waitUntilReady(timeout: .seconds(10))
            try await server.mustSend("PUT", "/api/v1/flags/banner/environments/production", body: #"{"enabled": false}"#)
            #expect(try await eventually { first.string("banner", default: "?") == "" })
            await first.close()
            try await server.stop(remove: false)

            let second = try client(server, key: key, cache: cache)
            try await second.waitUntilReady(timeout: .seconds(1))
            #expect(second.status == .stale)
            #expect(second.string("banner", default: "?") == "")
            #expect(second.bool("new-checkout", default: false, context: acme))
            await second.close()
        }
    }

    @Test("a corrupt cache file is ignored with a warning and replaced by the server's snapshot")
    func corruptCache() async throws {
        let cache = try TemporaryDirectory()
        defer { cache.remove() }
        try await TestServer.with { server in
            try await seed(server)
            let key = try await server.createKey().key
            let file = SnapshotCache(directory: cache.url, serverURL: try server.url, sdkKey: key, logger: Logger(label: "t"))
            try Data("{\"format\":1,\"server\":".utf8).write(to: file.fileURL)
            let (logger, records) = RecordingLogHandler.logger()
            let client = try client(server, key: key, cache: cache, logger: logger)
            #expect(records.messages(at: .warning).contains { $0.contains("corrupt") })
            #expect(client.status == .notReady)
            try await client.waitUntilReady(timeout: .seconds(10))
            #expect(client.string("banner", default: "") == "hello")
            #expect(try await eventually { file.load()?.environment == "production" })
            await client.close()
        }
    }

    @Test("a bootstrap snapshot is served first, then replaced by the server's flags")
    func bootstrap() async throws {
        try await TestServer.with { server in
            try await seed(server)
            let key = try await server.createKey().key
            try await server.stop(remove: false)
            let client = try client(server, key: key, bootstrap: Fixtures.snapshot(version: 0, banner: "shipped with the app"))
            #expect(client.string("banner", default: "") == "shipped with the app")
            #expect(client.status == .stale)
            try await server.restart()
            #expect(try await eventually { client.string("banner", default: "") == "hello" })
            #expect(try await eventually { client.status == .ready })
            await client.close()
        }
    }

    @Test("wrong types give the default with TYPE_MISMATCH; unknown flags FLAG_NOT_FOUND")
    func wrongTypes() async throws {
        try await TestServer.with { server in
            try await seed(server)
            let client = try client(server, key: try await server.createKey().key)
            try await client.waitUntilReady(timeout: .seconds(10))
            let asString = client.stringDetails("new-checkout", default: "fallback", context: acme)
            #expect(asString.value == "fallback")
            #expect(asString.errorCode == .typeMismatch)
            #expect(client.boolDetails("banner", default: true).errorCode == .typeMismatch)
            #expect(client.integer("ratio", default: -1) == -1)
            #expect(client.objectDetails("limit", default: [:]).errorCode == .typeMismatch)
            #expect(client.boolDetails("no-such-flag", default: true).errorCode == .flagNotFound)
            await client.close()
        }
    }

    @Test("many tasks evaluating while updates arrive always get a valid answer")
    func manyTasksDuringUpdates() async throws {
        try await TestServer.with { server in
            try await seed(server)
            let client = try client(server, key: try await server.createKey().key)
            try await client.waitUntilReady(timeout: .seconds(10))
            let invalid = try await withThrowingTaskGroup(of: Int.self, returning: Int.self) { group in
                for reader in 0..<8 {
                    group.addTask {
                        var invalid = 0
                        for i in 0..<3_000 {
                            let context = EvaluationContext(targetingKey: "u-\(reader)-\(i)", customerId: "acme")
                            let details = client.boolDetails("new-checkout", default: false, context: context)
                            // Either the beta rule (flag on) or the kill switch (flag off); never an error.
                            let valid = details.errorCode == nil
                                && ((details.value && details.reason == .targetingMatch) || (!details.value && details.reason == .disabled))
                            if !valid { invalid += 1 }
                            if i % 100 == 0 { await Task.yield() }
                        }
                        return invalid
                    }
                }
                group.addTask {
                    for round in 0..<10 {
                        let action = round.isMultiple(of: 2) ? "off" : "on"
                        try await server.mustSend("POST", "/api/v1/flags/new-checkout/environments/production/\(action)")
                    }
                    return 0
                }
                return try await group.reduce(0, +)
            }
            #expect(invalid == 0)
            // The last change (on) is applied eventually.
            #expect(try await eventually { client.bool("new-checkout", default: false, context: acme) })
            await client.close()
        }
    }

    @Test("usage counts reach the server")
    func usageReachesServer() async throws {
        try await TestServer.with { server in
            try await seed(server)
            let client = try client(server, key: try await server.createKey().key, usageInterval: .milliseconds(200))
            try await client.waitUntilReady(timeout: .seconds(10))
            for _ in 0..<7 { _ = client.bool("new-checkout", default: false, context: acme) }
            for _ in 0..<2 { _ = client.bool("dormant", default: true) }
            let reported = try await eventually {
                let record = try await server.mustSend("GET", "/api/v1/flags/new-checkout")
                return record["usage.production.variants.on"] == .integer(7)
            }
            #expect(reported)
            // What is left is sent on close.
            _ = client.bool("dormant", default: true)
            await client.close()
            let dormant = try await server.mustSend("GET", "/api/v1/flags/dormant")
            #expect(dormant["usage.production.variants.off"] == .integer(3))
            #expect(dormant["usage.production.lastEvaluated"]?.stringValue != nil)
        }
    }

    @Test("the attribute names its contexts carried reach the server with the usage report, never their values")
    func attributeNamesReachServer() async throws {
        try await TestServer.with { server in
            try await seed(server)
            let client = try client(server, key: try await server.createKey().key, usageInterval: .seconds(3600))
            try await client.waitUntilReady(timeout: .seconds(10))
            let context = EvaluationContext(
                targetingKey: "user-1",
                attributes: ["customerId": "acme", "seats": 12, "org": .object(["tier": "gold"]), "secret-value": "hunter2"])
            _ = client.bool("new-checkout", default: false, context: context)
            // Closing sends what is left: the counts, and the names.
            await client.close()
            let seen = try await server.mustSend("GET", "/api/v1/environments/production/attributes")
            let names = seen["attributes"]?.arrayValue?.compactMap { $0.objectValue?["name"]?.stringValue } ?? []
            #expect(names == ["customerId", "org", "org.tier", "seats", "secret-value", "targetingKey"])
            #expect(!seen.text.contains("hunter2") && !seen.text.contains("acme"))
            #expect(seen["attributes[2].kinds"] == .array([.string("string")]))
            #expect(seen["attributes[3].kinds"] == .array([.string("number")]))
        }
    }

    @Test("a refused SDK key puts the client in the error state")
    func refusedKey() async throws {
        try await TestServer.with { server in
            let client = try client(server, key: "clutch_sdk_not_a_real_key")
            await #expect(throws: ClutchError.unauthorized) {
                try await client.waitUntilReady(timeout: .seconds(10))
            }
            #expect(client.status == .error)
            #expect(client.boolDetails("new-checkout", default: true).errorCode == .providerNotReady)
            await client.close()
        }
    }
}
