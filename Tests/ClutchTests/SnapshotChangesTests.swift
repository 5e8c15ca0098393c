import ClutchProtocol
import Foundation
import Testing

@testable import Clutch

@Suite("Stream events")
struct SnapshotChangesTests {
    private func event(_ type: String, _ json: String) throws -> SyncEvent {
        try #require(try SyncEvent(type: type, data: (json).utf8))
    }

    @Test("a flag event replaces or adds the flag and moves the version")
    func flagEvent() throws {
        let base = Fixtures.snapshot(version: 3)
        let change = try event("flag", #"{"version": 4, "flag": {"key": "dormant", "environments": {"production": {"enabled": true}}}}"#)
        let next = base.applying(change)
        #expect(next.version == 4)
        #expect(next.flags.first { $0.key == "dormant" }?.state(in: "production").enabled == true)
        #expect(next.changedFlagKeys(since: base) == ["dormant"])

        let added = next.applying(try event("flag", #"{"version": 5, "flag": {"key": "fresh"}}"#))
        #expect(added.flags.map(\.key).contains("fresh"))
        #expect(added.changedFlagKeys(since: next) == ["fresh"])
    }

    @Test("deletions remove flags and cohorts")
    func deletions() throws {
        let base = Fixtures.snapshot(version: 3)
        let next = base.applying(try event("flag-deleted", #"{"version": 4, "key": "banner"}"#))
        #expect(!next.flags.contains { $0.key == "banner" })
        #expect(next.changedFlagKeys(since: base) == ["banner"])
        let noCohort = next.applying(try event("cohort-deleted", #"{"version": 5, "key": "beta"}"#))
        #expect(noCohort.cohorts.isEmpty)
    }

    @Test("a cohort change reports the flags whose rules name the cohort")
    func cohortEvent() throws {
        let base = Fixtures.snapshot(version: 3)
        let next = base.applying(try event("cohort", #"{"version": 4, "cohort": {"key": "beta", "members": ["initech"]}}"#))
        #expect(next.cohorts.first?.members == ["initech"])
        #expect(next.changedFlagKeys(since: base) == ["new-checkout"])
    }

    @Test("replayed changes older than the snapshot change nothing")
    func replay() throws {
        let base = Fixtures.snapshot(version: 10)
        let stale = try event("flag-deleted", #"{"version": 9, "key": "banner"}"#)
        #expect(base.applying(stale) == base)
    }

    @Test("unknown event types are skipped; malformed known ones throw")
    func unknownAndMalformed() throws {
        #expect(try SyncEvent(type: "future-thing", data: ("{}").utf8) == nil)
        #expect(throws: (any Error).self) { try SyncEvent(type: "flag", data: ("{\"version\": \"x\"}").utf8) }
        #expect(throws: (any Error).self) { try SyncEvent(type: "snapshot", data: ("not json").utf8) }
    }

    @Test("a snapshot event decodes the engine's JSON form")
    func snapshotEvent() throws {
        let snapshot = Fixtures.snapshot(version: 8)
        let json = String(decoding: try ClutchJSON.encode(snapshot), as: UTF8.self)
        #expect(try event("snapshot", json) == .snapshot(snapshot))
        #expect(snapshot.entityTag == "\"production-8\"")
    }
}
