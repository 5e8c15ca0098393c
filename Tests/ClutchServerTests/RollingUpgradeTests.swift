import Foundation
import ReplicaDrillSupport
import ServerTestSupport
import Testing

/// The rolling-upgrade drill and kill -9, with the real `clutch` binary: three replicas on one
/// PostgreSQL database behind HAProxy configured from `examples/replicas/haproxy.cfg`. Part of
/// the serialized replica suite, whose database-loss test stops the PostgreSQL these use.
/// The longer drill (twice over) and its figures are `scripts/drill.sh` (`clutch-bench drill`).
extension ReplicaTests {
    static func cluster() async throws -> ReplicaCluster {
        let binary = try #require(ClutchBinary.path, "the clutch binary is not built (swift build --build-tests builds it)")
        return try await ReplicaCluster.start(binary: binary, drainSeconds: 5, checkContract: true)
    }

    /// Each replica in turn is drained (SIGTERM), stopped, started and brought back while OFREP
    /// load and SDK clients stream through the proxy and the flag changes every 0.7 s: no
    /// evaluation fails, no change is refused, every replica exits by itself after its drain,
    /// and every SDK client ends with the latest value.
    @Test(.timeLimit(.minutes(4)))
    func rollingUpgradeBehindHAProxyFailsNoEvaluation() async throws {
        let cluster = try await Self.cluster()
        let report: RollingUpgradeDrill.Report
        do {
            report = try await RollingUpgradeDrill.run(cluster: cluster, rounds: 1, sdkClients: 4, loadWorkers: 2, pause: .milliseconds(20))
        } catch {
            await cluster.forceStop()
            throw error
        }
        await cluster.stop()
        #expect(report.evaluations > 100, "the load ran (\(report.evaluations) evaluations)")
        #expect(report.failedEvaluations == 0, "failed evaluations: \(report.failureSamples)")
        #expect(report.restarts == 3)
        #expect(report.exitedOnTheirOwn == 3, "every replica exits by itself after SIGTERM")
        #expect(report.changesRefused.isEmpty, "changes through the proxy: \(report.changesRefused)")
        #expect(report.clientValues == Array(repeating: report.finalValue, count: 4), "every SDK client serves the last change")
    }

    /// One replica is killed outright while the load runs through the proxy and it acknowledges
    /// writes made on it directly: every write it acknowledged is found on another replica
    /// afterwards, and not one evaluation fails. HAProxy sends the evaluations that reached the
    /// dead replica to another one (`retry-on`, `option redispatch`), which it can only do for a
    /// request it had received whole before sending it (`option http-buffer-request`): without
    /// that, about 1 run in 5 saw an evaluation's connection closed without an answer.
    @Test(.timeLimit(.minutes(4)))
    func killingAReplicaLosesNoAcknowledgedWriteAndFailsNoEvaluation() async throws {
        let cluster = try await Self.cluster()
        let report: KillDrill.Report
        do {
            report = try await KillDrill.run(cluster: cluster, loadWorkers: 3, pause: .milliseconds(10))
        } catch {
            await cluster.forceStop()
            throw error
        }
        await cluster.stop()
        #expect(report.evaluations > 100, "the load ran (\(report.evaluations) evaluations)")
        #expect(report.failedEvaluations == 0, "failed evaluations: \(report.failureSamples); HAProxy's log: \(cluster.proxy.logPath)")
        #expect(report.acknowledgedWrites >= 20)
        #expect(report.lostWrites.isEmpty, "acknowledged by the killed replica, then missing: \(report.lostWrites)")
    }
}
