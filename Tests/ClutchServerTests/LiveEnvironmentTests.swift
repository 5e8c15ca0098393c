import ClutchCore
import Foundation
import NIOCore
import Testing

@testable import ClutchServer

/// A change is applied to the live state incrementally; what it serves must be byte for byte
/// what a reload of the whole environment serves.
@Suite("Incremental live state")
struct LiveEnvironmentTests {
    static func flag(_ key: String, enabled: Bool = true, cohort: String? = nil, description: String = "") -> Flag {
        let rules = cohort.map { [Rule(clauses: [.inCohort($0)], serve: .variant("on"))] } ?? []
        return Flag(key: key, description: description, environments: ["production": FlagState(enabled: enabled, rules: rules)])
    }

    static let base = Snapshot(
        environment: "production", version: 7,
        flags: [flag("alpha"), flag("beta", cohort: "pilots"), flag("gamma/slash", description: "a \"quoted\" é/ü")],
        cohorts: [Cohort(key: "pilots", members: ["acme"])])

    static let deltas: [SnapshotDelta] = [
        SnapshotDelta(version: 8, flags: ["alpha": flag("alpha", enabled: false)]),
        SnapshotDelta(version: 8, flags: ["aaa": flag("aaa"), "zzz": flag("zzz")]),
        SnapshotDelta(version: 8, flags: ["beta": nil]),
        SnapshotDelta(version: 8, cohorts: ["pilots": Cohort(key: "pilots", members: ["globex"]), "new": Cohort(key: "new", members: ["x"])]),
        SnapshotDelta(version: 8, flags: ["alpha": nil], cohorts: ["pilots": nil]),
    ]

    static func bytes(_ buffer: ByteBuffer) -> [UInt8] { Array(buffer.readableBytesView) }

    @Test func documentEqualsTheEncodedSnapshot() throws {
        let live = LiveEnvironment(snapshot: Self.base)
        #expect(Self.bytes(live.snapshotJSON) == Array(try ClutchJSON.encode(Self.base)))
        let empty = Snapshot(environment: "staging", version: 0)
        #expect(Self.bytes(LiveEnvironment(snapshot: empty).snapshotJSON) == Array(try ClutchJSON.encode(empty)))
    }

    @Test(arguments: 0..<deltas.count)
    func appliedDeltaServesWhatAFullReloadServes(_ index: Int) throws {
        let delta = Self.deltas[index]
        let before = LiveEnvironment(snapshot: Self.base)
        let incremental = before.applying(delta)
        let reloaded = LiveEnvironment(snapshot: Self.base.applying(delta))
        #expect(incremental.snapshot == reloaded.snapshot)
        #expect(Self.bytes(incremental.snapshotJSON) == Self.bytes(reloaded.snapshotJSON))
        #expect(Self.bytes(incremental.snapshotJSON) == Array(try ClutchJSON.encode(reloaded.snapshot)))
        #expect(incremental.etag == "\"production-8\"")
        #expect(incremental.sortedFlagKeys == reloaded.sortedFlagKeys)
        // The events sent for the delta are those a diff of the whole snapshots gives.
        let fromDelta = SnapshotDiff.events(for: delta, encoded: incremental.encoded).map { Self.bytes($0.wire) }
        let fromDiff = SnapshotDiff.events(from: before.snapshot, to: reloaded.snapshot).map { Self.bytes($0.wire) }
        #expect(fromDelta == fromDiff)
    }

    static let tricky = ["acme", "with \"quotes\" and \\ back/slash", "tab\tnew\nline\r", "\u{0}\u{1}\u{8}\u{C}\u{1F}\u{7F}", "é", "e\u{301}", "😀", "\u{2028}"]

    /// Membership deltas: the document is what a reload gives, byte for byte (the members are
    /// written without JSONEncoder, so tricky strings are checked), and the one event carries
    /// only the change.
    @Test(arguments: [
        MemberChange(added: ["globex"]), MemberChange(removed: ["acme"]), MemberChange(added: tricky, removed: ["acme"]),
    ])
    func membershipDeltaServesWhatAFullReloadServes(_ change: MemberChange) throws {
        let delta = SnapshotDelta(version: 8, members: ["pilots": change])
        let before = LiveEnvironment(snapshot: Self.base)
        _ = before.snapshotJSON  // built before the change, as a running server would have
        let incremental = before.applying(delta)
        let reloaded = LiveEnvironment(snapshot: Self.base.applying(delta))
        #expect(incremental.snapshot == reloaded.snapshot)
        #expect(Self.bytes(incremental.snapshotJSON) == Array(try ClutchJSON.encode(reloaded.snapshot)))
        let events = SnapshotDiff.events(for: delta, encoded: incremental.encoded).map { String(buffer: $0.wire) }
        #expect(events.count == 1)
        #expect(events.first?.hasPrefix("event: cohort-members\nid: 8\n") == true, "\(events)")
    }

    @Test func cohortsAreWrittenAsJSONEncoderWritesThem() throws {
        let cohort = Cohort(key: "c", description: "d", members: MemberOrder.sorted(Self.tricky + (0..<300).map { "m\($0)" }))
        #expect(CohortFragment(cohort).json == Array(try ClutchJSON.encode(cohort)))
        let withClauses = Cohort(key: "c", attribute: "email", clauses: [Clause(attribute: "email", .endsWith, ["@acme.com"])])
        #expect(CohortFragment(withClauses).json == Array(try ClutchJSON.encode(withClauses)))
    }

    @Test func onlyTheLastEventOfAVersionCarriesItsID() {
        let delta = SnapshotDelta(version: 8, flags: ["alpha": Self.flag("alpha", enabled: false), "beta": nil])
        let live = LiveEnvironment(snapshot: Self.base).applying(delta)
        let wires = SnapshotDiff.events(for: delta, encoded: live.encoded).map { String(buffer: $0.wire) }
        #expect(wires.count == 2)
        #expect(!wires[0].contains("\nid: "))
        #expect(wires[1].contains("\nid: 8\n"))
    }

    @Test func aChangeWithMoreEventsThanTheBacklogGoesOutAsTheSnapshot() async {
        let registry = EngineRegistry(historyLimit: 100, backlogLimit: 4)
        registry.install(LiveEnvironment(snapshot: Self.base), events: [])
        let (stream, continuation) = AsyncStream.makeStream(of: ByteBuffer.self, bufferingPolicy: .bufferingOldest(4))
        let subscriber = EngineRegistry.Subscriber(keyID: "k", continuation: continuation, close: {})
        #expect(registry.subscribe(environment: "production", subscriber: subscriber, lastEventID: nil) != nil)
        let delta = SnapshotDelta(version: 8, flags: ["a1": Self.flag("a1"), "a2": Self.flag("a2"), "a3": Self.flag("a3")])
        let live = LiveEnvironment(snapshot: Self.base).applying(delta)
        let notified = registry.install(live, events: SnapshotDiff.events(for: delta, encoded: live.encoded))
        #expect(notified == 1)
        continuation.finish()
        var received: [String] = []
        for await buffer in stream { received.append(String(buffer: buffer)) }
        // One snapshot event instead of three flag events, and the stream was not closed as slow.
        #expect(received == [String(buffer: live.snapshotEvent.wire)])
        #expect(registry.streamCount("production") == 1)
    }
}
