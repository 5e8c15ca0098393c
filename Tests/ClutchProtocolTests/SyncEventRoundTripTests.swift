import ClutchCore
import ClutchProtocol
import Foundation
import Testing

/// The protocol's promise: the events between two snapshots, sent as bytes and read back,
/// turn the first into the second — `old.applying(diff(old, new)) == new`.
@Suite("Sync protocol round trip")
struct SyncEventRoundTripTests {
    /// A deterministic choice in 0..<n for (seed, salt): no generator state to share.
    private static func pick(_ n: Int, _ seed: Int, _ salt: Int) -> Int {
        let mixed = UInt64(truncatingIfNeeded: seed &* 6_364_136_223_846_793_005 &+ salt &* 1_442_695_040_888_963_407)
        return Int((mixed >> 33) % UInt64(n))
    }

    /// A snapshot whose flags, states and cohorts vary with `seed`.
    static func snapshot(seed: Int, version: Int64) -> Snapshot {
        var flags: [Flag] = []
        for index in 0..<12 where pick(4, seed, index) != 0 {
            let enabled = pick(2, seed, index + 100) == 1
            let customers = (0..<pick(4, seed, index + 200)).map { "c\(pick(20, seed, index * 7 + $0))" }
            let rules = pick(3, seed, index + 300) == 0
                ? [Rule(id: "r\(index)", clauses: [Clause(attribute: "plan", .in, ["pro"])], serve: .variant("on"))] : []
            let state = FlagState(
                enabled: enabled, targets: customers.isEmpty ? [] : [Target(variant: "on", attribute: "customerId", values: Array(Set(customers)).sorted())],
                rules: rules, default: .rollout(.percentage(Double(pick(101, seed, index + 400)), of: "on", rest: "off")))
            flags.append(Flag(key: "flag-\(index < 10 ? "0" : "")\(index)", description: "d\(pick(3, seed, index + 500))", environments: ["production": state]))
        }
        var cohorts: [Cohort] = []
        for index in 0..<4 where pick(3, seed, index + 600) != 0 {
            // NFC and NFD "é" are two members (compared by bytes): a String Set would merge them.
            let named = Set((0..<pick(6, seed, index + 700)).map { "m\(pick(10, seed, index * 11 + $0))" })
            cohorts.append(Cohort(key: "cohort-\(index)", members: MemberOrder.sorted(Array(named) + ["\u{E9}", "e\u{301}"])))
        }
        return Snapshot(environment: "production", version: version, flags: flags, cohorts: cohorts)
    }

    @Test(arguments: 0..<40)
    func diffAppliedGivesTheNewSnapshot(seed: Int) throws {
        let old = Self.snapshot(seed: seed, version: 5)
        let new = Self.snapshot(seed: seed + 1000, version: 6)
        let events = SyncEvent.events(from: old, to: new)
        // Over the wire: every event as its name and bytes, read back by the other side.
        let received = try events.map { event in try #require(try SyncEvent(type: event.name, data: try event.data())) }
        #expect(received == events)
        let applied = old.applying(received)
        #expect(applied.flags.map(\.key) == new.flags.map(\.key))
        #expect(applied.cohorts.map { $0.members.map { Array($0.utf8) } } == new.cohorts.map { $0.members.map { Array($0.utf8) } })
        #expect(applied == new)
        #expect(events.allSatisfy { $0.version == 6 })
        // A replay of the same events (a reconnect) changes nothing more.
        #expect(old.applying(received).applying(received) == new)
    }

    @Test func identicalSnapshotsNeedNoEvents() {
        let snapshot = Self.snapshot(seed: 3, version: 9)
        #expect(SyncEvent.events(from: snapshot, to: snapshot).isEmpty)
    }

    @Test func membershipEventsRoundTrip() throws {
        let old = Snapshot(environment: "production", version: 1, cohorts: [Cohort(key: "beta", members: ["a", "b"])])
        let event = SyncEvent.cohortMembers(version: 2, key: "beta", MemberChange(added: ["c"], removed: ["a"]))
        let read = try #require(try SyncEvent(type: SyncEvent.Name.cohortMembers, data: try event.data()))
        #expect(read == event)
        #expect(old.applying(read).cohorts.first?.members == ["b", "c"])
        #expect(String(decoding: try event.data(), as: UTF8.self) == #"{"added":["c"],"cohort":"beta","removed":["a"],"version":2}"#)
    }

    @Test func unknownEventsAreSkippedAndMalformedOnesThrow() throws {
        #expect(try SyncEvent(type: "future-thing", data: Array("{}".utf8)) == nil)
        #expect(throws: (any Error).self) { try SyncEvent(type: SyncEvent.Name.flag, data: Array(#"{"version": "x"}"#.utf8)) }
    }

    @Test(arguments: [
        (#""production-7""#, true), (#"W/"production-7""#, true), (#""a", "production-7""#, true), ("*", true),
        (#""production-8""#, false), (#""staging-7""#, false),
    ])
    func entityTags(ifNoneMatch: String, matches: Bool) {
        let tag = EntityTag.snapshot(environment: "production", version: 7)
        #expect(tag == #""production-7""#)
        #expect(EntityTag.matches(ifNoneMatch, tag) == matches)
        #expect(EntityTag.snapshotVersion(tag, environment: "production") == 7)
    }

    @Test(arguments: [
        (#""production-12""#, Int64?.some(12)), ("production-12", 12), (#""staging-12""#, nil), (#""production-x""#, nil), ("", nil),
    ])
    func snapshotVersionsReadBack(etag: String, version: Int64?) {
        #expect(EntityTag.snapshotVersion(etag, environment: "production") == version)
    }

    @Test func usageReportsRoundTripWithRFC3339Dates() throws {
        let report = UsageReport(
            counts: [.init(flag: "checkout", variant: "on", count: 1 << 40)],
            from: Date(timeIntervalSince1970: 1_790_000_000), to: Date(timeIntervalSince1970: 1_790_000_060))
        let bytes = try ClutchJSON.encode(report)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains(#""from":"2026-09-21T"#), "\(text)")
        #expect(try JSONDecoder().decode(UsageReport.self, from: bytes) == report)
        #expect(throws: (any Error).self) {
            try JSONDecoder().decode(UsageReport.self, from: Data(#"{"counts": [], "from": "yesterday"}"#.utf8))
        }
    }
}
