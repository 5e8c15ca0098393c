import ClutchCore
import ClutchStore
import Foundation
import Logging
import PostgresTestSupport

/// Admin writes per second through the store, PostgreSQL against SQLite measured in the same
/// run: `store_writes_sqlite`, `store_writes_postgres` and their ratio. Each write is a toggle
/// of one of 100 flags (`setEnabled`, alternating on and off: one revision, one audit event,
/// one version bump, durable on return) by 4 concurrent writers for `CLUTCH_BENCH_STORE_WRITES`
/// writes (default 2,000). PostgreSQL is a server of its own on loopback (``TestPostgres``,
/// fsync off there, so the figure is the store's own cost, not the disk's); SQLite fsyncs.
enum StoreWriteBenchmarks {
    static var writes: Int {
        ProcessInfo.processInfo.environment["CLUTCH_BENCH_STORE_WRITES"].flatMap(Int.init) ?? 2_000
    }

    static func run() async {
        let logger = Logger(label: "clutch.bench", factory: { _ in SwiftLogNoOpLogHandler() })
        do {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("clutch-bench-store-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let sqlite = try FlagStore(path: directory.appendingPathComponent("clutch.db").path, logger: logger)
            let sqliteRate = try await rate(sqlite)
            try sqlite.close()
            print("store_writes_sqlite: \(Int(sqliteRate)) writes/s")
            let postgres = try await PostgresStore.open(try PostgresAddress(url: try await TestPostgres.database()), logger: logger)
            let postgresRate = try await rate(postgres)
            try postgres.close()
            print("store_writes_postgres: \(Int(postgresRate)) writes/s")
            print("store_writes_postgres_vs_sqlite: \(String(format: "%.2f", postgresRate / sqliteRate)) ratio")
        } catch {
            print("store_writes: failed (\(error))")
        }
    }

    /// Writes per second with 4 writers.
    static func rate(_ store: any ClutchStoring) async throws -> Double {
        let change = ChangeInfo(actor: "bench")
        for i in 0..<100 { _ = try await store.createFlag(Flag(key: "flag-\(i)"), change: change) }
        let writers = 4
        let each = max(1, writes / writers)
        let clock = ContinuousClock()
        let start = clock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<writers {
                group.addTask {
                    for n in 0..<each {
                        let flag = "flag-\((writer * 25 + n) % 100)"
                        _ = try await store.setEnabled(
                            flag: flag, environment: "production", enabled: n % 2 == 0, ifRevision: nil, change: change)
                    }
                }
            }
            try await group.waitForAll()
        }
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Double(each * writers) / seconds
    }
}
