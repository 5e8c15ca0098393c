import Testing

@testable import Clutch

@Suite("SSE parser")
struct ServerSentEventParserTests {
    @Test("event, id and data fields make one event on a blank line")
    func simpleEvent() {
        var parser = ServerSentEventParser()
        let events = parser.parse(Array("event: flag\nid: 7\ndata: {\"a\":1}\n\n".utf8))
        #expect(events == [ServerSentEvent(type: "flag", data: "{\"a\":1}", lastEventID: "7")])
        #expect(parser.lastEventID == "7")
    }

    @Test("several data lines are joined with line feeds")
    func multiLineData() {
        var parser = ServerSentEventParser()
        let events = parser.parse(Array("data: first\ndata:second\ndata\n\n".utf8))
        #expect(events.map(\.data) == ["first\nsecond\n"])
        #expect(events.map(\.type) == ["message"])
    }

    @Test("comments are counted and produce no events")
    func comments() {
        var parser = ServerSentEventParser()
        let events = parser.parse(Array(": heartbeat\n\n: heartbeat\n".utf8))
        #expect(events.isEmpty)
        #expect(parser.comments == 2)
    }

    @Test("an event without data is not dispatched, but its id is kept")
    func idOnly() {
        var parser = ServerSentEventParser()
        #expect(parser.parse(Array("id: 42\nevent: snapshot\n\n".utf8)).isEmpty)
        let events = parser.parse(Array("data: x\n\n".utf8))
        #expect(events == [ServerSentEvent(type: "message", data: "x", lastEventID: "42")])
    }

    @Test("CRLF, CR and LF all end lines, also when split between chunks", arguments: ["\r\n", "\r", "\n"])
    func lineEndings(ending: String) {
        let text = "event: flag" + ending + "data: one" + ending + ending + "data: two" + ending + ending
        let bytes = Array(text.utf8)
        // Every split point, so that a CRLF torn between chunks is covered.
        for split in 0...bytes.count {
            var parser = ServerSentEventParser()
            let events = parser.parse(bytes[..<split]) + parser.parse(bytes[split...])
            #expect(events.map(\.data) == ["one", "two"], "split at \(split)")
            #expect(events.map(\.type) == ["flag", "message"], "split at \(split)")
        }
    }

    @Test("byte-at-a-time input gives the same events")
    func byteAtATime() {
        let text = "\u{FEFF}event: snapshot\nid: 3\ndata: {\"version\": 3}\n\n: hb\n\nevent: flag\nid: 4\ndata: é\n\n"
        var parser = ServerSentEventParser()
        var events: [ServerSentEvent] = []
        for byte in text.utf8 { events += parser.parse([byte]) }
        #expect(events == [
            ServerSentEvent(type: "snapshot", data: "{\"version\": 3}", lastEventID: "3"),
            ServerSentEvent(type: "flag", data: "é", lastEventID: "4"),
        ])
    }

    @Test("retry sets the reconnection delay; unknown fields and bad retries are ignored")
    func retryAndUnknownFields() {
        var parser = ServerSentEventParser()
        let events = parser.parse(Array("retry: 1500\nfoo: bar\nretry: soon\ndata: x\n\n".utf8))
        #expect(parser.retry == .milliseconds(1500))
        #expect(events.count == 1)
    }

    @Test("an unfinished event is not dispatched")
    func unfinished() {
        var parser = ServerSentEventParser()
        #expect(parser.parse(Array("event: flag\ndata: partial\n".utf8)).isEmpty)
    }
}
