import ClutchCore

/// The stream events that turn one snapshot of an environment into the next.
enum SnapshotDiff {
    private struct FlagEvent: Encodable { let version: Int64; let flag: Flag }
    private struct CohortEvent: Encodable { let version: Int64; let cohort: Cohort }
    private struct Deleted: Encodable { let version: Int64; let key: String }

    static func events(from old: Snapshot, to new: Snapshot) -> [StreamEvent] {
        let version = new.version
        var events: [StreamEvent] = []
        let oldCohorts = Dictionary(old.cohorts.map { ($0.key, $0) }, uniquingKeysWith: { _, last in last })
        let newCohorts = Dictionary(new.cohorts.map { ($0.key, $0) }, uniquingKeysWith: { _, last in last })
        // Cohorts first: a flag event may name a cohort that arrives in the same change.
        for cohort in new.cohorts where oldCohorts[cohort.key] != cohort {
            events.append(event("cohort", version, CohortEvent(version: version, cohort: cohort)))
        }
        let oldFlags = Dictionary(old.flags.map { ($0.key, $0) }, uniquingKeysWith: { _, last in last })
        let newFlags = Dictionary(new.flags.map { ($0.key, $0) }, uniquingKeysWith: { _, last in last })
        for flag in new.flags where oldFlags[flag.key] != flag {
            events.append(event("flag", version, FlagEvent(version: version, flag: flag)))
        }
        for key in oldFlags.keys.sorted() where newFlags[key] == nil {
            events.append(event("flag-deleted", version, Deleted(version: version, key: key)))
        }
        for key in oldCohorts.keys.sorted() where newCohorts[key] == nil {
            events.append(event("cohort-deleted", version, Deleted(version: version, key: key)))
        }
        return events
    }

    /// The events of one change, from its delta and the encoding after it (no re-encoding:
    /// the fragments are the ones the snapshot document is made of). Same order and bytes as
    /// ``events(from:to:)`` gives for the same change.
    static func events(for delta: SnapshotDelta, encoded: EncodedSnapshot) -> [StreamEvent] {
        let version = delta.version
        var events: [StreamEvent] = []
        func wrap(_ name: String, _ field: String, _ fragment: [UInt8]) -> StreamEvent {
            var data = Array("{\"\(field)\":".utf8)
            data.append(contentsOf: fragment)
            data.append(contentsOf: ",\"version\":\(version)}".utf8)
            return StreamEvent.sharing(name: name, version: version, data: data).event
        }
        for key in delta.cohorts.keys.sorted() {
            if (delta.cohorts[key] ?? nil) != nil, let fragment = encoded.cohortJSON(key) { events.append(wrap("cohort", "cohort", fragment)) }
        }
        for key in delta.flags.keys.sorted() {
            if (delta.flags[key] ?? nil) != nil, let fragment = encoded.flagJSON(key) { events.append(wrap("flag", "flag", fragment)) }
        }
        for key in delta.flags.keys.sorted() where delta.flags[key] == .some(nil) {
            events.append(event("flag-deleted", version, Deleted(version: version, key: key)))
        }
        for key in delta.cohorts.keys.sorted() where delta.cohorts[key] == .some(nil) {
            events.append(event("cohort-deleted", version, Deleted(version: version, key: key)))
        }
        return events
    }

    private static func event<T: Encodable>(_ name: String, _ version: Int64, _ payload: T) -> StreamEvent {
        let data = (try? ClutchJSON.encode(payload)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return StreamEvent(name: name, version: version, data: data)
    }
}
