import ClutchCore
import ClutchStore
import Foundation
import ProcessTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `kill -9` while writes are in flight: every write the store acknowledged is there after
/// reopening, and the file is sound. The writer is this test binary itself, started again with
/// `CLUTCH_CRASH_WRITER` naming the database.
@Suite("Crash safety")
struct CrashTests {
    static let writerDatabase = ProcessInfo.processInfo.environment["CLUTCH_CRASH_WRITER"]

    /// The child's part: creates flags one by one and appends each acknowledged number to `<db>.acks`.
    @Test(.enabled(if: CrashTests.writerDatabase != nil))
    func crashWriterChild() async throws {
        let path = try #require(CrashTests.writerDatabase)
        let store = try FlagStore(path: path, logger: StoreFixture.logger)
        _ = FileManager.default.createFile(atPath: path + ".acks", contents: nil)
        let acks = try FileHandle(forWritingTo: URL(fileURLWithPath: path + ".acks"))
        for i in 0..<1_000_000 {
            _ = try await store.createFlag(Flag(key: "crash-\(i)"), change: ChangeInfo(actor: "writer"))
            try acks.write(contentsOf: Data("\(i)\n".utf8))
        }
    }

    @Test(.enabled(if: CrashTests.writerDatabase == nil))
    func acknowledgedWritesSurviveKill9() async throws {
        let fixture = try StoreFixture()
        try fixture.store.close()
        let ackPath = fixture.path + ".acks"
        let child = try Subprocess(
            [CommandLine.arguments[0], "--testing-library", "swift-testing", "--filter", "crashWriterChild"],
            environment: ProcessInfo.processInfo.environment.merging(["CLUTCH_CRASH_WRITER": fixture.path]) { $1 })

        // Let it acknowledge some writes (bounded wait), then kill it mid-write.
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, child.isRunning {
            if let text = try? String(contentsOfFile: ackPath, encoding: .utf8), text.split(separator: "\n").count >= 50 { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(child.isRunning, "the writer stopped on its own")
        #expect(child.forceStop() == .signaled(SIGKILL))

        let text = try String(contentsOfFile: ackPath, encoding: .utf8)
        let acknowledged = text.split(separator: "\n").compactMap { Int($0) }
        try #require(acknowledged.count >= 50)

        let store = try fixture.reopen()
        defer { try? store.close() }
        #expect(try await store.integrityCheck() == "ok")
        let keys = Set(try await store.flags(includeArchived: true).map(\.flag.key))
        let missing = acknowledged.filter { !keys.contains("crash-\($0)") }
        #expect(missing.isEmpty, "acknowledged but lost: \(missing.prefix(5))")
        // Every stored flag is whole: a revision and an audit event for each.
        for key in keys.prefix(20) {
            #expect(try await store.revisions(flag: key, environment: nil).count == 1)
        }
        #expect(try await store.auditEvents(since: nil, flag: nil, limit: 1_000_000).count == keys.count)
    }
}
