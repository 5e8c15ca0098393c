/// One Server-Sent Event, rendered once and written to every stream of its environment.
struct StreamEvent: Sendable {
    /// The snapshot version the event leads to; the SSE `id`.
    let version: Int64
    /// The SSE wire text, ending with the blank line that completes an event.
    let wire: String

    init(name: String, version: Int64, data: String) {
        self.version = version
        self.wire = "event: \(name)\nid: \(version)\ndata: \(data)\n\n"
    }

    /// The comment that keeps idle connections alive and reveals dead ones.
    static let heartbeat = ": heartbeat\n\n"
}

/// The latest events of one environment, for `Last-Event-ID` catch-up.
struct EventHistory: Sendable {
    private(set) var events: [StreamEvent] = []
    /// Every event after this version is in `events`.
    private(set) var coveredFrom: Int64
    let limit: Int

    init(from version: Int64, limit: Int) {
        self.coveredFrom = version
        self.limit = max(1, limit)
    }

    mutating func append(_ new: [StreamEvent]) {
        events.append(contentsOf: new)
        if events.count > limit {
            let dropped = events.count - limit
            // Drop whole versions so that a version is either complete or not covered at all.
            var cut = dropped
            let lastDropped = events[cut - 1].version
            while cut < events.count, events[cut].version == lastDropped { cut += 1 }
            coveredFrom = lastDropped
            events.removeFirst(cut)
        }
    }

    /// The events after `version`, or `nil` when some of them are no longer kept.
    func events(after version: Int64, current: Int64) -> [StreamEvent]? {
        guard version >= coveredFrom, version <= current else { return nil }
        return events.filter { $0.version > version }
    }
}
