import Clutch
import ClutchCore
import Foundation
import Logging
import TestSupport

/// Where a start from the cache file spends its time, with the flags of
/// ``ScaleBenchmarks/document(flags:)``: reading the file, decoding it (with Foundation's
/// `JSONDecoder` for comparison, and with ``ClutchJSONDecoder`` as the SDK does), building the
/// engine, the cache's whole `load()`, and the whole client start (`sdk_cache_<N>_…` lines).
/// No server is involved: `clutch-bench cache`.
enum CacheStartBenchmarks {
    static let rounds = 10

    /// The cache file's layout (`SnapshotCache.Contents` is internal to the SDK).
    struct CacheFile: Decodable {
        var format: Int
        var server: String
        var savedAt: Date
        var snapshot: Snapshot
    }

    static func run() async {
        for size in ScaleBenchmarks.sizes {
            do {
                try await run(size: size)
            } catch {
                print("sdk_cache_\(size): failed (\(error))")
            }
        }
    }

    private static func run(size: Int) async throws {
        var logger = Logger(label: "clutch.bench")
        logger.logLevel = .critical
        let document = try ClutchJSON.decode(ClutchDocument.self, from: Data(ScaleBenchmarks.document(flags: size).utf8))
        let snapshot = document.snapshot(for: "production", version: 1)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("clutch-cache-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        guard let server = URL(string: "http://127.0.0.1:9") else { return }
        let key = "bench-key"
        let cache = SnapshotCache(directory: directory, serverURL: server, sdkKey: key, logger: logger)
        try cache.store(snapshot)

        var read: [Double] = [], foundation: [Double] = [], decode: [Double] = [], engine: [Double] = [], load: [Double] = [], start: [Double] = []
        for _ in 0..<rounds {
            var t = ContinuousClock.now
            let data = try Data(contentsOf: cache.fileURL)
            read.append(lap(&t))
            // Results are kept until the round ends: freeing them is not part of what is timed.
            let slow = try ClutchJSON.decode(CacheFile.self, from: data)
            foundation.append(lap(&t))
            let file = try ClutchJSON.fastDecode(CacheFile.self, from: data)
            decode.append(lap(&t))
            let built = Engine(file.snapshot)
            engine.append(lap(&t))
            Bench.blackHole(built.version == -1 ? 1 : 0)
            let loaded = cache.load()
            load.append(lap(&t))
            guard let loaded, loaded.flags.count == slow.snapshot.flags.count else { throw TestFailure("the cache did not load") }
            let client = ClutchClient(configuration: ClutchConfiguration(
                serverURL: server, sdkKey: key, cacheDirectory: directory, usageInterval: .zero, logger: logger))
            try await client.waitUntilReady(timeout: .seconds(10))
            start.append(lap(&t))
            await client.close()
        }
        let bytes = (try? Data(contentsOf: cache.fileURL).count) ?? 0
        Bench.report("sdk_cache_\(size)_file_size", Double(bytes) / 1024, "KiB")
        Bench.report("sdk_cache_\(size)_read_p50", Bench.percentile(read, 0.5), "ms")
        Bench.report("sdk_cache_\(size)_decode_jsondecoder_p50", Bench.percentile(foundation, 0.5), "ms")
        Bench.report("sdk_cache_\(size)_decode_p50", Bench.percentile(decode, 0.5), "ms")
        Bench.report("sdk_cache_\(size)_engine_p50", Bench.percentile(engine, 0.5), "ms")
        Bench.report("sdk_cache_\(size)_load_p50", Bench.percentile(load, 0.5), "ms")
        Bench.report("sdk_cache_\(size)_client_start_p50", Bench.percentile(start, 0.5), "ms")
    }

    private static func lap(_ t: inout ContinuousClock.Instant) -> Double {
        let now = ContinuousClock.now
        defer { t = now }
        return Bench.seconds(now - t) * 1000
    }
}
