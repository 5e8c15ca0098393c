import Foundation
import Logging
import Testing

@testable import Clutch

@Suite("Snapshot cache")
struct SnapshotCacheTests {
    @Test("stores and loads a snapshot; the file name hides the SDK key")
    func roundTrip() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let server = try Fixtures.unreachableServer()
        let key = "clutch_sdk_secret_value_123"
        let cache = SnapshotCache(directory: directory.url.appendingPathComponent("nested"), serverURL: server, sdkKey: key, logger: Logger(label: "t"))
        #expect(cache.load() == nil)
        let snapshot = Fixtures.snapshot(version: 5)
        try cache.store(snapshot)
        #expect(cache.load() == snapshot)
        #expect(!cache.fileURL.lastPathComponent.contains("secret"))
        let contents = try String(contentsOf: cache.fileURL, encoding: .utf8)
        #expect(!contents.contains(key))
    }

    @Test("the file is per server and key; other contexts never change it")
    func keyedByServerAndKey() throws {
        let a = try #require(URL(string: "http://a.example:8080"))
        let b = try #require(URL(string: "http://b.example:8080"))
        #expect(SnapshotCache.fileName(serverURL: a, sdkKey: "k1") == SnapshotCache.fileName(serverURL: a, sdkKey: "k1"))
        #expect(SnapshotCache.fileName(serverURL: a, sdkKey: "k1") != SnapshotCache.fileName(serverURL: b, sdkKey: "k1"))
        #expect(SnapshotCache.fileName(serverURL: a, sdkKey: "k1") != SnapshotCache.fileName(serverURL: a, sdkKey: "k2"))
    }

    @Test("writes are atomic: no temporary files are left and a rewrite replaces the whole file")
    func atomicWrite() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let cache = SnapshotCache(directory: directory.url, serverURL: try Fixtures.unreachableServer(), sdkKey: "k", logger: Logger(label: "t"))
        try cache.store(Fixtures.snapshot(version: 1, banner: String(repeating: "long ", count: 500)))
        try cache.store(Fixtures.snapshot(version: 2, banner: "short"))
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.url.path)
        #expect(files == [cache.fileURL.lastPathComponent])
        #expect(cache.load()?.version == 2)
    }

    @Test("a corrupt file is ignored with a warning", arguments: [
        "", "{not json", "{\"format\": 1}", "\u{0}\u{1}binary", "{\"format\": 99, \"server\": \"x\", \"savedAt\": \"2026-01-01T00:00:00Z\", \"snapshot\": {}}",
    ])
    func corrupt(contents: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (logger, records) = RecordingLogHandler.logger()
        let cache = SnapshotCache(directory: directory.url, serverURL: try Fixtures.unreachableServer(), sdkKey: "k", logger: logger)
        try Data(contents.utf8).write(to: cache.fileURL)
        #expect(cache.load() == nil)
        #expect(records.messages(at: .warning).count == 1)
    }

    @Test("a cache written for another server is ignored")
    func otherServer() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (logger, records) = RecordingLogHandler.logger()
        let first = SnapshotCache(directory: directory.url, serverURL: try Fixtures.unreachableServer(), sdkKey: "k", logger: logger)
        try first.store(Fixtures.snapshot())
        let other = try #require(URL(string: "http://other.example"))
        let second = SnapshotCache(directory: directory.url, serverURL: other, sdkKey: "k", logger: logger)
        // Same file forced by copying: the server recorded inside must match too.
        try FileManager.default.copyItem(at: first.fileURL, to: second.fileURL)
        #expect(second.load() == nil)
        #expect(records.messages(at: .warning).count == 1)
    }
}
