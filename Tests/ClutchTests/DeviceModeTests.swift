import ClutchProtocol
import Foundation
import Logging
import TestSupport
import Testing

@testable import Clutch

/// Device mode's parts that need no server: the answers on disk, the client stream's events,
/// the key kinds, a cold start and a switch of person while the server is down.
@Suite("Device mode")
struct DeviceModeTests {
    static let clientKey = "clutch_client_test"

    /// Answers as the server sends them: `banner` from a rule, `limit`, and a flag in error.
    static func answers(banner: String = "hello") -> OFREPBulkResponse {
        OFREPBulkResponse(flags: [
            .init(key: "banner", value: .string(banner), reason: "TARGETING_MATCH", variant: "greeting", metadata: ["team": "growth"]),
            .init(key: "limit", value: 100, reason: "STATIC", variant: "high"),
            .init(key: "broken", errorCode: "PARSE_ERROR", errorDetails: "bad flag"),
        ])
    }

    private func cache(_ directory: TemporaryDirectory, key: String = clientKey) throws -> AnswerCache {
        AnswerCache(directory: directory.url, serverURL: try Fixtures.unreachableServer(), key: key, logger: Logger(label: "t"))
    }

    @Test("each person's answers are kept in a file of their own, named by a hash that hides the key and the person")
    func answerCachePerPerson() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let cache = try cache(directory)
        #expect(cache.load(targetingKey: "user-1") == nil)
        try cache.store(.init(targetingKey: "user-1", answers: Self.answers(), etag: "\"e1\""))
        try cache.store(.init(targetingKey: "user-2", answers: Self.answers(banner: "other"), etag: nil))
        let loaded = try #require(cache.load(targetingKey: "user-1"))
        #expect(loaded.answers == Self.answers())
        #expect(loaded.etag == "\"e1\"")
        #expect(cache.load(targetingKey: "user-2")?.answers == Self.answers(banner: "other"))
        #expect(cache.load(targetingKey: "user-3") == nil)
        // Another key or another server never reads them.
        #expect(try self.cache(directory, key: "clutch_client_other").load(targetingKey: "user-1") == nil)
        let elsewhere = AnswerCache(
            directory: directory.url, serverURL: try #require(URL(string: "http://other.example")), key: Self.clientKey, logger: Logger(label: "t"))
        #expect(elsewhere.load(targetingKey: "user-1") == nil)
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.url.path) {
            #expect(name.hasPrefix("clutch-answers-"))
            let contents = try String(contentsOf: directory.url.appendingPathComponent(name), encoding: .utf8)
            #expect(!contents.contains("user-") && !contents.contains(Self.clientKey) && !name.contains("user-"))
        }
    }

    @Test("a file renamed to another person's name is not served to them")
    func answerCacheChecksItsHash() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (logger, records) = RecordingLogHandler.logger()
        let cache = AnswerCache(directory: directory.url, serverURL: try Fixtures.unreachableServer(), key: Self.clientKey, logger: logger)
        try cache.store(.init(targetingKey: "user-1", answers: Self.answers(), etag: nil))
        try FileManager.default.moveItem(at: cache.fileURL(targetingKey: "user-1"), to: cache.fileURL(targetingKey: "user-2"))
        #expect(cache.load(targetingKey: "user-2") == nil)
        #expect(records.messages(at: .warning).contains { $0.contains("another person") })
    }

    @Test("the client stream's values and changed events are read from the bytes the protocol sends")
    func clientStreamEvents() throws {
        let bytes = """
            : ping

            event: values
            id: 7
            data: {"flags":[{"key":"banner","value":"hello","reason":"TARGETING_MATCH","variant":"greeting"},{"key":"limit","value":100,"reason":"STATIC","variant":"high"}]}

            event: changed
            id: 8
            data: {"flags":[{"key":"limit","value":10,"reason":"DISABLED","variant":"low"}],"removed":["banner"]}

            event: changed
            id: 9
            data: {"flags":[{"key":"limit","errorCode":"GENERAL","errorDetails":"oops"}]}

            event: something-new
            data: {}


            """
        var parser = ServerSentEventParser()
        let events = parser.parse(Array(bytes.utf8))
        #expect(parser.comments == 1)
        let decoded = try events.map { try ClientStreamEvent(type: $0.type, data: Array($0.data.utf8)) }
        #expect(decoded.count == 4)
        guard case .values(let values) = decoded[0] else {
            Issue.record("the first event is not values")
            return
        }
        #expect(values.results()["banner"]?.value == .string("hello"))
        #expect(values.results()["banner"]?.reason == .targetingMatch)
        #expect(values.results(reason: .cached)["limit"]?.reason == .cached)
        #expect(decoded[1] == .changed(flags: [.init(key: "limit", value: 10, reason: "DISABLED", variant: "low")], removed: ["banner"]))
        #expect(decoded[2] == .changed(flags: [.init(key: "limit", errorCode: "GENERAL", errorDetails: "oops")], removed: []))
        #expect(decoded[3] == nil)  // unknown events are ignored
        #expect(events.map(\.lastEventID) == ["7", "8", "9", "9"])
        #expect(throws: (any Error).self) { try ClientStreamEvent(type: "values", data: Array(#"{"flags": 3}"#.utf8)) }
    }

    @Test("a client key in local mode is refused at start, saying a server key is needed; nothing is sent")
    func localModeRefusesClientKeys() async throws {
        let (logger, records) = RecordingLogHandler.logger()
        let client = ClutchClient(configuration: Fixtures.configuration(server: try Fixtures.unreachableServer(), sdkKey: Self.clientKey, logger: logger))
        #expect(client.status == .error)
        do {
            try await client.waitUntilReady(timeout: .seconds(10))
            Issue.record("a client key was accepted in local mode")
        } catch let error as ClutchError {
            #expect(error == .wrongKeyKind)
            #expect(error.message.contains("local mode needs a server key (clutch_sdk_…), not a client key (clutch_client_…)"))
        }
        #expect(records.messages(at: .error).contains { $0.contains("needs a server key") })
        #expect(!records.all.joined().contains(Self.clientKey))
        await client.close()
    }

    @Test("a server key in device mode is refused at start: it is a secret that must not ship inside an app")
    func deviceModeRefusesServerKeys() async throws {
        let client = ClutchClient(configuration: Fixtures.configuration(
            server: try Fixtures.unreachableServer(), sdkKey: "clutch_sdk_secret", mode: .device(EvaluationContext(targetingKey: "u1"))))
        await #expect(throws: ClutchError.wrongKeyKind) { try await client.waitUntilReady(timeout: .seconds(10)) }
        #expect(ClutchError.wrongKeyKind(for: .device(EvaluationContext())).message.contains("needs a client key (clutch_client_…)"))
        await client.close()
    }

    @Test("a cold start with the server down serves the person's answers from disk with reason CACHED")
    func coldStartFromDisk() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try cache(directory).store(.init(targetingKey: "user-1", answers: Self.answers(), etag: "\"e1\""))
        let client = ClutchClient(configuration: Fixtures.configuration(
            server: try Fixtures.unreachableServer(), sdkKey: Self.clientKey, cacheDirectory: directory.url,
            mode: .device(EvaluationContext(targetingKey: "user-1"))))
        try await client.waitUntilReady(timeout: .seconds(1))
        let banner = client.stringDetails("banner", default: "")
        #expect(banner.value == "hello")
        #expect(banner.variant == "greeting")
        #expect(banner.reason == .cached)
        #expect(banner.flagMetadata == ["team": "growth"])
        #expect(client.integer("limit", default: 0) == 100)
        #expect(client.boolDetails("broken", default: true).errorCode == ErrorCode("PARSE_ERROR"))
        #expect(client.status == .stale)
        await client.close()
    }

    @Test("setContext with the server down switches at once to the new person's answers on disk, never the previous person's")
    func switchWhileDown() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try cache(directory).store(.init(targetingKey: "user-1", answers: Self.answers(banner: "for one"), etag: nil))
        try cache(directory).store(.init(targetingKey: "user-2", answers: Self.answers(banner: "for two"), etag: nil))
        let client = ClutchClient(configuration: Fixtures.configuration(
            server: try Fixtures.unreachableServer(), sdkKey: Self.clientKey, cacheDirectory: directory.url,
            mode: .device(EvaluationContext(targetingKey: "user-1"))))
        #expect(client.string("banner", default: "") == "for one")
        var changes = client.changes.makeAsyncIterator()
        await #expect(throws: ClutchError.timedOut) {
            try await client.setContext(EvaluationContext(targetingKey: "user-2"), timeout: .milliseconds(200))
        }
        #expect(client.stringDetails("banner", default: "").value == "for two")
        #expect(client.stringDetails("banner", default: "").reason == .cached)
        #expect(await changes.next() == ["banner"])
        // A person with nothing on disk gets the caller's defaults until the server answers.
        await #expect(throws: ClutchError.timedOut) {
            try await client.setContext(EvaluationContext(targetingKey: "user-3"), timeout: .milliseconds(200))
        }
        #expect(client.string("banner", default: "default") == "default")
        #expect(client.stringDetails("banner", default: "").errorCode == .providerNotReady)
        #expect(await changes.next() == ["banner", "limit", "broken"])
        await client.close()
    }

    @Test("a device client reports the errors the app recorded only, with count 0: the server counts what it serves")
    func errorsOnlyUsage() {
        let counter = UsageCounter(errorsOnly: true)
        counter.recordError(flag: "banner", variant: "greeting", rollout: false, count: 3)
        let report = counter.drain()
        #expect(report?.counts == [UsageReport.Count(flag: "banner", variant: "greeting", count: 0, errors: 3, rollout: false)])
        #expect(counter.drain() == nil)
        // The local counter caps errors by the evaluations it counted, so sends none here.
        let local = UsageCounter()
        local.recordError(flag: "banner", variant: "greeting", rollout: false, count: 3)
        #expect(local.drain() == nil)
    }

    @Test("a refused stream's Retry-After lengthens the wait before the next attempt, never shortens it")
    func retryAfterDelay() {
        let busy = ClutchError.status(429, "/sdk/v1/client/stream", retryAfter: .seconds(5))
        #expect(DeviceLoop.reconnectDelay(.milliseconds(300), after: busy) == .seconds(5))
        #expect(DeviceLoop.reconnectDelay(.seconds(20), after: busy) == .seconds(20))
        #expect(DeviceLoop.reconnectDelay(.milliseconds(300), after: ClutchError.missedHeartbeat) == .milliseconds(300))
        #expect(DeviceLoop.reconnectDelay(.milliseconds(300), after: nil) == .milliseconds(300))
    }
}
