import ClutchCore
import Foundation
import Logging
import PostgresNIO
import Synchronization

/// The store in a PostgreSQL database that any number of server replicas share (see
/// ``ClutchStoring`` for what it guarantees, ``PostgresBackend`` for how transactions run):
/// every operation is ``SQLStore``'s, written once for both databases. Each change sends
/// `NOTIFY clutch_changes` in its transaction, so that other replicas hear of it once it is
/// committed (and not before).
public typealias PostgresStore = SQLStore<PostgresBackend>

extension SQLStore where Backend == PostgresBackend {
    /// The channel every committed change notifies, with the payload `environment:version`.
    public static var changesChannel: String { "clutch_changes" }

    /// The database this store was opened on.
    public var address: PostgresAddress { backend.address }

    /// How long ``open(_:connectTimeout:logger:)`` and ``migrate(_:dryRun:connectTimeout:logger:)``
    /// wait for the database unless told otherwise (`clutch serve --db-connect-timeout`).
    public static var defaultConnectTimeout: Duration { PostgresConnector.defaultTimeout }

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
        let store = PostgresStore(backend: PostgresBackend(address: address, client: client, runner: runner, logger: logger), logger: logger)
        do {
            try await store.write { session in try await Rows.createDefaultEnvironments(session) }
            if let secretKeyPath {
                let sealedWith = try await store.read { session in try await Rows.sealingKeyIDs(session) }
                let key = try WebhookSecretKey.prepare(path: secretKeyPath, sealedWith: sealedWith)
                // Set once the database is read, to check it against the secrets sealed there.
                store.useWebhookSecretKey(key)
                let sealed = try await store.unlocked { session in try await Rows.sealPlainSecrets(session, with: key) }
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

    static func classified(_ error: any Error) -> any Error { PostgresBackend.classified(error) }
}
