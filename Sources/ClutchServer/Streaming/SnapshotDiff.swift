import ClutchCore

/// The stream events that turn one snapshot of an environment into the next.
enum SnapshotDiff {
    private struct FlagEvent: Encodable { let version: Int64; let flag: Flag }
    private struct CohortEvent: Encodable { let version: Int64; let cohort: Cohort }
    private struct Deleted: Encodable { let version: Int64; let key: String }
    private struct MembersEvent: Encodable { let version: Int64; let cohort: String; let added: [String]; let removed: [String] }

    static func events(from old: Snapshot, to new: Snapshot) -> [StreamEvent] {
        let version = new.version
        var parts: [(name: String, data: [UInt8])] = []
        let oldCohorts = Dictionary(old.cohorts.map { ($0.key, $0) }, uniquingKeysWith: { _, last in last })
        let newCohorts = Dictionary(new.cohorts.map { ($0.key, $0) }, uniquingKeysWith: { _, last in last })
        // Cohorts first: a flag event may name a cohort that arrives in the same change.
        for cohort in new.cohorts where oldCohorts[cohort.key] != cohort {
            parts.append(("cohort", encode(CohortEvent(version: version, cohort: cohort))))
        }
        let oldFlags = Dictionary(old.flags.map { ($0.key, $0) }, uniquingKeysWith: { _, last in last })
        let newFlags = Dictionary(new.flags.map { ($0.key, $0) }, uniquingKeysWith: { _, last in last })
        for flag in new.flags where oldFlags[flag.key] != flag {
            parts.append(("flag", encode(FlagEvent(version: version, flag: flag))))
        }
        for key in oldFlags.keys.sorted() where newFlags[key] == nil {
            parts.append(("flag-deleted", encode(Deleted(version: version, key: key))))
        }
        for key in oldCohorts.keys.sorted() where newCohorts[key] == nil {
            parts.append(("cohort-deleted", encode(Deleted(version: version, key: key))))
        }
        return events(parts, version: version)
    }

    /// The events of one change, from its delta and the encoding after it (no re-encoding:
    /// the fragments are the ones the snapshot document is made of). Same order and bytes as
    /// ``events(from:to:)`` gives for the same change.
    static func events(for delta: SnapshotDelta, encoded: EncodedSnapshot) -> [StreamEvent] {
        let version = delta.version
        var parts: [(name: String, data: [UInt8])] = []
        func wrap(_ field: String, _ fragment: [UInt8]) -> [UInt8] {
            var data = Array("{\"\(field)\":".utf8)
            data.append(contentsOf: fragment)
            data.append(contentsOf: ",\"version\":\(version)}".utf8)
            return data
        }
        for key in delta.cohorts.keys.sorted() {
            if (delta.cohorts[key] ?? nil) != nil, let fragment = encoded.cohortJSON(key) { parts.append(("cohort", wrap("cohort", fragment))) }
        }
        // A membership change carries the members it names, never the whole cohort.
        for key in delta.members.keys.sorted() where delta.cohorts[key] == nil {
            guard let change = delta.members[key] else { continue }
            parts.append(("cohort-members", encode(MembersEvent(version: version, cohort: key, added: change.added, removed: change.removed))))
        }
        for key in delta.flags.keys.sorted() {
            if (delta.flags[key] ?? nil) != nil, let fragment = encoded.flagJSON(key) { parts.append(("flag", wrap("flag", fragment))) }
        }
        for key in delta.flags.keys.sorted() where delta.flags[key] == .some(nil) {
            parts.append(("flag-deleted", encode(Deleted(version: version, key: key))))
        }
        for key in delta.cohorts.keys.sorted() where delta.cohorts[key] == .some(nil) {
            parts.append(("cohort-deleted", encode(Deleted(version: version, key: key))))
        }
        return events(parts, version: version)
    }

    /// The events of one version: only the last carries the `id`, so a client that reconnects
    /// with `Last-Event-ID` has either all of a version or gets all of it again.
    private static func events(_ parts: [(name: String, data: [UInt8])], version: Int64) -> [StreamEvent] {
        parts.enumerated().map { index, part in
            StreamEvent.sharing(name: part.name, version: version, data: part.data, id: index == parts.count - 1).event
        }
    }

    private static func encode<T: Encodable>(_ payload: T) -> [UInt8] {
        (try? ClutchJSON.encode(payload)).map(Array.init) ?? Array("{}".utf8)
    }
}
