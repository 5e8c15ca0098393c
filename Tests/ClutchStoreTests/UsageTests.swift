import ClutchCore
import ClutchStore
import Foundation
import Testing

@Suite("Usage and stale flags")
struct UsageTests {
    let day: TimeInterval = 86_400

    @Test(arguments: StoreBackend.allCases) func usageAccumulatesPerVariant(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        _ = try await store.createFlag(checkoutFlag(), change: admin)
        let t1 = Date(timeIntervalSince1970: 1_800_000_000)
        let t2 = t1.addingTimeInterval(60)
        try await store.recordUsage(environment: "production", counts: [
            UsageCount(flag: "new-checkout", variant: "on", count: 10),
            UsageCount(flag: "new-checkout", variant: "off", count: 3),
            UsageCount(flag: "unknown-flag", variant: "on", count: 1),
        ], at: t2)
        try await store.recordUsage(environment: "production", counts: [UsageCount(flag: "new-checkout", variant: "on", count: 5)], at: t1)
        let usage = try await store.usage()
        #expect(usage.keys.sorted() == ["new-checkout"])
        #expect(usage["new-checkout"]?["production"] == FlagUsage(lastEvaluated: t2, variants: ["on": 15, "off": 3]))
        #expect(try await store.flag("new-checkout").usage?["production"]?.variants["on"] == 15)
        // Usage is not a change: no revision, no new snapshot version.
        #expect(try await store.flag("new-checkout").revision == 1)
        #expect(try await store.snapshot(environment: "production").version == 1)
        let negative = await #expect(throws: StoreError.self) {
            try await store.recordUsage(environment: "production", counts: [UsageCount(flag: "new-checkout", variant: "on", count: -1)], at: t1)
        }
        #expect(negative?.field == "counts[0].count")
        await #expect(throws: StoreError.self) { try await store.recordUsage(environment: "nowhere", counts: [], at: t1) }
    }

    /// Counts carry when the server received them: written in a batch after the hour ended, they
    /// are in the hour they were received in, and "last evaluated" is that moment.
    @Test(arguments: StoreBackend.allCases) func countsBelongToTheHourTheyWereReceivedIn(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        _ = try await store.createFlag(checkoutFlag(), change: admin)
        let hourStart = Date(timeIntervalSince1970: 1_800_000_000)
        let received = hourStart.addingTimeInterval(-0.5)  // before the hour ended
        let written = hourStart.addingTimeInterval(2)  // the batch committed after it
        try await store.recordUsage([
            UsageEntry(environment: "production", flag: "new-checkout", variant: "on", count: 4, rollout: true, receivedAt: received),
            UsageEntry(environment: "production", flag: "new-checkout", variant: "on", count: 6, rollout: true),
        ], at: written)
        let before = try await store.recentUsage(flag: "new-checkout", environment: "production", now: received)
        #expect(before.evaluations == 4, "the hour that ended holds what was received in it")
        #expect(before.rolloutEvaluations == 4)
        let after = try await store.recentUsage(flag: "new-checkout", environment: "production", now: written)
        #expect(after.evaluations == 10, "the day's window holds both")
        let usage = try #require(try await store.usage()["new-checkout"]?["production"])
        #expect(abs(usage.lastEvaluated.timeIntervalSince(written)) < 0.01, "the later of the two")
        _ = try await store.createFlag(checkoutFlag("old-checkout"), change: admin)
        try await store.recordUsage([
            UsageEntry(environment: "production", flag: "old-checkout", variant: "on", count: 1, receivedAt: received),
        ], at: written)
        let old = try #require(try await store.usage()["old-checkout"]?["production"])
        #expect(abs(old.lastEvaluated.timeIntervalSince(received)) < 0.01, "last evaluated when received, not when written")
    }

    /// Hourly buckets: the last day's evaluations and those the rollout decided, per flag and
    /// environment; older hours left out, and deleted once past the retention.
    @Test(arguments: StoreBackend.allCases) func theUsageChartHasEveryHourOfTheLastDayAndEachVariantsLastEvaluation(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        _ = try await store.createFlag(checkoutFlag(), change: admin)
        let hour: TimeInterval = 3_600
        let now = Date(timeIntervalSince1970: 1_800_000_000 + 600)  // ten minutes into an hour
        func entry(_ variant: String, _ count: Int64) -> UsageEntry {
            UsageEntry(environment: "production", flag: "new-checkout", variant: variant, count: count)
        }
        try await store.recordUsage([entry("off", 50)], at: now.addingTimeInterval(-2 * hour))
        try await store.recordUsage([entry("on", 5), entry("off", 1)], at: now.addingTimeInterval(-60))
        try await store.recordUsage([entry("on", 1_000)], at: now.addingTimeInterval(-25 * hour))  // before the window
        let chart = try await store.usageChart(flag: "new-checkout", environment: "production", now: now)
        #expect(chart.hours.count == 24)
        #expect(chart.hours.first?.start == Date(timeIntervalSince1970: 1_800_000_000 - 23 * hour))
        #expect(chart.hours.last?.start == Date(timeIntervalSince1970: 1_800_000_000))
        #expect(chart.hours.map(\.evaluations).suffix(3) == [50, 0, 6])
        #expect(chart.total == 56)
        // Per variant: every count since reported (the hour before the window too) and its last time.
        #expect(chart.variants.map(\.key) == ["off", "on"])
        #expect(chart.variants.map(\.evaluations) == [51, 1_005])
        #expect(chart.variants.map(\.lastEvaluated) == [now.addingTimeInterval(-60), now.addingTimeInterval(-60)])
        let staging = try await store.usageChart(flag: "new-checkout", environment: "staging", now: now)
        #expect(staging.total == 0 && staging.variants.isEmpty && staging.hours.count == 24)
    }

    @Test(arguments: StoreBackend.allCases) func hourlyUsageSumsTheLastDayAndIsPruned(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        _ = try await store.createFlag(checkoutFlag(), change: admin)
        let hour: TimeInterval = 3_600
        let now = Date(timeIntervalSince1970: 1_800_000_000 + 600)  // ten minutes into an hour
        func entry(_ variant: String, _ count: Int64, rollout: Bool = false, env: String = "production", flag: String = "new-checkout") -> UsageEntry {
            UsageEntry(environment: env, flag: flag, variant: variant, count: count, rollout: rollout)
        }
        #expect(try await store.recentUsage(flag: "new-checkout", environment: "production", now: now).hasData == false)
        try await store.recordUsage([entry("on", 40, rollout: true), entry("off", 50, rollout: true), entry("on", 10)], at: now.addingTimeInterval(-2 * hour))
        try await store.recordUsage([entry("on", 5)], at: now.addingTimeInterval(-60))
        try await store.recordUsage(environment: "production", counts: [UsageCount(flag: "new-checkout", variant: "on", count: 3, rollout: true)], at: now)
        try await store.recordUsage([entry("on", 1_000)], at: now.addingTimeInterval(-25 * hour))  // before the window
        try await store.recordUsage([entry("on", 7, env: "staging"), entry("on", 9, flag: "no-such-flag")], at: now)
        let recent = try await store.recentUsage(flag: "new-checkout", environment: "production", now: now)
        #expect(recent.evaluations == 108)
        #expect(recent.rolloutEvaluations == 93)
        #expect(recent.since == Date(timeIntervalSince1970: 1_800_000_000 - 23 * hour))
        #expect(recent.covered(percent: 10) == 9)
        #expect(!recent.isUpperBound)
        #expect(try await store.recentUsage(flag: "new-checkout", environment: "staging", now: now).evaluations == 7)
        #expect(try await store.recentUsage(flag: "no-such-flag", environment: "production", now: now).hasData == false)
        // An hour is one bucket however many reports it gets; sums saturate.
        for _ in 0..<3 { try await store.recordUsage([entry("on", .max, rollout: true)], at: now) }
        #expect(try await store.recentUsage(flag: "new-checkout", environment: "production", now: now).rolloutEvaluations == .max)
        // Writing 73 hours later deletes the buckets past the retention: the earlier day reads empty.
        try await store.recordUsage([entry("on", 1)], at: now.addingTimeInterval(73 * hour))
        #expect(try await store.recentUsage(flag: "new-checkout", environment: "production", now: now).hasData == false)
        #expect(try await store.recentUsage(flag: "new-checkout", environment: "production", now: now.addingTimeInterval(73 * hour)).evaluations == 1)
    }
}
