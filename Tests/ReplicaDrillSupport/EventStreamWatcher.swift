import AsyncHTTPClient
import Foundation
import NIOCore
import Synchronization
import TestSupport

/// One SDK stream (`GET /sdk/v1/stream`) read with AsyncHTTPClient, recording when each `flag`
/// event arrived: what the propagation figures measure (a change made on one replica, seen
/// on streams held on others).
public final class EventStreamWatcher: Sendable {
    private struct State {
        var connected = false
        var flagEvents: [ContinuousClock.Instant] = []
        var failure: String?
    }

    private let state = Mutex(State())
    private let task = Mutex<Task<Void, Never>?>(nil)

    /// Opens the stream on `url` (a replica's base URL); ``waitConnected(timeout:)`` waits for
    /// its first event (the snapshot).
    public init(client: HTTPClient, url: String, key: String) {
        let loop = Task { [self] in
            do {
                var request = HTTPClientRequest(url: "\(url)/sdk/v1/stream")
                request.headers.add(name: "Authorization", value: "Bearer \(key)")
                request.headers.add(name: "Accept", value: "text/event-stream")
                let response = try await client.execute(request, timeout: .hours(24))
                guard response.status == .ok else {
                    self.state.withLock { $0.failure = "HTTP \(response.status.code)" }
                    return
                }
                var pending = ""
                var name = ""
                for try await buffer in response.body {
                    pending += String(buffer: buffer)
                    while let newline = pending.firstIndex(of: "\n") {
                        let line = String(pending[..<newline])
                        pending = String(pending[pending.index(after: newline)...])
                        if line.hasPrefix("event:") {
                            name = line.dropFirst(6).trimmingCharacters(in: .whitespaces)
                        } else if line.isEmpty, !name.isEmpty {
                            let arrived = ContinuousClock.now
                            let event = name
                            name = ""
                            self.state.withLock { state in
                                state.connected = true
                                if event == "flag" { state.flagEvents.append(arrived) }
                            }
                        }
                    }
                }
                self.state.withLock { $0.failure = $0.failure ?? "the stream ended" }
            } catch {
                self.state.withLock { $0.failure = $0.failure ?? "\(error)" }
            }
        }
        task.withLock { $0 = loop }
    }

    /// When each `flag` event arrived, in order.
    public var flagEvents: [ContinuousClock.Instant] { state.withLock { $0.flagEvents } }
    /// Why the stream ended, if it did.
    public var failure: String? { state.withLock { $0.failure } }

    /// Waits (bounded) until the first event arrived; throws if the stream failed first.
    public func waitConnected(timeout: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now + timeout
        while true {
            let (connected, failure) = state.withLock { ($0.connected, $0.failure) }
            if connected { return }
            if let failure { throw TestFailure("stream failed: \(failure)") }
            guard ContinuousClock.now < deadline else { throw TestFailure("no stream event within \(timeout)") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Closes the stream.
    public func close() {
        task.withLock { $0 }?.cancel()
    }
}

/// Changes made one at a time through `change`, each timed until every watcher has its event:
/// the per-stream latencies in ms (from sending the change), `changes × watchers` samples.
public func measurePropagation(
    changes: Int, watchers: [EventStreamWatcher], timeout: Duration = .seconds(30), change: (Int) async throws -> Void
) async throws -> [Double] {
    var samples: [Double] = []
    for n in 1...changes {
        let before = watchers.map { $0.flagEvents.count }
        let sent = ContinuousClock.now
        try await change(n)
        let deadline = ContinuousClock.now + timeout
        while zip(watchers, before).contains(where: { $0.flagEvents.count <= $1 }) {
            if let failed = watchers.first(where: { $0.failure != nil }) { throw TestFailure("a stream failed: \(failed.failure ?? "")") }
            guard ContinuousClock.now < deadline else { throw TestFailure("change \(n) did not reach every stream within \(timeout)") }
            try await Task.sleep(for: .milliseconds(5))
        }
        for (watcher, count) in zip(watchers, before) {
            samples.append((watcher.flagEvents[count] - sent).milliseconds)
        }
    }
    return samples
}
