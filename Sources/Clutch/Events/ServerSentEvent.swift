/// One event of a `text/event-stream`.
public struct ServerSentEvent: Sendable, Hashable {
    /// The `event:` field; `message` when the event had none.
    public var type: String
    /// The `data:` lines joined with line feeds.
    public var data: String
    /// The last event id seen when this event was dispatched (what `Last-Event-ID` sends
    /// on reconnect); empty when the stream has sent none.
    public var lastEventID: String

    public init(type: String = "message", data: String, lastEventID: String = "") {
        self.type = type
        self.data = data
        self.lastEventID = lastEventID
    }
}
