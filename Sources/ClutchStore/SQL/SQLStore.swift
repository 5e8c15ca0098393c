import ClutchCore
import Foundation
import Logging
import Synchronization

/// The one implementation of the store's operations, over either database (``SQLBackend``):
/// SQLite (``SQLiteBackend``) or PostgreSQL (``PostgresBackend``).
///
/// Each operation is written once: it opens the kind of transaction it needs, reads what it
/// needs through ``Rows``, decides with the shared rules (``FlagEdits``, ``FlagChangePlan``,
/// ``StoreRules``), and writes the current row, the revision, the audit event, the outbox rows
/// and the version bumps in that transaction. What differs between the databases is the
/// backend's transaction and a few SQL fragments (``SQLDialect``), nothing else.
///
/// Where a new operation goes: a method in an `extension SQLStore` under `Operations/`, its
/// row-level reads and writes in ``Rows``, its rules in a pure type beside them, and its
/// requirement in ``ClutchStoring`` (or one of the protocols it refines).
public final class SQLStore<Backend: SQLBackend>: Sendable {
    let backend: Backend
    let logger: Logger
    /// Who this store instance is when it claims a webhook delivery (``claimDelivery(_:now:lease:)``).
    let claimer: String
    /// The key webhook secrets are sealed with, once the store has it (``useWebhookSecretKey(_:)``).
    private let sealing = Mutex<WebhookSecretKey?>(nil)

    init(backend: Backend, logger: Logger) {
        self.backend = backend
        self.logger = logger
        claimer = (backend.dialect == .sqlite ? "sqlite-" : "replica-") + Secrets.randomHex(bytes: 8)
    }

    /// Seals webhook secrets with `key` from now on (set once, when the store opens).
    func useWebhookSecretKey(_ key: WebhookSecretKey) {
        sealing.withLock { $0 = key }
    }

    /// The key webhook secrets are sealed with; fails when the store was opened without one
    /// (PostgreSQL tools and tests that send no webhook).
    func webhookSecretKey() throws -> WebhookSecretKey {
        guard let key = sealing.withLock({ $0 }) else {
            throw WebhookSecretKeyError("this server was started without a webhook secret key file (--secret-key-file)")
        }
        return key
    }

    /// Reads the time from `now` from here on (the server's clock): revisions, audit events,
    /// outbox rows and credentials are stamped with it.
    public func useClock(_ now: @escaping @Sendable () -> Date) {
        backend.clock.use(now)
    }

    /// The store's time now.
    func now() -> Date {
        backend.clock.now()
    }

    /// Releases the database. Calls made afterwards fail.
    public func close() throws {
        try backend.close()
    }

    /// Runs `body` in a write transaction, after every earlier write.
    func write<Result: Sendable>(_ body: @escaping @Sendable (any SQLSession) async throws -> Result) async throws -> Result {
        try await backend.write(body)
    }

    /// Runs `body` in a read-only transaction with one consistent view.
    func read<Result: Sendable>(_ body: @escaping @Sendable (any SQLSession) async throws -> Result) async throws -> Result {
        try await backend.read(body)
    }

    /// Runs `body` in a transaction that does not wait for the write lock (usage, console
    /// sessions: rows no flag change reads).
    func unlocked<Result: Sendable>(_ body: @escaping @Sendable (any SQLSession) async throws -> Result) async throws -> Result {
        try await backend.unlocked(body)
    }
}
