import Foundation
import Synchronization
import TestSupport

/// The rolling-upgrade drill of issue 14 on a ``ReplicaCluster``: under steady OFREP load
/// through the proxy, with SDK clients streaming through it and the counter flag changed
/// through it every `changeEvery`, each replica in turn is drained (SIGTERM), stopped,
/// started again and brought back into rotation, `rounds` times over.
public enum RollingUpgradeDrill {
    public struct Report: Sendable {
        public var evaluations = 0
        public var failedEvaluations = 0
        public var failureSamples: [String] = []
        /// OFREP latencies through the proxy during the drill, ms.
        public var latencies = Percentiles([])
        public var longestStale: Duration = .zero
        public var restarts = 0
        /// Restarts whose old process exited by itself after SIGTERM (drained, then stopped).
        public var exitedOnTheirOwn = 0
        public var changesAcknowledged = 0
        public var changesRefused: [String] = []
        /// The last change's value, and what each SDK client served at the end.
        public var finalValue = 0
        public var clientValues: [Int] = []
    }

    public static func run(
        cluster: ReplicaCluster, rounds: Int, sdkClients: Int = 6, loadWorkers: Int = 4, pause: Duration = .milliseconds(10),
        changeEvery: Duration = .milliseconds(700), log: @Sendable (String) -> Void = { _ in }
    ) async throws -> Report {
        var report = Report()
        let watchers = try await SDKWatchers(count: sdkClients, url: cluster.proxyURL, key: cluster.sdkKey, flag: ReplicaCluster.counterFlag)
        let load = OFREPLoad(
            client: cluster.client, url: cluster.proxyURL, key: cluster.sdkKey, flag: ReplicaCluster.counterFlag,
            workers: loadWorkers, pause: pause)
        let changes = Shared((acknowledged: 0, last: 0, refused: [String]()))
        // Stopped by this flag, not by cancellation: the change in flight is let finish.
        let writing = Shared(true)
        let writer = Task {
            var n = 0
            while writing.withLock({ $0 }) {
                n += 1
                do {
                    let reply = try await cluster.setCounter(n)
                    if reply.status == 200 {
                        watchers.committed(n)
                        changes.withLock { $0.acknowledged += 1; $0.last = n }
                    } else {
                        changes.withLock { $0.refused.append("\(reply.status) \(reply.body.prefix(200))") }
                    }
                } catch {
                    changes.withLock { $0.refused.append("\(error)") }
                }
                try? await Task.sleep(for: changeEvery)
            }
            return n
        }
        do {
            for round in 1...rounds {
                for replica in cluster.replicas {
                    let start = ContinuousClock.now
                    let exited = try await cluster.restart(replica)
                    report.restarts += 1
                    if exited { report.exitedOnTheirOwn += 1 }
                    log("round \(round): \(replica.name) drained, stopped and back in \(Int((ContinuousClock.now - start).milliseconds)) ms")
                }
            }
            try await Task.sleep(for: .seconds(1))
        } catch {
            writing.withLock { $0 = false }
            _ = await writer.value
            _ = await load.stop()
            await watchers.close()
            throw error
        }
        writing.withLock { $0 = false }
        let last = await writer.value
        // One more change once everything is up; every client must end up serving it.
        let final = last + 1
        let reply = try await cluster.setCounter(final)
        guard reply.status == 200 else { throw TestFailure("the final change failed: \(reply.status) \(reply.body)") }
        watchers.committed(final)
        let deadline = ContinuousClock.now + .seconds(60)
        while watchers.values.contains(where: { $0 != final }), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        let figures = await load.stop()
        report.finalValue = final
        report.clientValues = watchers.values
        report.longestStale = watchers.longestStale
        await watchers.close()
        report.evaluations = figures.evaluations
        report.failedEvaluations = figures.failures
        report.failureSamples = figures.failureSamples
        report.latencies = Percentiles(figures.latencies)
        let written = changes.withLock { $0 }
        report.changesAcknowledged = written.acknowledged + 1
        report.changesRefused = written.refused
        return report
    }

    /// A change through the first replica (directly, not through the proxy), timed until its
    /// event arrives on `streams` streams held on the last replica: latencies in ms.
    public static func propagation(cluster: ReplicaCluster, streams: Int = 20, changes: Int = 30) async throws -> Percentiles {
        guard let first = cluster.replicas.first, let last = cluster.replicas.last else { throw TestFailure("no replicas") }
        let watchers = (0..<streams).map { _ in EventStreamWatcher(client: cluster.client, url: last.baseURL, key: cluster.sdkKey) }
        defer { watchers.forEach { $0.close() } }
        for watcher in watchers { try await watcher.waitConnected() }
        let samples = try await measurePropagation(changes: changes, watchers: watchers) { n in
            let reply = try await cluster.setCounter(100_000 + n, via: first)
            guard reply.status == 200 else { throw TestFailure("change through \(first.name): \(reply.status) \(reply.body)") }
        }
        return Percentiles(samples)
    }
}

/// Kill -9 of one replica under load through the proxy, while it acknowledges writes made on
/// it directly: the evaluations that failed, and the acknowledged writes missing afterwards.
public enum KillDrill {
    public struct Report: Sendable {
        public var evaluations = 0
        public var failedEvaluations = 0
        public var failureSamples: [String] = []
        public var latencies = Percentiles([])
        /// Flags the killed replica acknowledged (201) before it died.
        public var acknowledgedWrites = 0
        /// Of those, the ones another replica does not find afterwards.
        public var lostWrites: [String] = []
    }

    public static func run(
        cluster: ReplicaCluster, victimIndex: Int = 1, loadWorkers: Int = 4, pause: Duration = .milliseconds(10)
    ) async throws -> Report {
        let victim = cluster.replicas[victimIndex]
        let witness = cluster.replicas[(victimIndex + 1) % cluster.replicas.count]
        let load = OFREPLoad(
            client: cluster.client, url: cluster.proxyURL, key: cluster.sdkKey, flag: ReplicaCluster.counterFlag,
            workers: loadWorkers, pause: pause)
        let acknowledged = Shared([String]())
        let writer = Task {
            var n = 0
            while !Task.isCancelled {
                n += 1
                let key = "acked-\(n)"
                guard let reply = try? await cluster.admin(.POST, "/api/v1/flags", body: #"{"key": "\#(key)"}"#, via: victim) else { return }
                if reply.status == 201 { acknowledged.withLock { $0.append(key) } }
            }
        }
        var report = Report()
        do {
            // Let writes be acknowledged and the load run, then kill the replica mid-stride.
            let deadline = ContinuousClock.now + .seconds(60)
            while acknowledged.withLock({ $0.count }) < 20 {
                guard ContinuousClock.now < deadline else { throw TestFailure("\(victim.name) acknowledged no writes: \(victim.output)") }
                try await Task.sleep(for: .milliseconds(50))
            }
            victim.kill9()
            _ = await writer.value
            try await cluster.proxy.wait(server: victim.name, state: "DOWN", client: cluster.client)
            // The load goes on against the two left.
            try await Task.sleep(for: .seconds(2))
            for key in acknowledged.withLock({ $0 }) {
                let reply = try await cluster.admin(.GET, "/api/v1/flags/\(key)", via: witness)
                if reply.status != 200 { report.lostWrites.append(key) }
            }
            try await victim.start(client: cluster.client)
            try await cluster.proxy.wait(server: victim.name, state: "UP", client: cluster.client)
        } catch {
            writer.cancel()
            _ = await load.stop()
            throw error
        }
        let figures = await load.stop()
        report.evaluations = figures.evaluations
        report.failedEvaluations = figures.failures
        report.failureSamples = figures.failureSamples
        report.latencies = Percentiles(figures.latencies)
        report.acknowledgedWrites = acknowledged.withLock { $0.count }
        return report
    }
}

/// A value several tasks read and change, under a lock.
final class Shared<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) { mutex = Mutex(value) }

    func withLock<Result: Sendable>(_ body: (inout Value) -> Result) -> Result {
        mutex.withLock { body(&$0) }
    }
}
