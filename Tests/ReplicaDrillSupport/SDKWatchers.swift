import Clutch
import Foundation
import Logging
import Synchronization
import TestSupport

/// Swift SDK clients (``ClutchClient``, streaming `/sdk/v1/stream`) connected through the proxy,
/// each reading the counter flag every 20 ms. Their longest stale period: for every change
/// acknowledged at time t (``committed(_:)``), how long after t a client first served that
/// value or a later one — the longest such wait over every change and client, including
/// changes a client has not caught up with yet.
public final class SDKWatchers: Sendable {
    private struct State {
        /// Acknowledged values and when.
        var commits: [Int: ContinuousClock.Instant] = [:]
        /// The highest value each client has served.
        var seen: [Int]
        var longest: Duration = .zero
    }

    public let clients: [ClutchClient]
    private let flag: String
    private let state: Mutex<State>
    private let poller = Mutex<Task<Void, Never>?>(nil)

    /// Starts `count` clients and waits until each serves flags from the server.
    public init(count: Int, url: String, key: String, flag: String) async throws {
        guard let server = URL(string: url) else { throw TestFailure("bad proxy URL \(url)") }
        var logger = Logger(label: "clutch.drill.sdk")
        logger.logLevel = .critical
        let clients = (0..<count).map { _ in
            ClutchClient(configuration: ClutchConfiguration(
                serverURL: server, sdkKey: key, cacheDirectory: nil, usageInterval: .seconds(5), logger: logger))
        }
        self.clients = clients
        self.flag = flag
        state = Mutex(State(seen: Array(repeating: Int.min, count: count)))
        do {
            for client in clients { try await client.waitUntilReady(timeout: .seconds(60)) }
        } catch {
            for client in clients { await client.close() }
            throw error
        }
        let task = Task { [self] in
            while !Task.isCancelled {
                sample()
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
        poller.withLock { $0 = task }
    }

    /// Records that `value` was acknowledged now.
    public func committed(_ value: Int) {
        let now = ContinuousClock.now
        state.withLock { $0.commits[value] = now }
    }

    /// What each client serves now.
    public var values: [Int] { clients.map { $0.integer(flag, default: Int.min) } }

    /// The longest stale period so far (changes not yet served count up to now).
    public var longestStale: Duration {
        sample()
        return state.withLock { state in
            let now = ContinuousClock.now
            var longest = state.longest
            let behind = state.seen.min() ?? Int.min
            for (value, at) in state.commits where value > behind {
                longest = max(longest, now - at)
            }
            return longest
        }
    }

    private func sample() {
        let values = self.values
        let now = ContinuousClock.now
        state.withLock { state in
            for (index, value) in values.enumerated() where value > state.seen[index] {
                for (committed, at) in state.commits where committed > state.seen[index] && committed <= value {
                    state.longest = max(state.longest, now - at)
                }
                state.seen[index] = value
            }
        }
    }

    /// Closes every client.
    public func close() async {
        poller.withLock { $0 }?.cancel()
        for client in clients { await client.close() }
    }
}
