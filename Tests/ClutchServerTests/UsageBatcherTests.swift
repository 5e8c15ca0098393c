import ClutchCore
import ClutchStore
import Foundation
import ServerTestSupport
import Logging
import TestSupport
import Testing

@testable import ClutchServer

/// The usage batcher stamps counts with when the server received them and carries that time
/// through the batch: a report received before an hour ended counts in that hour though the
/// batch holding it commits after.
@Suite("Usage batches")
struct UsageBatcherTests {
    @Test func aReportCountsWhenItWasReceivedNotWhenItsBatchWasWritten() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("usage-batcher-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try FlagStore(path: directory.appendingPathComponent("clutch.db").path, logger: Logger(label: "usage-batcher-test"))
        let change = ChangeInfo(actor: "alice", message: "test")
        _ = try await store.createFlag(
            Flag(key: "gate", environments: ["production": FlagState(enabled: true, default: .variant("on"))]), change: change)
        let engine = Engine(try await store.snapshot(environment: "production"))
        // A long interval: the batch is written when the test flushes it, an hour and more later.
        let batcher = UsageBatcher(store: store, interval: .seconds(3600), logger: Logger(label: "usage-batcher-test"))
        let now = Date()
        let hourStart = Date(timeIntervalSince1970: TimeInterval(UsageHours.hour(of: now)))
        let received = hourStart.addingTimeInterval(-3600 - 0.5)  // half a second before the hour before this one ended
        let report = Task {
            try await batcher.record([UsageCount(flag: "gate", variant: "on", count: 7)], engine: engine, keyID: "key_test", instance: nil, receivedAt: received)
        }
        let other = Task {
            try await batcher.record([UsageCount(flag: "gate", variant: "on", count: 5)], engine: engine, keyID: "key_test", instance: nil, receivedAt: now)
        }
        #expect(try await eventually { batcher.pendingEntries == 2 })
        await batcher.flush()  // written now, after the boundary
        #expect(try await report.value.accepted == 1)
        #expect(try await other.value.accepted == 1)
        let thatHour = try await store.recentUsage(flag: "gate", environment: "production", now: received)
        #expect(thatHour.evaluations == 7, "counted in the hour it was received in")
        let today = try await store.recentUsage(flag: "gate", environment: "production", now: now)
        #expect(today.evaluations == 12)
        try store.close()
    }
}
