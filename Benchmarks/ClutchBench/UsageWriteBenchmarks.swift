import ClutchCore
import ClutchStore
import Foundation
import Logging

/// The usage write path on SQLite: one batch as the server's `UsageBatcher` writes it (200
/// entries: 100 flags × 2 variants, in one transaction: `usage`, `usage_hourly` and the hourly
/// counts per variant, `usage_variant_hourly`), `CLUTCH_BENCH_USAGE_BATCHES` times (default 300),
/// each in a new hour so that every batch inserts its buckets. `usage_batch_write_sqlite`: time per
/// batch; `usage_batch_write_sqlite_errors_only`: the same batches carrying errors only
/// (`count: 0`, a client key's report), which write `usage` and `usage_hourly` alike but no row per
/// variant — the cost of the per-variant rows is the difference, measured in the same run.
enum UsageWriteBenchmarks {
    static var batches: Int {
        ProcessInfo.processInfo.environment["CLUTCH_BENCH_USAGE_BATCHES"].flatMap(Int.init) ?? 300
    }

    static func run() async {
        let logger = Logger(label: "clutch.bench", factory: { _ in SwiftLogNoOpLogHandler() })
        do {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("clutch-bench-usage-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let store = try FlagStore(path: directory.appendingPathComponent("clutch.db").path, logger: logger)
            let change = ChangeInfo(actor: "bench")
            for i in 0..<100 { _ = try await store.createFlag(Flag(key: "flag-\(i)"), change: change) }
            let start = Date(timeIntervalSince1970: 1_800_000_000)
            let counted = try await perBatch(store, from: start, count: 1, errors: 0)
            // A later span of hours, so that these batches insert their buckets too.
            let errorsOnly = try await perBatch(store, from: start.addingTimeInterval(Double(batches + 1) * 3_600), count: 0, errors: 1)
            try store.close()
            print("usage_batch_write_sqlite: \(String(format: "%.3f", counted)) ms/batch")
            print("usage_batch_write_sqlite_errors_only: \(String(format: "%.3f", errorsOnly)) ms/batch")
        } catch {
            print("usage_batch_write: failed (\(error))")
        }
    }

    /// Milliseconds per batch of 200 entries, each batch an hour after the one before.
    static func perBatch(_ store: FlagStore, from start: Date, count: Int64, errors: Int64) async throws -> Double {
        let clock = ContinuousClock()
        let began = clock.now
        for batch in 0..<batches {
            let at = start.addingTimeInterval(Double(batch) * 3_600)
            let entries = (0..<100).flatMap { flag in
                ["on", "off"].map { UsageEntry(environment: "production", flag: "flag-\(flag)", variant: $0, count: count, errors: errors) }
            }
            try await store.recordUsage(entries, at: at)
        }
        let elapsed = clock.now - began
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return seconds * 1_000 / Double(batches)
    }
}
