import ClutchAPI
import ClutchCore
import ClutchProtocol
import NIOCore

/// The client stream's events (`/sdk/v1/client/stream`, issue 28): one context's answers, never
/// the definitions they come from.
///
/// `event: values` with every flag's answer first (the items of an OFREP bulk evaluation, as
/// ``OFREPController/writeItem(_:key:kind:to:)`` writes them); then, after a change, `event:
/// changed` with only the flags whose answer for this context changed, and `removed` naming the
/// flags gone. A change that changes nothing for this context sends nothing. Each event's `id`
/// is the environment's version.
///
/// A change is evaluated for the stream's context on its connection's event loop
/// (``ClientStreamHandler``), and only for the flags the change may have changed
/// (``EngineRegistry/changes(_:since:)``). The stream keeps no answers: when it has those of the
/// version just before the current one (one change at a time, the usual case) each such flag is
/// evaluated for the context in both engines and sent when the two answers' bytes differ, so an
/// idle stream costs the same with 10 flags or 10,000. A stream that missed versions (changes
/// came while it was writing) gets the current answers of every flag those versions changed, and
/// one that cannot know what changed gets `values` again, every answer. Changes that come while
/// an event is being written are folded into the next look at the registry, so a slow client
/// gets the latest answers, not every step between.
struct ClientValuesFormat: StreamFormat {
    /// The context: kept in memory for this connection only, never stored or logged.
    let context: EvaluationContext
    let environment: String
    let registry: EngineRegistry
    /// Told the evaluations each event serves (usage counted by the server, metrics).
    let served: @Sendable (_ results: [EvaluationResult]) -> Void
    /// The version the client has the answers of; nothing sent yet before the first event.
    private var version: Int64 = -1

    init(
        context: EvaluationContext, environment: String, registry: EngineRegistry,
        served: @escaping @Sendable (_ results: [EvaluationResult]) -> Void
    ) {
        self.context = context
        self.environment = environment
        self.registry = registry
        self.served = served
    }

    /// Every answer at the current version; the SDK stream's first messages are not sent.
    mutating func first(_ buffers: [ByteBuffer]) -> [ByteBuffer] {
        guard let live = registry.live(environment) else { return [] }
        return [values(live)]
    }

    /// What changed for this context since the last event, whatever the message; heartbeats pass.
    mutating func next(_ buffer: ByteBuffer) -> ByteBuffer? {
        let heartbeat = buffer.readableBytesView.elementsEqual(StreamEvent.heartbeat.readableBytesView)
        var out: ByteBuffer?
        if let change = registry.changes(environment, since: version), change.live.version > version {
            out = event(after: change)
        }
        guard heartbeat else { return out }
        guard var combined = out else { return buffer }
        combined.writeImmutableBuffer(buffer)
        return combined
    }

    /// The event that brings the client from ``version`` to `change`'s, or `nil` when nothing
    /// changed for this context.
    private mutating func event(after change: EngineRegistry.Change) -> ByteBuffer? {
        let live = change.live
        guard let changed = change.changed ?? change.before.map({ Set(live.sortedFlagKeys).union($0.snapshot.flags.map(\.key)) }) else {
            return values(live)
        }
        version = live.version
        let engine = live.engine
        var items = ByteBuffer()
        var removed: [String] = []
        var results: [EvaluationResult] = []
        var item = ByteBuffer()
        var earlier = ByteBuffer()
        for key in changed.sorted() {
            guard engine.contains(key) else {
                // Gone: named when the client had it (or may have had it).
                if change.before?.contains(key) ?? true { removed.append(key) }
                continue
            }
            let result = engine.evaluate(key, context: context)
            item.clear()
            OFREPController.writeItem(result, key: key, kind: .client, to: &item)
            if let before = change.before, before.contains(key) {
                earlier.clear()
                OFREPController.writeItem(before.evaluate(key, context: context), key: key, kind: .client, to: &earlier)
                if earlier.readableBytesView.elementsEqual(item.readableBytesView) { continue }
            }
            if !results.isEmpty { items.writeStaticString(",") }
            items.writeImmutableBuffer(item)
            results.append(result)
        }
        if results.isEmpty, removed.isEmpty { return nil }
        served(results)
        return wire(name: ClientStreamEventName.changed, version: live.version, items: &items, removed: removed)
    }

    /// `values`: every answer at `live`'s version.
    private mutating func values(_ live: LiveEnvironment) -> ByteBuffer {
        version = live.version
        let engine = live.engine
        var items = ByteBuffer()
        var results: [EvaluationResult] = []
        results.reserveCapacity(live.sortedFlagKeys.count)
        for key in live.sortedFlagKeys {
            let result = engine.evaluate(key, context: context)
            if !results.isEmpty { items.writeStaticString(",") }
            OFREPController.writeItem(result, key: key, kind: .client, to: &items)
            results.append(result)
        }
        served(results)
        return wire(name: ClientStreamEventName.values, version: live.version, items: &items, removed: [])
    }

    /// The SSE event named `name`: `{"flags": [items], "removed": [...]}` with the version as its `id`.
    private func wire(name: String, version: Int64, items: inout ByteBuffer, removed: [String]) -> ByteBuffer {
        var wire = ByteBuffer()
        wire.reserveCapacity(items.readableBytes + 64)
        wire.writeString("event: \(name)\nid: \(version)\ndata: {\"flags\":[")
        wire.writeBuffer(&items)
        wire.writeStaticString("]")
        if !removed.isEmpty {
            wire.writeStaticString(",\"removed\":[")
            for (index, key) in removed.enumerated() {
                if index > 0 { wire.writeStaticString(",") }
                wire.writeJSONString(key)
            }
            wire.writeStaticString("]")
        }
        wire.writeStaticString("}\n\n")
        return wire
    }
}
