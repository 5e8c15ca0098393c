import Foundation
import ServerTestSupport
import Testing

@testable import Clutch

@Suite("Evaluation")
struct EvaluationTests {
    /// A client serving `Fixtures.snapshot()` from the bootstrap, with no server to reach.
    private func offlineClient(bootstrap: Snapshot? = Fixtures.snapshot()) throws -> ClutchClient {
        ClutchClient(configuration: Fixtures.configuration(server: try Fixtures.unreachableServer(), bootstrap: bootstrap))
    }

    @Test("every type evaluates with its variant and reason")
    func typedValues() async throws {
        let client = try offlineClient()
        let context = EvaluationContext(targetingKey: "u1", customerId: "acme")
        #expect(client.bool("new-checkout", default: false, context: context))
        #expect(client.string("banner", default: "x") == "hello")
        #expect(client.integer("limit", default: 0) == 100)
        #expect(client.double("ratio", default: 0) == 0.5)
        #expect(client.object("config", default: [:]) == ["retries": 3, "mode": "fast"])

        let details = client.boolDetails("new-checkout", default: false, context: context)
        #expect(details.value == true)
        #expect(details.variant == "on")
        #expect(details.reason == .targetingMatch)
        #expect(details.errorCode == nil)
        #expect(details.flagMetadata["snapshotVersion"] == 1)
        #expect(details.flagMetadata["environment"] == "production")

        let off = client.boolDetails("dormant", default: true)
        #expect(off.value == false)
        #expect(off.reason == .disabled)
        await client.close()
    }

    @Test("roles and customers drive the rules")
    func contextConveniences() async throws {
        let client = try offlineClient()
        var admin = EvaluationContext(targetingKey: "nobody-special", roles: ["viewer", "admin"])
        #expect(admin.roles == ["viewer", "admin"])
        #expect(admin.hasRole("admin"))
        #expect(client.boolDetails("new-checkout", default: false, context: admin).reason == .targetingMatch)
        admin.roles = []
        #expect(admin.attributes["role"] == nil)
        #expect(EvaluationContext(targetingKey: "x", customerId: "globex").customerId == "globex")
        await client.close()
    }

    @Test("dates are written as Unix seconds, which Timestamp reads back")
    func dates() throws {
        var context = EvaluationContext(targetingKey: "u")
        let date = Date(timeIntervalSince1970: 1_790_000_000)
        context.set("signup", date)
        #expect(context.attributes["signup"] == .integer(1_790_000_000))
        #expect(Timestamp.seconds(.integer(1_790_000_000)) == 1_790_000_000)
        let fractional = context.with("at", Date(timeIntervalSince1970: 10.5))
        #expect(fractional.attributes["at"] == .double(10.5))
        #expect(Timestamp.seconds(try #require(fractional.attributes["at"])) == 10.5)
    }

    @Test("asking with the wrong type gives the default and TYPE_MISMATCH")
    func typeMismatch() async throws {
        let client = try offlineClient()
        #expect(client.string("new-checkout", default: "fallback") == "fallback")
        let details = client.integerDetails("banner", default: 7)
        #expect(details.value == 7)
        #expect(details.errorCode == .typeMismatch)
        #expect(details.reason == .error)
        #expect(details.variant == nil)
        #expect(client.boolDetails("config", default: true).errorCode == .typeMismatch)
        #expect(client.doubleDetails("limit", default: 1.5).errorCode == .typeMismatch)
        await client.close()
    }

    @Test("an unknown flag gives the default and FLAG_NOT_FOUND")
    func unknownFlag() async throws {
        let client = try offlineClient()
        let details = client.stringDetails("nope", default: "d")
        #expect(details.value == "d")
        #expect(details.errorCode == .flagNotFound)
        await client.close()
    }

    @Test("before any data: the default, PROVIDER_NOT_READY, and waitUntilReady times out")
    func notReady() async throws {
        let client = try offlineClient(bootstrap: nil)
        #expect(client.status == .notReady)
        let details = client.boolDetails("new-checkout", default: true)
        #expect(details.value == true)
        #expect(details.errorCode == .providerNotReady)
        await #expect(throws: ClutchError.timedOut) {
            try await client.waitUntilReady(timeout: .milliseconds(200))
        }
        await client.close()
        await #expect(throws: ClutchError.closed) {
            try await client.waitUntilReady(timeout: .seconds(5))
        }
    }

    @Test("a bootstrap snapshot is served at once and marked stale")
    func bootstrap() async throws {
        let client = try offlineClient()
        try await client.waitUntilReady(timeout: .milliseconds(100))
        #expect(client.status == .stale)
        #expect(client.integer("limit", default: 0) == 100)
        await client.close()
    }

    @Test("a newer bootstrap wins over the cache; otherwise the cache does")
    func startingSnapshot() {
        let cached = Fixtures.snapshot(version: 5)
        let older = Fixtures.snapshot(version: 2, banner: "old")
        let newer = Fixtures.snapshot(version: 9, banner: "new")
        #expect(ClutchClient.startingSnapshot(cached: cached, bootstrap: older) == cached)
        #expect(ClutchClient.startingSnapshot(cached: cached, bootstrap: newer) == newer)
        #expect(ClutchClient.startingSnapshot(cached: nil, bootstrap: older) == older)
        #expect(ClutchClient.startingSnapshot(cached: cached, bootstrap: nil) == cached)
    }

    @Test("the cache file is read at start and served with the server down")
    func cachedStart() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let server = try Fixtures.unreachableServer()
        let configuration = Fixtures.configuration(server: server, cacheDirectory: directory.url)
        let cache = SnapshotCache(directory: directory.url, serverURL: server, sdkKey: configuration.sdkKey, logger: configuration.logger)
        try cache.store(Fixtures.snapshot(version: 4, banner: "from cache"))
        let client = ClutchClient(configuration: configuration)
        try await client.waitUntilReady(timeout: .milliseconds(100))
        #expect(client.string("banner", default: "") == "from cache")
        #expect(client.status == .stale)
        await client.close()
    }

    @Test("a corrupt cache file is ignored with a warning and the bootstrap is served")
    func corruptCacheAtStart() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let server = try Fixtures.unreachableServer()
        let (logger, records) = RecordingLogHandler.logger()
        let configuration = Fixtures.configuration(server: server, cacheDirectory: directory.url, bootstrap: Fixtures.snapshot(banner: "boot"), logger: logger)
        let cache = SnapshotCache(directory: directory.url, serverURL: server, sdkKey: configuration.sdkKey, logger: logger)
        try Data("{\"format\": 1, \"snap".utf8).write(to: cache.fileURL)
        let client = ClutchClient(configuration: configuration)
        #expect(client.string("banner", default: "") == "boot")
        #expect(records.messages(at: .warning).contains { $0.contains("corrupt") })
        await client.close()
    }

    @Test("evaluations are counted per flag and variant, errors are not")
    func usageCounting() async throws {
        let client = ClutchClient(configuration: Fixtures.configuration(
            server: try Fixtures.unreachableServer(), bootstrap: Fixtures.snapshot(), usageInterval: .seconds(3600)))
        for _ in 0..<3 { _ = client.bool("new-checkout", default: false, context: .init(targetingKey: "u", customerId: "acme")) }
        _ = client.bool("dormant", default: true)
        _ = client.string("new-checkout", default: "")
        _ = client.bool("missing", default: false)
        let usage = try #require(client.core.usage)
        #expect(usage.count(flag: "new-checkout", variant: "on") == 3)
        #expect(usage.count(flag: "dormant", variant: "off") == 1)
        let report = try #require(usage.drain())
        #expect(report.counts.map(\.flag) == ["dormant", "new-checkout"])
        #expect(usage.drain() == nil)
        usage.restore(report)
        #expect(usage.count(flag: "new-checkout", variant: "on") == 3)
        await client.close()
    }
}
