import ClutchCore
import ClutchProtocol
import Foundation
import Testing

@testable import Clutch

@Suite("Usage counting")
struct UsageCounterTests {
    private func slots() -> UsageSlots {
        UsageSlots([("checkout", ["on", "off"]), ("banner", ["blue", "green", "red"])])
    }

    @Test("counts from a replaced snapshot are reported, including late ones")
    func countsSurviveASnapshotSwap() throws {
        let counter = UsageCounter()
        let first = slots()
        counter.adopt(first)
        counter.record(flag: "checkout", variant: "on", in: first)
        counter.record(flag: "checkout", variant: "on", in: first)
        let second = slots()
        counter.adopt(second)
        counter.record(flag: "checkout", variant: "on", in: second)
        counter.record(flag: "banner", variant: "red", in: second)
        #expect(counter.count(flag: "checkout", variant: "on") == 3)

        let report = try #require(counter.drain())
        #expect(report.counts == [
            UsageReport.Count(flag: "banner", variant: "red", count: 1),
            UsageReport.Count(flag: "checkout", variant: "on", count: 3),
        ])
        // An evaluation that read the old snapshot just before the swap counts after the drain.
        counter.record(flag: "checkout", variant: "off", in: first)
        let late = try #require(counter.drain())
        #expect(late.counts == [UsageReport.Count(flag: "checkout", variant: "off", count: 1)])
        #expect(counter.drain() == nil)
    }

    @Test("a flag or variant without a slot is still counted")
    func countsWithoutASlot() throws {
        let counter = UsageCounter()
        let current = slots()
        counter.adopt(current)
        counter.record(flag: "checkout", variant: "beta", in: current)
        counter.record(flag: "unknown", variant: "on", in: current)
        let report = try #require(counter.drain())
        #expect(report.counts.map(\.count) == [1, 1])
        #expect(report.counts.map(\.flag) == ["checkout", "unknown"])
    }

    @Test("concurrent recording loses nothing")
    func concurrentRecording() async throws {
        let counter = UsageCounter()
        let current = slots()
        counter.adopt(current)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    for _ in 0..<10_000 { counter.record(flag: "banner", variant: "green", in: current) }
                }
            }
        }
        let report = try #require(counter.drain())
        #expect(report.counts == [UsageReport.Count(flag: "banner", variant: "green", count: 80_000)])
    }
}

@Suite("Usage report limits")
struct UsageReportSplitTests {
    @Test func largeReportsAreSplitToWhatTheServerAccepts() {
        let now = Date()
        let entries = (0..<(UsageReportLimits.maxEntries * 2 + 5)).map { UsageReport.Count(flag: "f\($0)", variant: "on", count: 1) }
        let huge = UsageReport.Count(flag: "hot", variant: "on", count: UsageReportLimits.maxCount + 7)
        let (parts, rest) = UsageReport(counts: entries + [huge], from: now, to: now).split()
        #expect(parts.map(\.counts.count) == [UsageReportLimits.maxEntries, UsageReportLimits.maxEntries, 6])
        #expect(parts.allSatisfy { $0.counts.allSatisfy { $0.count <= UsageReportLimits.maxCount } })
        #expect(rest?.counts == [UsageReport.Count(flag: "hot", variant: "on", count: 7)])
    }

    @Test func partsStayUnderTheBodyLimit() {
        let now = Date()
        let long = String(repeating: "v", count: 200)
        let entries = (0..<9_000).map { UsageReport.Count(flag: "flag-with-a-long-key-\($0)", variant: long, count: 1) }
        let (parts, rest) = UsageReport(counts: entries, from: now, to: now).split()
        #expect(rest == nil)
        #expect(parts.count > 1)
        #expect(parts.map(\.counts.count).reduce(0, +) == 9_000)
        for part in parts {
            let size = (try? ClutchJSON.encode(part).count) ?? .max
            #expect(size < 1 << 20)
        }
    }
}
