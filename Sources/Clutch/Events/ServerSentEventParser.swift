/// Turns the bytes of a `text/event-stream` into events, following the WHATWG HTML
/// "event stream interpretation": lines end in CRLF, LF or CR (also split across chunks);
/// `:` lines are comments (heartbeats); `data:` lines accumulate; a blank line dispatches;
/// `id:` persists across events; an event without data is not dispatched.
///
/// Pure and incremental: feed chunks as they arrive, in any sizes.
public struct ServerSentEventParser: Sendable {
    /// The id sent by the last `id:` field, for `Last-Event-ID`.
    public private(set) var lastEventID = ""
    /// The reconnection delay the server asked for with `retry:`, if any.
    public private(set) var retry: Duration?
    /// The number of comment lines seen (the server's heartbeats are comments).
    public private(set) var comments = 0

    private var line: [UInt8] = []
    private var eventType = ""
    private var data = ""
    private var hasData = false
    private var lastWasCR = false
    private var atStart = true

    public init() {}

    /// Consumes `bytes` and returns the events they complete.
    public mutating func parse(_ bytes: some Sequence<UInt8>) -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        for byte in bytes {
            if lastWasCR {
                lastWasCR = false
                if byte == 0x0A { continue }  // the LF of a CRLF split from its CR
            }
            switch byte {
            case 0x0D:
                lastWasCR = true
                endLine(into: &events)
            case 0x0A:
                endLine(into: &events)
            default:
                line.append(byte)
            }
        }
        return events
    }

    private mutating func endLine(into events: inout [ServerSentEvent]) {
        defer { line.removeAll(keepingCapacity: true) }
        if atStart {
            atStart = false
            if line.starts(with: [0xEF, 0xBB, 0xBF]) { line.removeFirst(3) }  // a UTF-8 byte order mark
        }
        guard let first = line.first else {
            dispatch(into: &events)
            return
        }
        if first == UInt8(ascii: ":") {
            comments += 1
            return
        }
        let field: String
        let value: Substring
        if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
            field = String(decoding: line[..<colon], as: UTF8.self)
            var start = colon + 1
            if start < line.endIndex, line[start] == UInt8(ascii: " ") { start += 1 }
            value = Substring(String(decoding: line[start...], as: UTF8.self))
        } else {
            field = String(decoding: line, as: UTF8.self)
            value = ""
        }
        switch field {
        case "event":
            eventType = String(value)
        case "data":
            if hasData { data += "\n" }
            data += value
            hasData = true
        case "id":
            if !value.contains("\0") { lastEventID = String(value) }
        case "retry":
            if !value.isEmpty, value.allSatisfy(\.isASCII), value.allSatisfy(\.isNumber), let ms = Int64(value) {
                retry = .milliseconds(ms)
            }
        default:
            break  // unknown fields are ignored
        }
    }

    private mutating func dispatch(into events: inout [ServerSentEvent]) {
        defer {
            eventType = ""
            data = ""
            hasData = false
        }
        guard hasData else { return }
        events.append(ServerSentEvent(type: eventType.isEmpty ? "message" : eventType, data: data, lastEventID: lastEventID))
    }
}
