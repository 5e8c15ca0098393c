import ClutchCore
import ClutchStore
import Foundation
import Logging

/// The cost the block check (`Rows.checkBlocks`, in every widening write) adds to a change, as a
/// ratio in one run: the toggles of ``StoreWriteBenchmarks/rate(_:)`` on a SQLite store with no
/// blocks, then on one holding 100 blocks of other flags in production and a freeze of staging —
/// blocks the check reads and that stop none of these writes. `block_check_cost` is the time per
/// write with them over the time without (1.00: free).
enum BlockBenchmarks {
    static func run() async {
        let logger = Logger(label: "clutch.bench", factory: { _ in SwiftLogNoOpLogHandler() })
        do {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("clutch-bench-blocks-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let plain = try FlagStore(path: directory.appendingPathComponent("plain.db").path, logger: logger)
            let plainRate = try await StoreWriteBenchmarks.rate(plain)
            try plain.close()
            let blocked = try FlagStore(path: directory.appendingPathComponent("blocked.db").path, logger: logger)
            let blocker = Blocker(name: "bench@example.com", identity: "person:bench", isOwner: false)
            let change = ChangeInfo(actor: "bench")
            for i in 0..<100 {
                _ = try await blocked.createFlag(Flag(key: "other-\(i)"), change: change)
                _ = try await blocked.createBlock(
                    environment: "production", flag: "other-\(i)", reason: "bench", until: nil, by: blocker, change: change)
            }
            _ = try await blocked.createBlock(environment: "staging", flag: nil, reason: "bench", until: nil, by: blocker, change: change)
            let blockedRate = try await StoreWriteBenchmarks.rate(blocked)
            try blocked.close()
            print("store_writes_with_blocks_sqlite: \(Int(blockedRate)) writes/s")
            print("store_writes_without_blocks_sqlite: \(Int(plainRate)) writes/s")
            print("block_check_cost: \(String(format: "%.2f", plainRate / blockedRate)) ratio")
        } catch {
            print("block_check_cost: failed (\(error))")
        }
    }
}
