import Clutch
import ClutchCore
import Foundation
import Logging
import TestSupport

/// What a change costs the SDK, and how fast it starts from its cache, with 100, 1,000 and
/// 10,000 flags in the environment (each with targets, an admin rule and a 25 % rollout), as
/// `sdk_scale_<N>_…` lines. The server side of the same sizes is `Benchmarks/server/scale.sh`.
enum ScaleBenchmarks {
    static let sizes = [100, 1_000, 10_000]
    static let changes = 40
    static let starts = 10

    static func run() async {
        var changeP50: [Int: Double] = [:]
        for size in sizes {
            do {
                changeP50[size] = try await run(size: size)
            } catch {
                print("sdk_scale_\(size): failed (\(error))")
            }
        }
        if let small = changeP50[sizes[0]], let large = changeP50[sizes[sizes.count - 1]] {
            Bench.report("sdk_scale_change_to_value_\(sizes[sizes.count - 1])_vs_\(sizes[0])_ratio", large / small, "x")
        }
    }

    /// The flags of one size, as an import document.
    static func document(flags count: Int) -> String {
        let flags = (0..<count).map { i in
            """
            {"key": "scale-\(String(format: "%05d", i))", "type": "boolean", "environments": {"production": {"enabled": true,
             "targets": [{"variant": "on", "attribute": "customerId", "values": ["c\(i)", "c\(i + 1)", "c\(i + 2)"]}],
             "rules": [{"clauses": [{"attribute": "role", "operator": "in", "values": ["admin"]}], "serve": {"variant": "on"}}],
             "default": {"rollout": {"bucketBy": "customerId", "weights": [{"variant": "on", "weight": 25000}, {"variant": "off", "weight": 75000}]}}}}}
            """
        }
        return #"{"flags": [\#(flags.joined(separator: ","))]}"#
    }

    private static var quietLogger: Logger {
        var logger = Logger(label: "clutch.bench")
        logger.logLevel = .critical
        return logger
    }

    private static func run(size: Int) async throws -> Double {
        let server = try await BenchServer.start(heartbeatInterval: .seconds(5), logger: quietLogger)
        do {
            let p50 = try await run(size: size, server: server)
            await server.stop()
            return p50
        } catch {
            await server.stop()
            throw error
        }
    }

    private static func run(size: Int, server: BenchServer) async throws -> Double {
        try await server.admin("POST", "api/v1/import", document(flags: size))
        let key = try await server.sdkKey()
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("clutch-scale-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: cache) }

        // Change → the SDK serving the new value.
        let client = ClutchClient(configuration: ClutchConfiguration(
            serverURL: server.base, sdkKey: key, cacheDirectory: cache, usageInterval: .zero, logger: quietLogger))
        try await client.waitUntilReady(timeout: .seconds(60))
        var changes = client.changes.makeAsyncIterator()
        let context = EvaluationContext(targetingKey: "u1", attributes: ["customerId": "nobody", "role": "member"])
        var samples: [Double] = []
        var expected = client.bool("scale-00000", default: false, context: context)
        for _ in 0..<Self.changes {
            expected.toggle()
            let start = ContinuousClock.now
            // On: the 25 % rollout (this context is outside it, so a targeted customer checks it);
            // the flag's default is turned to serve `on` / `off` to everyone to make the change visible.
            let serve = expected ? "on" : "off"
            try await server.admin(
                "PUT", "api/v1/flags/scale-00000/environments/production",
                #"{"enabled": true, "default": {"variant": "\#(serve)"}}"#)
            while client.bool("scale-00000", default: !expected, context: context) != expected {
                guard await changes.next() != nil else { throw TestFailure("the change stream ended") }
            }
            samples.append(Bench.seconds(ContinuousClock.now - start) * 1000)
        }
        await client.close()
        let p50 = Bench.percentile(samples, 0.5)
        Bench.report("sdk_scale_\(size)_change_to_value_p50", p50, "ms")
        Bench.report("sdk_scale_\(size)_change_to_value_p99", Bench.percentile(samples, 0.99), "ms")

        // Start → ready from the cache the client left, with the server unreachable.
        guard let unreachable = URL(string: "http://127.0.0.1:9") else { return p50 }
        let snapshot = try ClutchJSON.decode(Snapshot.self, from: try await server.sdk("sdk/v1/flags", key: key))
        try SnapshotCache(directory: cache, serverURL: unreachable, sdkKey: key, logger: quietLogger).store(snapshot)
        var starts: [Double] = []
        for _ in 0..<Self.starts {
            let start = ContinuousClock.now
            let cached = ClutchClient(configuration: ClutchConfiguration(
                serverURL: unreachable, sdkKey: key, cacheDirectory: cache, usageInterval: .zero, logger: quietLogger))
            try await cached.waitUntilReady(timeout: .seconds(10))
            starts.append(Bench.seconds(ContinuousClock.now - start) * 1000)
            await cached.close()
        }
        Bench.report("sdk_scale_\(size)_start_from_cache_p50", Bench.percentile(starts, 0.5), "ms")
        Bench.report("sdk_scale_\(size)_start_from_cache_p99", Bench.percentile(starts, 0.99), "ms")
        return p50
    }
}
