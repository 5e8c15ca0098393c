import NIOCore

/// One Server-Sent Event, rendered once and written to every stream of its environment.
///
/// The wire bytes are one `ByteBuffer` that every stream writes as it is: NIO keeps a
/// reference to the same storage for each connection instead of a copy, so a 5 MB snapshot
/// costs 5 MB however many streams are sending it.
struct StreamEvent: Sendable {
    /// The snapshot version the event leads to; the SSE `id`.
    let version: Int64
    /// The SSE wire bytes, ending with the blank line that completes an event.
    let wire: ByteBuffer

    /// An event whose data is `data`, and the data as a slice of the event's own bytes (no copy).
    /// `id` false leaves out the `id:` line: every event of a version but the last goes without,
    /// so that a client's Last-Event-ID only moves once it has the whole version.
    static func sharing(
        name: String, version: Int64, data: some Collection<UInt8>, id: Bool = true
    ) -> (event: StreamEvent, data: ByteBuffer) {
        var wire = ByteBuffer()
        wire.reserveCapacity(data.count + name.utf8.count + 32)
        wire.writeString(id ? "event: \(name)\nid: \(version)\ndata: " : "event: \(name)\ndata: ")
        let start = wire.writerIndex
        wire.writeBytes(data)
        wire.writeString("\n\n")
        // Sliced after the last write, so the slice and the event share one storage.
        let slice = wire.getSlice(at: start, length: data.count) ?? ByteBuffer(bytes: data)
        return (StreamEvent(version: version, wire: wire), slice)
    }

    private init(version: Int64, wire: ByteBuffer) {
        self.version = version
        self.wire = wire
    }

    /// The comment that keeps idle connections alive and reveals dead ones.
    static let heartbeat = ByteBuffer(string: ": heartbeat\n\n")
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
