import AsyncHTTPClient
import Foundation
import Synchronization

/// Steady OFREP load: `workers` loops, each evaluating one flag (`POST
/// /ofrep/v1/evaluate/flags/{key}`) and then pausing `pause`, so the rate stays modest on a
/// small machine. Every answer that is not a 200 with a `value`, and every request that
/// fails outright, is a failed evaluation.
public final class OFREPLoad: Sendable {
    /// What the load saw.
    public struct Figures: Sendable {
        public var evaluations = 0
        public var failures = 0
        /// The first few failures, for the report.
        public var failureSamples: [String] = []
        /// Every successful evaluation's latency, ms.
        public var latencies: [Double] = []
    }

    private let state = Mutex(Figures())
    private let running = Atomic<Bool>(true)
    private let task = Mutex<Task<Void, Never>?>(nil)

    public init(client: HTTPClient, url: String, key: String, flag: String, workers: Int = 4, pause: Duration = .milliseconds(10)) {
        let endpoint = "\(url)/ofrep/v1/evaluate/flags/\(flag)"
        let loop = Task { [self] in
            await withTaskGroup(of: Void.self) { group in
                for worker in 0..<workers {
                    group.addTask {
                        var n = 0
                        while self.running.load(ordering: .relaxed) {
                            n += 1
                            let body = #"{"context": {"targetingKey": "user-\#(worker)-\#(n % 1000)"}}"#
                            let start = ContinuousClock.now
                            var failure: String?
                            do {
                                let reply = try await DrillHTTP.call(client, .POST, endpoint, body: body, bearer: key, timeout: .seconds(20))
                                if reply.status != 200 || !reply.body.contains(#""value""#) {
                                    failure = "\(reply.status) \(reply.body.prefix(200))"
                                }
                            } catch {
                                // When, to find the request in HAProxy's log.
                                failure = "\(error) at \(Date().formatted(.iso8601.time(includingFractionalSeconds: true)))"
                            }
                            let elapsed = (ContinuousClock.now - start).milliseconds
                            self.state.withLock { figures in
                                figures.evaluations += 1
                                if let failure {
                                    figures.failures += 1
                                    if figures.failureSamples.count < 10 { figures.failureSamples.append(failure) }
                                } else {
                                    figures.latencies.append(elapsed)
                                }
                            }
                            try? await Task.sleep(for: pause)
                        }
                    }
                }
            }
        }
        task.withLock { $0 = loop }
    }

    /// The figures so far.
    public var figures: Figures { state.withLock { $0 } }

    /// Forgets what was measured so far (after warming up).
    public func reset() { state.withLock { $0 = Figures() } }

    /// Stops the load (each worker finishes its request in flight) and returns the figures.
    public func stop() async -> Figures {
        running.store(false, ordering: .relaxed)
        await task.withLock { $0 }?.value
        return figures
    }
}
