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
/// (``EngineRegistry/changes(_:since:)``); each flag's last answer is kept as a digest of its
/// bytes. Changes that come while an event is being written are folded into the next look at
/// the registry, so a slow client gets the latest answers, not every step between.
struct ClientValuesFormat: StreamFormat {
    /// The context: kept in memory for this connection only, never stored or logged.
    let context: EvaluationContext
    let environment: String
    let registry: EngineRegistry
    /// Told the evaluations each event serves (usage counted by the server, metrics).
    let served: @Sendable (_ results: [EvaluationResult]) -> Void
    /// The version the answers below are of; nothing sent yet before the first event.
    private var version: Int64 = -1
    /// Each flag's answer as last sent, as a digest of its item's bytes.
    private var answers: [String: UInt64] = [:]

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
        return [event(name: ClientStreamEventName.values, live: live, keys: live.sortedFlagKeys, onlyChanged: false)]
    }

    /// What changed for this context since the last event, whatever the message; heartbeats pass.
    mutating func next(_ buffer: ByteBuffer) -> ByteBuffer? {
        let heartbeat = buffer.readableBytesView.elementsEqual(StreamEvent.heartbeat.readableBytesView)
        var out: ByteBuffer?
        if let (live, changed) = registry.changes(environment, since: version), live.version > version {
            let keys = changed.map { Array($0).sorted() } ?? Array(Set(live.sortedFlagKeys).union(answers.keys)).sorted()
            let event = event(name: ClientStreamEventName.changed, live: live, keys: keys, onlyChanged: true)
            if event.readableBytes > 0 { out = event }
        }
        guard heartbeat else { return out }
        guard var combined = out else { return buffer }
        combined.writeImmutableBuffer(buffer)
        return combined
    }

    /// The event named `name` with the answers of `keys` that differ from those last sent (all
    /// of them for `values`), or an empty buffer when none does.
    private mutating func event(name: String, live: LiveEnvironment, keys: [String], onlyChanged: Bool) -> ByteBuffer {
        let engine = live.engine
        version = live.version
        var items = ByteBuffer()
        var removed: [String] = []
        var results: [EvaluationResult] = []
        var item = ByteBuffer()
        for key in keys {
            guard engine.contains(key) else {
                if answers.removeValue(forKey: key) != nil { removed.append(key) }
                continue
            }
            let result = engine.evaluate(key, context: context)
            item.clear()
            OFREPController.writeItem(result, key: key, kind: .client, to: &item)
            let digest = ETag.hash(bytes: item.readableBytesView)
            if onlyChanged, answers[key] == digest { continue }
            answers[key] = digest
            if !results.isEmpty { items.writeStaticString(",") }
            items.writeImmutableBuffer(item)
            results.append(result)
        }
        if onlyChanged, results.isEmpty, removed.isEmpty { return ByteBuffer() }
        served(results)
        var wire = ByteBuffer()
        wire.reserveCapacity(items.readableBytes + 64)
        wire.writeString("event: \(name)\nid: \(live.version)\ndata: {\"flags\":[")
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
