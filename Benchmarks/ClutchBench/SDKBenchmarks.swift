import Clutch
import ClutchCore
import Foundation
import Logging
import TestSupport

/// The SDK benchmarks of issue 5, printed as `name: value unit`:
/// evaluation through the client against the bare engine (same flag, same contexts, same
/// run), an admin API change until the client returns the new value (in-process server on
/// loopback), and start-to-ready from a cached snapshot with no server.
enum SDKBenchmarks {
    static func run() async {
        evaluation()
        await startFromCache()
        do {
            try await adminChangeLatency()
        } catch {
            print("sdk_admin_change_to_value: failed (\(error))")
        }
    }

    private static var quietLogger: Logger {
        var logger = Logger(label: "clutch.bench")
        logger.logLevel = .critical
        return logger
    }

    private static func offlineClient(_ snapshot: Snapshot, usage: Bool) -> ClutchClient? {
        guard let server = URL(string: "http://127.0.0.1:9") else { return nil }
        return ClutchClient(configuration: ClutchConfiguration(
            serverURL: server, sdkKey: "clutch_sdk_bench", cacheDirectory: nil, bootstrap: snapshot,
            usageInterval: usage ? .seconds(3600) : .zero, logger: quietLogger))
    }

    /// The rules flag of the engine benchmark, through `ClutchClient.bool` (usage counting
    /// on, as by default, and off) and through `Engine.evaluate`, interleaved in one run.
    static func evaluation() {
        let snapshot = EngineBenchmarks.snapshot()
        let contexts = EngineBenchmarks.contexts()
        let engine = Engine(snapshot)
        guard let counted = offlineClient(snapshot, usage: true), let uncounted = offlineClient(snapshot, usage: false) else { return }
        let figures = Bench.interleaved(rounds: EngineBenchmarks.rounds, count: contexts.count, [
            {
                var on = 0
                for context in contexts where engine.evaluate("rules", as: .boolean, context: context).value == .bool(true) { on += 1 }
                return on
            },
            {
                var on = 0
                for context in contexts where counted.bool("rules", default: false, context: context) { on += 1 }
                return on
            },
            {
                var on = 0
                for context in contexts where uncounted.bool("rules", default: false, context: context) { on += 1 }
                return on
            },
        ])
        let (bare, sdk, sdkNoUsage) = (figures[0], figures[1], figures[2])
        Bench.report("sdk_engine_rules_same_run", bare, "ns/eval")
        Bench.report("sdk_rules_cohort_admin_rollout", sdk, "ns/eval")
        Bench.report("sdk_rules_without_usage_counting", sdkNoUsage, "ns/eval")
        Bench.report("sdk_usage_counting_cost", sdk - sdkNoUsage, "ns/eval")
        Bench.report("sdk_vs_engine_ratio", sdk / bare, "x")
        let details = counted.boolDetails("rules", default: false, context: contexts[0])
        if details.errorCode != nil { print("sdk_evaluation_check: failed (\(details.errorCode?.rawValue ?? ""))") }
    }

    /// `ClutchClient.init` + `waitUntilReady` with a cache file and nothing listening.
    static func startFromCache() async {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("clutch-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        guard let server = URL(string: "http://127.0.0.1:9") else { return }
        let key = "clutch_sdk_bench_cache"
        var snapshot = EngineBenchmarks.snapshot()
        // A realistic environment: 200 flags beside the benchmark's two.
        for i in 0..<200 {
            snapshot.flags.append(Flag(key: "flag-\(i)", environments: ["production": FlagState(
                enabled: i % 3 != 0, rules: [Rule(clauses: [Clause(attribute: "customerId", .in, ["customer-\(i)"])], serve: .variant("on"))],
                default: .rollout(.percentage(Double(i % 100), of: "on", rest: "off")))]))
        }
        do {
            try SnapshotCache(directory: directory, serverURL: server, sdkKey: key, logger: quietLogger).store(snapshot)
        } catch {
            print("sdk_start_to_ready_cached: failed (\(error))")
            return
        }
        var samples: [Double] = []
        for _ in 0..<50 {
            let start = ContinuousClock.now
            let client = ClutchClient(configuration: ClutchConfiguration(
                serverURL: server, sdkKey: key, cacheDirectory: directory, usageInterval: .zero, logger: quietLogger))
            do {
                try await client.waitUntilReady(timeout: .seconds(5))
            } catch {
                print("sdk_start_to_ready_cached: failed (\(error))")
                return
            }
            samples.append(Bench.seconds(ContinuousClock.now - start) * 1000)
            await client.close()
        }
        Bench.report("sdk_start_to_ready_cached_p50", Bench.percentile(samples, 0.5), "ms")
        Bench.report("sdk_start_to_ready_cached_p99", Bench.percentile(samples, 0.99), "ms")
    }

    /// From sending an admin API change to the client returning the new value, 100 samples.
    static func adminChangeLatency() async throws {
        let server = try await BenchServer.start(heartbeatInterval: .seconds(5), logger: quietLogger)
        do {
            try await adminChangeLatency(server)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    private static func adminChangeLatency(_ server: BenchServer) async throws {
        func admin(_ method: String, _ path: String, _ body: String? = nil) async throws -> Data {
            try await server.admin(method, path, body)
        }
        let base = server.base

        let flag = #"{"key": "latency", "environments": {"production": {"enabled": true}}}"#
        _ = try await admin("POST", "api/v1/flags", flag)
        let sdkKey = try await server.sdkKey()
        let client = ClutchClient(configuration: ClutchConfiguration(
            serverURL: base, sdkKey: sdkKey, cacheDirectory: nil, usageInterval: .zero, logger: quietLogger))
        try await client.waitUntilReady(timeout: .seconds(10))
        var changes = client.changes.makeAsyncIterator()

        var samples: [Double] = []
        var afterResponse: [Double] = []
        var expected = true
        for _ in 0..<100 {
            expected.toggle()
            let start = ContinuousClock.now
            _ = try await admin("POST", "api/v1/flags/latency/environments/production/\(expected ? "on" : "off")")
            let answered = ContinuousClock.now
            while client.bool("latency", default: !expected) != expected {
                guard await changes.next() != nil else { throw TestFailure("the change stream ended") }
            }
            let seen = ContinuousClock.now
            samples.append(Bench.seconds(seen - start) * 1000)
            afterResponse.append(Bench.seconds(seen - answered) * 1000)
        }
        await client.close()
        Bench.report("sdk_admin_change_to_value_p50", Bench.percentile(samples, 0.5), "ms")
        Bench.report("sdk_admin_change_to_value_p99", Bench.percentile(samples, 0.99), "ms")
        // The part after the admin API answered: stream delivery and applying the change.
        Bench.report("sdk_admin_response_to_value_p50", Bench.percentile(afterResponse, 0.5), "ms")
        Bench.report("sdk_admin_response_to_value_p99", Bench.percentile(afterResponse, 0.99), "ms")
        if ProcessInfo.processInfo.environment["CLUTCH_BENCH_VERBOSE"] != nil {
            print("# admin change samples (ms, slowest first): \(samples.sorted(by: >).prefix(5).map { (($0 * 10).rounded() / 10) })")
        }
    }
}
