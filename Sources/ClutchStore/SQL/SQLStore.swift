import ClutchCore
import Foundation
import Logging

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

    init(backend: Backend, logger: Logger) {
        self.backend = backend
        self.logger = logger
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
