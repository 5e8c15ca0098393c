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

    /// The day's series per variant: every hour of the last day, each variant's counts in the
    /// hour they were received, its running total and last evaluation; older hours left out.
    @Test(arguments: StoreBackend.allCases) func theDaysUsageHasEveryHourPerVariantAndEachVariantsLastEvaluation(_ backend: StoreBackend) async throws {
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
        let day = try await store.usageSeries(flag: "new-checkout", environment: "production", window: .day, now: now)
        #expect(day.window == .day && day.pointSeconds == 3_600)
        #expect(day.points.count == 24)
        #expect(day.points.first == Date(timeIntervalSince1970: 1_800_000_000 - 23 * hour))
        #expect(day.points.last == Date(timeIntervalSince1970: 1_800_000_000))
        #expect(day.totals.suffix(3) == [50, 0, 6])
        #expect(day.total == 56)
        // Per variant, in the flag's order: its hours, its window total, every count since reported
        // (the hour before the window too) and its last time.
        #expect(day.variants.map(\.key) == ["on", "off"])
        #expect(day.variants.map { Array($0.evaluations.suffix(3)) } == [[0, 0, 5], [50, 0, 1]])
        #expect(day.variants.map(\.total) == [5, 51])
        #expect(day.variants.map(\.allTime) == [1_005, 51])
        #expect(day.variants.map(\.lastEvaluated) == [now.addingTimeInterval(-60), now.addingTimeInterval(-60)])
        let staging = try await store.usageSeries(flag: "new-checkout", environment: "staging", window: .day, now: now)
        #expect(staging.total == 0 && staging.points.count == 24)
        #expect(staging.variants.map(\.key) == ["on", "off"] && staging.variants.allSatisfy { $0.lastEvaluated == nil && $0.allTime == 0 })
        await #expect(throws: StoreError.self) { try await store.usageSeries(flag: "no-such-flag", environment: "production", window: .day, now: now) }
        await #expect(throws: StoreError.self) { try await store.usageSeries(flag: "new-checkout", environment: "nowhere", window: .day, now: now) }
    }

    /// The week's series: seven UTC days, today last, each summing its hours per variant; kept
    /// for 8 days (past `usage_hourly`'s 72 hours) and deleted after. An errors-only entry (a
    /// client key's report: the server counted those evaluations itself) adds no evaluation.
    @Test(arguments: StoreBackend.allCases) func theWeeksUsageSumsEachDayPerVariantAndIsKeptEightDays(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        let variants = ["on", "off", "maybe"].map { Variant(key: $0, value: .string($0)) }
        _ = try await store.createFlag(Flag(key: "new-checkout", type: .string, variants: variants, offVariant: "off"), change: admin)
        let hour: TimeInterval = 3_600
        let day: TimeInterval = 86_400
        let midnight = Date(timeIntervalSince1970: 1_799_971_200)  // a UTC midnight
        #expect(Int(midnight.timeIntervalSince1970) % 86_400 == 0)
        let now = midnight.addingTimeInterval(9 * hour + 30)  // 09:00:30 UTC
        func entry(_ variant: String, _ count: Int64, errors: Int64 = 0, at: Date) -> UsageEntry {
            UsageEntry(environment: "production", flag: "new-checkout", variant: variant, count: count, errors: errors, receivedAt: at)
        }
        try await store.recordUsage([
            entry("on", 7, at: midnight.addingTimeInterval(-7 * day + hour)),  // a day before the week
            entry("on", 3, at: midnight.addingTimeInterval(-6 * day + hour)),  // the week's first day
            entry("on", 4, at: midnight.addingTimeInterval(-6 * day + 20 * hour)),
            entry("off", 10, at: midnight.addingTimeInterval(-3 * day)),
            entry("on", 1, at: midnight.addingTimeInterval(8 * hour)),
            entry("off", 2, at: midnight.addingTimeInterval(9 * hour)),
            entry("maybe", 0, errors: 5, at: midnight.addingTimeInterval(9 * hour)),
        ], at: now)
        let week = try await store.usageSeries(flag: "new-checkout", environment: "production", window: .week, now: now)
        #expect(week.window == .week && week.pointSeconds == 86_400)
        #expect(week.points == (0..<7).map { midnight.addingTimeInterval(Double($0 - 6) * day) })
        #expect(week.variants.map(\.key) == ["on", "off", "maybe"])
        #expect(week.variants[0].evaluations == [7, 0, 0, 0, 0, 0, 1])
        #expect(week.variants[1].evaluations == [0, 0, 0, 10, 0, 0, 2])
        #expect(week.variants[2].evaluations == [0, 0, 0, 0, 0, 0, 0], "errors only: no evaluation")
        #expect(week.totals == [7, 0, 0, 10, 0, 0, 3])
        #expect(week.variants.map(\.allTime) == [15, 12, 0])
        // The day's window is hourly: today's 08:00 and 09:00 hours.
        let today = try await store.usageSeries(flag: "new-checkout", environment: "production", window: .day, now: now)
        #expect(today.totals.suffix(2) == [1, 2] && today.total == 3)
        // Kept 8 days (192 hours; `usage_hourly` keeps 72): a write 192 hours after the week's
        // first bucket keeps it, one an hour later deletes it (and the older one), not the next.
        let first = midnight.addingTimeInterval(-6 * day + hour)
        let kept = first.addingTimeInterval(192 * hour)
        try await store.recordUsage([entry("on", 1, at: kept)], at: kept)
        #expect(try await store.usageSeries(flag: "new-checkout", environment: "production", window: .week, now: now).totals == [7, 0, 0, 10, 0, 0, 3])
        let pruneTime = kept.addingTimeInterval(hour)
        try await store.recordUsage([entry("on", 1, at: pruneTime)], at: pruneTime)
        let pruned = try await store.usageSeries(flag: "new-checkout", environment: "production", window: .week, now: now)
        #expect(pruned.variants[0].evaluations == [4, 0, 0, 0, 0, 0, 1])
        #expect(pruned.variants[1].evaluations == [0, 0, 0, 10, 0, 0, 2])
    }

    /// A batch with more buckets than one statement writes (two environments × 3 variants × every
    /// hour of the week so far: 924) is written whole.
    @Test(arguments: StoreBackend.allCases) func aBatchOfMoreBucketsThanOneStatementHoldsIsWrittenWhole(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        let variants = ["on", "off", "maybe"].map { Variant(key: $0, value: .string($0)) }
        _ = try await store.createFlag(Flag(key: "new-checkout", type: .string, variants: variants, offVariant: "off"), change: admin)
        let midnight = Date(timeIntervalSince1970: 1_799_971_200)
        let now = midnight.addingTimeInterval(9 * 3_600 + 1_800)  // 09:30 UTC
        let hours = 6 * 24 + 10  // from the week's first hour to this one
        let entries = ["production", "staging"].flatMap { environment in
            (0..<hours).flatMap { hour in
                variants.map {
                    UsageEntry(environment: environment, flag: "new-checkout", variant: $0.key, count: 1,
                               receivedAt: midnight.addingTimeInterval(Double(hour - 6 * 24) * 3_600))
                }
            }
        }
        #expect(entries.count == 924)
        try await store.recordUsage(entries, at: now)
        for environment in ["production", "staging"] {
            let week = try await store.usageSeries(flag: "new-checkout", environment: environment, window: .week, now: now)
            #expect(week.variants.map(\.evaluations) == Array(repeating: [24, 24, 24, 24, 24, 24, 10], count: 3), "\(environment)")
        }
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
