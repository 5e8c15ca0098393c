import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A Server-Sent-Events reader over `URLSessionDataDelegate` (`bytes(for:)` is missing on Linux).
final class SSEClient: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    struct Event: Sendable, Equatable {
        var name: String
        var id: String?
        var data: String
    }

    private let lock = NSLock()
    private var received = Data()
    private var statusCode: Int?
    private var finished = false
    private var session: URLSession?

    /// Opens `/sdk/v1/stream` on `port` with `key`.
    convenience init(port: Int, key: String, lastEventID: String? = nil) {
        var headers = ["Authorization": "Bearer \(key)"]
        if let lastEventID { headers["Last-Event-ID"] = lastEventID }
        self.init(port: port, path: "/sdk/v1/stream", headers: headers)
    }

    /// Opens the stream at `path` on `port` with `headers` (a console stream sends its session
    /// cookie); `body` makes it a POST (the client stream sends its context).
    init(port: Int, path: String, headers: [String: String], body: String? = nil) {
        super.init()
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 60
        let session = URLSession(configuration: configuration, delegate: self, delegateQueue: nil)
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)") ?? URL(fileURLWithPath: "/"))
        request.setValue("text/event-stream", forHTTPHeaderField: "Accept")
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let body {
            request.httpMethod = "POST"
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        lock.withLock { self.session = session }
        session.dataTask(with: request).resume()
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        lock.withLock { statusCode = (response as? HTTPURLResponse)?.statusCode }
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        lock.withLock { received.append(data) }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        lock.withLock { finished = true }
    }

    var text: String { lock.withLock { String(decoding: received, as: UTF8.self) } }
    var status: Int? { lock.withLock { statusCode } }
    /// Whether the server ended the stream (or the connection failed).
    var isFinished: Bool { lock.withLock { finished } }

    /// Complete events so far (comments left out).
    var events: [Event] {
        var events: [Event] = []
        for block in text.components(separatedBy: "\n\n") {
            var event = Event(name: "message", id: nil, data: "")
            var hasData = false
            for line in block.split(separator: "\n", omittingEmptySubsequences: true) {
                if line.hasPrefix("event: ") { event.name = String(line.dropFirst(7)) }
                if line.hasPrefix("id: ") { event.id = String(line.dropFirst(4)) }
                if line.hasPrefix("data: ") {
                    event.data = String(line.dropFirst(6))
                    hasData = true
                }
            }
            if hasData { events.append(event) }
        }
        return events
    }

    /// Waits until `condition` holds for this client, for at most `timeout`.
    func wait(timeout: Duration = .seconds(10), until condition: (SSEClient) -> Bool) async throws -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            if condition(self) { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return condition(self)
    }

    func close() {
        lock.withLock { session }?.invalidateAndCancel()
    }
}
