import Foundation
import PostgresTestSupport
import ReplicaDrillSupport
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Several replicas on PostgreSQL, with the release `clutch` binary beside `clutch-bench`:
/// - `replicas_change_to_1000_streams_p50/p99`: a change through one replica until its event
///   arrived on each of 1,000 SSE streams spread over three replicas (from sending the change;
///   also `…_other_replicas_p99` for the streams not on the replica that took the change).
/// - `ofrep_per_replica_postgres`, `ofrep_per_replica_sqlite` and their ratio: closed-loop OFREP
///   evaluations per second against one server on each database (evaluation never touches the
///   database, so the ratio should be about 1).
/// `clutch-bench drill` (scripts/drill.sh) is the rolling-upgrade drill with its figures.
enum ReplicaBenchmarks {
    static let streams = 1_000
    static let changes = 30

    /// The release `clutch` next to this executable (`CLUTCH_BINARY` overrides).
    static var binary: String? {
        if let configured = ProcessInfo.processInfo.environment["CLUTCH_BINARY"], !configured.isEmpty { return configured }
        let candidate = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("clutch").path
        return FileManager.default.isExecutableFile(atPath: candidate) ? candidate : nil
    }

    static func run() async {
        guard let binary else {
            print("replicas: skipped (no clutch binary beside clutch-bench: swift build -c release --product clutch)")
            return
        }
        do {
            try raiseOpenFileLimit(to: 4 * streams + 1024)
            try await streamFanOut(binary: binary)
        } catch {
            print("replicas_change_to_1000_streams: failed (\(error))")
        }
        do {
            try await ofrepPerReplica(binary: binary)
        } catch {
            print("ofrep_per_replica: failed (\(error))")
        }
    }

    /// 1,000 streams need as many descriptors here (and a third of them in each replica, which
    /// inherit the limit): raises the soft limit toward the hard one.
    static func raiseOpenFileLimit(to wanted: Int) throws {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { throw TestFailure("getrlimit failed") }
        if limit.rlim_cur >= rlim_t(wanted) { return }
        limit.rlim_cur = min(rlim_t(wanted), limit.rlim_max)
        guard setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur >= rlim_t(wanted) else {
            throw TestFailure("the open-file limit is \(limit.rlim_cur), \(wanted) are needed (ulimit -n \(wanted))")
        }
    }

    static func streamFanOut(binary: String) async throws {
        let cluster = try await ReplicaCluster.start(binary: binary, checkContract: false, connections: streams + 64)
        do {
            let watchers = (0..<streams).map { i in
                EventStreamWatcher(client: cluster.client, url: cluster.replicas[i % cluster.replicas.count].baseURL, key: cluster.sdkKey)
            }
            defer { watchers.forEach { $0.close() } }
            for watcher in watchers { try await watcher.waitConnected() }
            let first = cluster.replicas[0]
            let samples = try await measurePropagation(changes: changes, watchers: watchers) { n in
                let reply = try await cluster.setCounter(n, via: first)
                guard reply.status == 200 else { throw TestFailure("change: \(reply.status) \(reply.body)") }
            }
            // measurePropagation lists each change's samples in watcher order.
            let others = samples.enumerated().filter { ($0.offset % streams) % cluster.replicas.count != 0 }.map(\.element)
            let all = Percentiles(samples)
            Bench.report("replicas_change_to_1000_streams_p50", all.value(50), "ms")
            Bench.report("replicas_change_to_1000_streams_p99", all.value(99), "ms")
            Bench.report("replicas_change_to_1000_streams_other_replicas_p99", Percentiles(others).value(99), "ms")
        } catch {
            await cluster.forceStop()
            throw error
        }
        await cluster.stop()
    }

    static func ofrepPerReplica(binary: String) async throws {
        let seconds = 5
        let cluster = try await ReplicaCluster.start(binary: binary, count: 1, checkContract: false)
        let postgres: Double
        do {
            postgres = try await throughput(client: cluster, url: cluster.replicas[0].baseURL, key: cluster.sdkKey, seconds: seconds)
        } catch {
            await cluster.forceStop()
            throw error
        }
        let directory = cluster.directory.appendingPathComponent("sqlite")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let sqlite = ReplicaProcess(
            name: "sqlite", port: try TestPostgres.freePort(), binary: binary,
            environment: ReplicaCluster.serverEnvironment(
                database: directory.appendingPathComponent("clutch.db").path, directory: directory, drainSeconds: 0, checkContract: false),
            directory: directory)
        let sqliteRate: Double
        do {
            try await sqlite.start(client: cluster.client)
            let key = try await ReplicaCluster.setUp(client: cluster.client, replica: sqlite)
            sqliteRate = try await throughput(client: cluster, url: sqlite.baseURL, key: key, seconds: seconds)
        } catch {
            sqlite.forceStop()
            await cluster.forceStop()
            throw error
        }
        await sqlite.stop()
        await cluster.stop()
        Bench.report("ofrep_per_replica_postgres", postgres, "evaluations/s")
        Bench.report("ofrep_per_replica_sqlite", sqliteRate, "evaluations/s")
        Bench.report("ofrep_per_replica_postgres_vs_sqlite", postgres / sqliteRate, "ratio")
    }

    /// Closed-loop OFREP evaluations per second with 8 connections, after a second's warm-up.
    static func throughput(client cluster: ReplicaCluster, url: String, key: String, seconds: Int) async throws -> Double {
        let load = OFREPLoad(client: cluster.client, url: url, key: key, flag: ReplicaCluster.counterFlag, workers: 8, pause: .zero)
        try await Task.sleep(for: .seconds(1))
        load.reset()
        let start = ContinuousClock.now
        try await Task.sleep(for: .seconds(seconds))
        let figures = load.figures
        let elapsed = (ContinuousClock.now - start).milliseconds / 1000
        _ = await load.stop()
        guard figures.failures == 0 else { throw TestFailure("failed evaluations: \(figures.failureSamples)") }
        return Double(figures.evaluations) / elapsed
    }
}

/// `clutch-bench drill` (scripts/drill.sh): the rolling-upgrade drill twice over, the change
/// from replica A to streams on replica C, and kill -9 of a replica, with their figures.
enum DrillBenchmark {
    static func run() async {
        guard let binary = ReplicaBenchmarks.binary else {
            print("drill: skipped (no clutch binary beside clutch-bench: swift build -c release --product clutch)")
            return
        }
        do {
            let cluster = try await ReplicaCluster.start(binary: binary, checkContract: false)
            do {
                let drill = try await RollingUpgradeDrill.run(
                    cluster: cluster, rounds: 2, sdkClients: 10, loadWorkers: 4, pause: .milliseconds(5),
                    log: { line in FileHandle.standardError.write(Data("drill: \(line)\n".utf8)) })
                print("drill_evaluations: \(drill.evaluations) evaluations")
                print("drill_failed_evaluations: \(drill.failedEvaluations) evaluations")
                for sample in drill.failureSamples { FileHandle.standardError.write(Data("drill: failed: \(sample)\n".utf8)) }
                Bench.report("drill_ofrep_p50", drill.latencies.value(50), "ms")
                Bench.report("drill_ofrep_p99", drill.latencies.value(99), "ms")
                Bench.report("drill_ofrep_max", drill.latencies.max, "ms")
                Bench.report("drill_sdk_longest_stale", drill.longestStale.milliseconds, "ms")
                print("drill_restarts_exited_after_drain: \(drill.exitedOnTheirOwn) of \(drill.restarts)")
                print("drill_changes_acknowledged: \(drill.changesAcknowledged) changes")
                print("drill_changes_refused: \(drill.changesRefused.count) changes")
                let current = drill.clientValues.filter { $0 == drill.finalValue }.count
                print("drill_sdk_clients_current_at_end: \(current) of \(drill.clientValues.count)")
                let propagation = try await RollingUpgradeDrill.propagation(cluster: cluster)
                Bench.report("drill_change_a_to_streams_on_c_p50", propagation.value(50), "ms")
                Bench.report("drill_change_a_to_streams_on_c_p99", propagation.value(99), "ms")
                let kill = try await KillDrill.run(cluster: cluster, loadWorkers: 4, pause: .milliseconds(5))
                print("kill9_evaluations: \(kill.evaluations) evaluations")
                print("kill9_failed_evaluations: \(kill.failedEvaluations) evaluations")
                for sample in kill.failureSamples { FileHandle.standardError.write(Data("kill9: failed: \(sample)\n".utf8)) }
                Bench.report("kill9_ofrep_p99", kill.latencies.value(99), "ms")
                print("kill9_acknowledged_writes: \(kill.acknowledgedWrites) writes")
                print("kill9_lost_acknowledged_writes: \(kill.lostWrites.count) writes")
            } catch {
                await cluster.forceStop()
                throw error
            }
            await cluster.stop()
        } catch {
            print("drill: failed (\(error))")
        }
    }
}
