import ClutchCore
import ClutchStore
import Foundation
import Logging

/// A fresh database file in its own temporary directory, removed when the fixture goes away.
final class StoreFixture: Sendable {
    let directory: URL
    let path: String
    let store: FlagStore

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("clutch-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.appendingPathComponent("clutch.db").path
        store = try FlagStore(path: path, logger: StoreFixture.logger)
    }

    static let logger = Logger(label: "clutch.store.tests", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Opens the same file again (the first store should be closed first).
    func reopen() throws -> FlagStore {
        try FlagStore(path: path, logger: StoreFixture.logger)
    }

    deinit {
        try? store.close()
        try? FileManager.default.removeItem(at: directory)
    }
}

let admin = ChangeInfo(actor: "alice", message: "test")

/// A boolean flag on in production with a 10 % rollout, off elsewhere.
func checkoutFlag(_ key: String = "new-checkout") -> Flag {
    Flag(key: key, description: "New checkout", environments: [
        "production": FlagState(enabled: true, default: .rollout(.percentage(10, of: "on", rest: "off"))),
    ])
}
