import ClutchCore
import Foundation
import Logging
import PostgresNIO
import Synchronization

/// The store in a PostgreSQL database that any number of server replicas share (see
/// ``ClutchStoring`` for what it guarantees).
///
/// Writes run one at a time: each takes a transaction-scoped advisory lock first, so revision
/// numbers, version bumps and `ifRevision` checks see every earlier change, as SQLite's single
/// writer does. Each change also sends `NOTIFY clutch_changes` in its transaction, so that other
/// replicas hear of it once it is committed (and not before). Reads run in a read-only
/// `REPEATABLE READ` transaction: one consistent view, as SQLite's snapshot reads.
public final class PostgresStore: Sendable {
    /// The channel every committed change notifies, with the payload `environment:version`.
    public static let changesChannel = "clutch_changes"

    public let address: PostgresAddress
    let client: PostgresClient
    let logger: Logger
    private let runner: Mutex<Task<Void, Never>?>
    /// Transactions, and what wakes the runners after them.
    let backend: PostgresBackend
    /// The operations written once for both databases.
    let sql: SQLStore<PostgresBackend>
    var wakeups: StoreWakeups { backend.wakeups }

    private init(address: PostgresAddress, client: PostgresClient, runner: Task<Void, Never>, logger: Logger) {
        self.address = address
        self.client = client
        self.runner = Mutex(runner)
        self.logger = logger
        self.backend = PostgresBackend(client: client, logger: logger)
        self.sql = SQLStore(backend: backend, logger: logger)
    }

    /// How long ``open(_:connectTimeout:logger:)`` and ``migrate(_:dryRun:connectTimeout:logger:)``
    /// wait for the database unless told otherwise (`clutch serve --db-connect-timeout`).
    public static let defaultConnectTimeout: Duration = PostgresConnector.defaultTimeout

    /// Connects, migrates the schema under the migration lock (refusing a newer, incompatible
    /// one) and creates the default environments on first start.
    ///
    /// A database that cannot be reached within `connectTimeout` (retried meanwhile) fails with
    /// ``PostgresStoreError`` naming `host:port` and the cause; one that refuses the sign-in
    /// fails at once. Once open, a lost database fails single calls (``StoreUnavailableError``).
    ///
    /// Webhook secrets are sealed with the key in `secretKeyPath` (created on the first start;
    /// every replica must be given the same file), and secrets an earlier version stored in plain
    /// text are sealed now. A missing or different key file while sealed secrets exist fails
    /// with ``WebhookSecretKeyError`` naming the file. Without a path (tools, tests that send no
    /// webhook) webhooks can be neither created nor sent.
    public static func open(
        _ address: PostgresAddress, connectTimeout: Duration = defaultConnectTimeout, secretKeyPath: String? = nil,
        logger: Logger
    ) async throws -> PostgresStore {
        _ = try await migrateFirst(address, dryRun: false, connectTimeout: connectTimeout, logger: logger)
        let client = PostgresClient(configuration: try clientConfiguration(address), backgroundLogger: logger)
        let runner = Task { await client.run() }
        let store = PostgresStore(address: address, client: client, runner: runner, logger: logger)
        do {
            try await store.write { session in
                let count = try await session.value(Int.self, "SELECT COUNT(*)::BIGINT FROM environment") ?? 0
                if count == 0 {
                    let now = Date()
                    for key in FlagStore.defaultEnvironments {
                        try await session.execute("INSERT INTO environment (key, created_at, version) VALUES (\(key), \(now), 0)")
                    }
                }
            }
            if let secretKeyPath {
                let sealedWith = try await store.read { session in
                    Set(try await session.rows("SELECT DISTINCT secret_key FROM webhook WHERE secret_key IS NOT NULL").map {
                        try $0.get("secret_key", as: String.self)
                    })
                }
                let key = try WebhookSecretKey.prepare(path: secretKeyPath, sealedWith: sealedWith)
                // Set once the database is read, to check it against the secrets sealed there.
                store.sql.useWebhookSecretKey(key)
                let sealed = try await store.sql.unlocked { session in try await Rows.sealPlainSecrets(session, with: key) }
                if sealed > 0 { logger.notice("webhook secrets sealed", metadata: ["count": "\(sealed)", "key_file": "\(key.path)"]) }
            }
        } catch {
            runner.cancel()
            throw classified(error)
        }
        logger.info("flag store open", metadata: ["database": "\(address)"])
        return store
    }

    /// Runs the migrations `address` needs (none in a dry run) and says which they are; waits
    /// for the database as ``open(_:connectTimeout:logger:)`` does.
    public static func migrate(
        _ address: PostgresAddress, dryRun: Bool, connectTimeout: Duration = defaultConnectTimeout, logger: Logger
    ) async throws -> (from: Int, migrations: [String], to: Int) {
        let outcome = try await migrateFirst(address, dryRun: dryRun, connectTimeout: connectTimeout, logger: logger)
        return (outcome.from, outcome.pending, outcome.to)
    }

    /// The first connection of a start (bounded, ``PostgresConnector``), migrating on it.
    private static func migrateFirst(
        _ address: PostgresAddress, dryRun: Bool, connectTimeout: Duration, logger: Logger
    ) async throws -> (from: Int, pending: [String], to: Int) {
        let connection = try await PostgresConnector.connect(address, within: connectTimeout, logger: logger)
        do {
            let outcome = try await PostgresSchema.migrate(connection, dryRun: dryRun, logger: logger)
            try? await connection.close()
            return (outcome.from, outcome.pending, outcome.to)
        } catch {
            try? await connection.close()
            throw classified(error)
        }
    }

    /// The newest schema version this build knows.
    public static var schemaVersion: Int { PostgresSchema.latest }

    static func clientConfiguration(_ address: PostgresAddress) throws -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS
        switch address.sslMode {
        case "disable": tls = .disable
        case "require": tls = .require(.makeClientConfiguration())
        default: tls = .prefer(.makeClientConfiguration())
        }
        var configuration = PostgresClient.Configuration(
            host: address.host, port: address.port, username: address.username, password: address.password,
            database: address.database, tls: tls)
        configuration.options.maximumConnections = 10
        configuration.options.connectTimeout = .seconds(5)
        return configuration
    }

    /// Stops the connection pool. Calls made afterwards fail.
    public func close() throws {
        runner.withLock { task in
            task?.cancel()
            task = nil
        }
    }

    deinit {
        runner.withLock { $0?.cancel() }
    }

    // MARK: Transactions

    /// Runs `body` in a write transaction, after every earlier write (the write lock).
    func write<Result: Sendable>(_ body: @escaping @Sendable (PostgresSession) async throws -> Result) async throws -> Result {
        try await transaction(lock: true, body)
    }

    /// Runs `body` in a read-only transaction with one consistent view.
    func read<Result: Sendable>(_ body: @escaping @Sendable (PostgresSession) async throws -> Result) async throws -> Result {
        try await transaction(lock: false, body)
    }

    /// Usage and console sessions: a transaction without the write lock (no change to a flag).
    func unlocked<Result: Sendable>(_ body: @escaping @Sendable (PostgresSession) async throws -> Result) async throws -> Result {
        try await transaction(lock: nil, body)
    }

    private func transaction<Result: Sendable>(lock: Bool?, _ body: @escaping @Sendable (PostgresSession) async throws -> Result) async throws -> Result {
        try await backend.transaction(lock: lock, body)
    }

    static func classified(_ error: any Error) -> any Error { PostgresBackend.classified(error) }

    // MARK: Environments


}

