import ClutchCore
import Foundation
import GRDB
import Logging

/// The store in a SQLite file (the default): one server, no other process writing.
///
/// Writes are durable when they return (WAL with `synchronous = FULL`), so an acknowledged
/// change survives `kill -9`. Every operation is ``SQLStore``'s, written once for both databases.
public typealias FlagStore = SQLStore<SQLiteBackend>

extension SQLStore {
    /// The environments created on first start.
    public static var defaultEnvironments: [String] { ["development", "staging", "production"] }
}

extension SQLStore where Backend == SQLiteBackend {
    var pool: DatabasePool { backend.pool }

    /// Opens or creates the SQLite file at `path` (mode 0600, as its `-wal` and `-shm` files),
    /// runs the migrations and creates the default environments on first start.
    ///
    /// Webhook secrets are sealed with the key in `secretKeyPath` (default: `path` + `.key`),
    /// created with the database; secrets written by an earlier version in plain text are
    /// sealed now. A missing or different key file while sealed secrets exist fails with
    /// ``WebhookSecretKeyError`` naming the file.
    public convenience init(path: String, secretKeyPath: String? = nil, logger: Logger) throws {
        for file in FileModes.makeDatabasePrivate(path) {
            logger.notice("database file made readable by its owner only (0600)", metadata: ["path": "\(file)"])
        }
        let pool = try DatabasePool(path: path, configuration: FlagStore.configuration())
        // GRDB switches the writer to `synchronous = NORMAL` when it enables WAL, after our
        // `prepareDatabase`; NORMAL may lose the last commits on power loss, so set FULL again.
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        try Schema.migrator.migrate(pool)
        self.init(backend: SQLiteBackend(pool: pool), logger: logger)
        try backend.writeBlocking { session in try await Rows.createDefaultEnvironments(session) }
        let sealedWith = try backend.writeBlocking { session in try await Rows.sealingKeyIDs(session) }
        let secretKey = try WebhookSecretKey.prepare(path: secretKeyPath ?? path + ".key", sealedWith: sealedWith)
        useWebhookSecretKey(secretKey)
        let sealed = try backend.writeBlocking { session in try await Rows.sealPlainSecrets(session, with: secretKey) }
        if sealed > 0 { logger.notice("webhook secrets sealed", metadata: ["count": "\(sealed)", "key_file": "\(secretKey.path)"]) }
        logger.info("flag store open", metadata: ["path": "\(path)", "key_file": "\(secretKey.path)"])
    }

    static func configuration() -> Configuration {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        // Wait for a lock rather than failing at once when another process (a CLI, a backup) holds it.
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            // FULL fsyncs the WAL on every commit: an acknowledged write survives power loss and kill -9.
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        return configuration
    }

    /// The migrations, for tools and tests that need a database of an older schema
    /// (`migrate(_:upTo:)`). Opening a ``FlagStore`` runs all of them.
    public static var migrator: DatabaseMigrator { Schema.migrator }

    /// The writer connection's durability settings, for readiness checks and tests.
    public func settings() async throws -> StoreSettings {
        try await pool.writeWithoutTransaction { db in
            StoreSettings(
                journalMode: try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "",
                synchronous: try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1,
                foreignKeys: try Bool.fetchOne(db, sql: "PRAGMA foreign_keys") ?? false,
                migrations: try Schema.migrator.appliedMigrations(db))
        }
    }

    /// Runs `PRAGMA integrity_check` and returns its answer (`ok` when the file is sound).
    public func integrityCheck() async throws -> String {
        try await pool.read { db in
            try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; ")
        }
    }
}

/// The settings the store runs with.
public struct StoreSettings: Sendable, Hashable {
    /// `wal`.
    public var journalMode: String
    /// SQLite's number for `synchronous`: 2 is `FULL`.
    public var synchronous: Int
    public var foreignKeys: Bool
    /// The identifiers of the migrations applied, in order.
    public var migrations: [String]
}
