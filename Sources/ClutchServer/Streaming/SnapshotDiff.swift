import ClutchCore
import ClutchProtocol

/// The stream events that turn one snapshot of an environment into the next, as
/// ``SyncEvent`` (the protocol both sides import) defines them, rendered for the wire.
enum SnapshotDiff {
    static func events(from old: Snapshot, to new: Snapshot) -> [StreamEvent] {
        let parts = SyncEvent.events(from: old, to: new).map { event in
            (name: event.name, data: (try? event.data()) ?? Array("{}".utf8))
        }
        return events(parts, version: new.version)
    }

    /// The events of one change, from its delta and the encoding after it (no re-encoding:
    /// the fragments are the ones the snapshot document is made of, wrapped by
    /// ``SyncEvent/changeData(_:json:version:)`` as ``SyncEvent/data()`` wraps a fresh encoding).
    /// Same order and bytes as ``events(from:to:)`` gives for the same change.
    static func events(for delta: SnapshotDelta, encoded: EncodedSnapshot) -> [StreamEvent] {
        let version = delta.version
        var parts: [(name: String, data: [UInt8])] = []
        func render(_ event: SyncEvent) -> (name: String, data: [UInt8]) {
            (event.name, (try? event.data()) ?? Array("{}".utf8))
        }
        for key in delta.cohorts.keys.sorted() {
            if (delta.cohorts[key] ?? nil) != nil, let fragment = encoded.cohortJSON(key) {
                parts.append((SyncEvent.Name.cohort, SyncEvent.changeData(.cohort, json: fragment, version: version)))
            }
        }
        // A membership change carries the members it names, never the whole cohort.
        for key in delta.members.keys.sorted() where delta.cohorts[key] == nil {
            guard let change = delta.members[key] else { continue }
            parts.append(render(.cohortMembers(version: version, key: key, change)))
        }
        for key in delta.flags.keys.sorted() {
            if (delta.flags[key] ?? nil) != nil, let fragment = encoded.flagJSON(key) {
                parts.append((SyncEvent.Name.flag, SyncEvent.changeData(.flag, json: fragment, version: version)))
            }
        }
        for key in delta.flags.keys.sorted() where delta.flags[key] == .some(nil) {
            parts.append(render(.flagDeleted(version: version, key: key)))
        }
        for key in delta.cohorts.keys.sorted() where delta.cohorts[key] == .some(nil) {
            parts.append(render(.cohortDeleted(version: version, key: key)))
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
}
