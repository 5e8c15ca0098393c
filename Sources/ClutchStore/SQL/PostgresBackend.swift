import Foundation
import Logging
import PostgresNIO
import Synchronization

/// The PostgreSQL database under ``SQLStore``, which any number of server replicas share.
///
/// Writes run one at a time: each takes a transaction-scoped advisory lock first, so revision
/// numbers, version bumps and `ifRevision` checks see every earlier change, as SQLite's single
/// writer does. Reads run in a read-only `REPEATABLE READ` transaction: one consistent view, as
/// SQLite's snapshot reads. Work a transaction queues (``StoreWork``) is announced to the other
/// replicas by a `NOTIFY` inside it, and to this process's runners once it commits.
public final class PostgresBackend: SQLBackend {
    public var dialect: SQLDialect { .postgres }
    /// The advisory lock each write transaction holds.
    static let writeLock: Int64 = 0x436C_7574_6368_5731  // "ClutchW1"

    /// The database, as the store was opened on it.
    public let address: PostgresAddress
    let client: PostgresClient
    let logger: Logger
    /// The connection pool's run loop, cancelled by ``close()``.
    private let runner: Mutex<Task<Void, Never>?>
    /// The background runners to wake when work is queued, here or on another replica.
    let wakeups = StoreWakeups()
    public let clock = StoreClock()
    /// This process's writes, one at a time, before they lease a connection: writes run one
    /// at a time anyway (the advisory lock), and a write waiting here holds no connection, so
    /// that concurrent writes never take the whole pool from the reads.
    let writeGate = WriteGate()

    init(address: PostgresAddress, client: PostgresClient, runner: Task<Void, Never>, logger: Logger) {
        self.address = address
        self.client = client
        self.runner = Mutex(runner)
        self.logger = logger
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

    public func write<Result: Sendable>(_ body: @escaping @Sendable (any SQLSession) async throws -> Result) async throws -> Result {
        try await transaction(lock: true) { session in try await body(PostgresSQLSession(session: session, clock: self.clock)) }
    }

    /// A write transaction on `PostgresSession`, after this process's earlier writes.
    func writeTransaction<Result: Sendable>(_ body: @escaping @Sendable (PostgresSession) async throws -> Result) async throws -> Result {
        try await transaction(lock: true, body)
    }

    public func read<Result: Sendable>(_ body: @escaping @Sendable (any SQLSession) async throws -> Result) async throws -> Result {
        try await transaction(lock: false) { session in try await body(PostgresSQLSession(session: session, clock: self.clock)) }
    }

    public func unlocked<Result: Sendable>(_ body: @escaping @Sendable (any SQLSession) async throws -> Result) async throws -> Result {
        try await transaction(lock: nil) { session in try await body(PostgresSQLSession(session: session, clock: self.clock)) }
    }

    /// Woken after this process's commits, and by the listener (``PostgresStore/listen(onListening:onNotification:)``)
    /// for work the other replicas queued.
    public func onQueued(_ work: StoreWork, _ action: @escaping @Sendable () -> Void) {
        wakeups.add(work, action)
    }

    /// `lock`: true takes the write lock, false makes the transaction a read-only snapshot,
    /// nil neither. A lost or refused connection becomes ``StoreUnavailableError``.
    ///
    /// A database that is down must not hold a caller: no connection within ``leaseTimeout`` is
    /// an unavailable database. Once leased, the work runs to its end (its queries cannot be
    /// taken back), unless its connection closes: from the lease timeout on, the connection is
    /// looked at every ``lostConnectionGrace``, and once it is closed the caller is answered that
    /// much later even if the work's own answer never comes (``TransactionAnswer``).
    func transaction<Result: Sendable>(
        lock: Bool?, _ body: @escaping @Sendable (PostgresSession) async throws -> Result
    ) async throws -> Result {
        guard lock == true else { return try await leased(lock: lock, body) }
        let ticket = try await writeGate.enter()
        do {
            let result = try await leased(lock: lock, body)
            writeGate.leave(ticket, unavailable: false)
            return result
        } catch {
            writeGate.leave(ticket, unavailable: error is StoreUnavailableError)
            throw error
        }
    }

    private func leased<Result: Sendable>(
        lock: Bool?, _ body: @escaping @Sendable (PostgresSession) async throws -> Result
    ) async throws -> Result {
        let logger = self.logger
        let client = self.client
        let queued = QueuedWork()
        let answer = TransactionAnswer<Result>()
        let work = Task {
            do {
                let result = try await client.withConnection { connection in
                    guard answer.leased(connection) else { throw CancellationError() }
                    return try await Self.run(connection, lock: lock, logger: logger, queued: queued, body)
                }
                answer.finish(.success(result))
            } catch {
                answer.finish(.failure(error))
            }
        }
        let watcher = Task {
            try await Task.sleep(for: Self.leaseTimeout)
            if answer.giveUpUnlessLeased(StoreUnavailableError("no database connection within \(Self.leaseTimeout)")) {
                work.cancel()
                return
            }
            while let connection = answer.connection, !connection.isClosed {
                try await Task.sleep(for: Self.lostConnectionGrace)
            }
            try await Task.sleep(for: Self.lostConnectionGrace)
            if answer.finish(.failure(StoreUnavailableError("the database connection closed during a transaction"))) {
                logger.warning("a transaction's connection closed and its work did not end; it is left behind")
            }
        }
        defer { watcher.cancel() }
        do {
            let result = try await withTaskCancellationHandler {
                try await answer.value()
            } onCancel: {
                // Before the lease, nothing was sent: stop waiting. After it, the work ends by itself.
                if answer.giveUpUnlessLeased(CancellationError()) { work.cancel() }
            }
            // Committed: this process's runners look now (the other replicas hear the NOTIFY).
            wakeups.wake(queued.all)
            return result
        } catch {
            throw Self.classified(error)
        }
    }

    /// How often a leased transaction's connection is looked at, and how long after it closed the
    /// transaction still waits for its work's own answer.
    static let lostConnectionGrace: Duration = .seconds(1)

    /// How long a call waits for a database connection before answering that the database is unavailable.
    static let leaseTimeout: Duration = .seconds(5)

    /// One transaction on a leased connection: with the write lock, as a read-only snapshot, or plain.
    private static func run<Result: Sendable>(
        _ connection: PostgresConnection, lock: Bool?, logger: Logger, queued: QueuedWork,
        _ body: @Sendable (PostgresSession) async throws -> Result
    ) async throws -> Result {
        try await PostgresTransaction.run(connection, logger: logger) { connection in
            let session = PostgresSession(connection: connection, logger: logger, queuedWork: queued)
            switch lock {
            case true?: try await session.execute("SELECT pg_advisory_xact_lock(\(Self.writeLock))")
            case false?: try await session.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            case nil: break
            }
            return try await body(session)
        }
    }

    /// The error a caller sees: a refusal as it is, a lost database as ``StoreUnavailableError``,
    /// anything else (a statement the server refused) as it is.
    static func classified(_ error: any Error) -> any Error {
        switch error {
        case is StoreError, is PostgresStoreError, is CancellationError, is WebhookSecretKeyError, is SQLDecodingError, is BlockedError,
             is AccessRefusal:
            return error
        case let error as PSQLError:
            let unavailableCodes: [PSQLError.Code] = [
                .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .poolClosed,
            ]
            if unavailableCodes.contains(error.code) { return StoreUnavailableError("\(error.code)") }
            // SQLSTATE class 08 (connection exception) and 57 (operator intervention: shutdown).
            if let state = error.serverInfo?[.sqlState], state.hasPrefix("08") || state.hasPrefix("57") {
                return StoreUnavailableError("PostgreSQL \(state): \(error.serverInfo?[.message] ?? "")")
            }
            return error
        default:
            // Connection pool and socket errors: the database cannot be reached.
            return StoreUnavailableError(String(describing: error))
        }
    }
}

/// One process's write transactions in arrival order (``PostgresBackend/writeGate``).
///
/// A write that finds the database unavailable fails the writes that were already waiting
/// behind it at once, with the same error: they wanted the same database, and each would
/// otherwise wait its own lease timeout in turn.
final class WriteGate: Sendable {
    private struct State {
        var busy = false
        var next: UInt64 = 0
        var waiters: [(ticket: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
        /// Tickets up to this one were waiting when a write found the database unavailable.
        var failUpTo: UInt64?
    }

    private let state = Mutex(State())

    /// Waits for the earlier writes; returns this write's ticket.
    func enter() async throws -> UInt64 {
        let ticket = state.withLock { state -> UInt64 in
            state.next += 1
            return state.next
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let now = state.withLock { state -> Bool in
                    if !state.busy {
                        state.busy = true
                        return true
                    }
                    state.waiters.append((ticket, continuation))
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, any Error>? in
                guard let index = state.waiters.firstIndex(where: { $0.ticket == ticket }) else { return nil }
                return state.waiters.remove(at: index).continuation
            }
            waiter?.resume(throwing: CancellationError())
        }
        return ticket
    }

    /// Lets the next write in; after an unavailable database, fails those that were waiting.
    func leave(_ ticket: UInt64, unavailable: Bool) {
        var failed: [CheckedContinuation<Void, any Error>] = []
        let next = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            if unavailable { state.failUpTo = state.next }
            while let first = state.waiters.first, let limit = state.failUpTo, first.ticket <= limit {
                failed.append(state.waiters.removeFirst().continuation)
            }
            guard !state.waiters.isEmpty else {
                state.busy = false
                return nil
            }
            return state.waiters.removeFirst().continuation
        }
        for waiter in failed { waiter.resume(throwing: StoreUnavailableError("the database was unavailable to the write before")) }
        next?.resume()
    }
}

/// A statement's session on PostgreSQL: one leased connection inside its transaction.
struct PostgresSQLSession: SQLSession {
    let session: PostgresSession
    let clock: StoreClock

    var now: Date { clock.now() }

    var dialect: SQLDialect { .postgres }

    func execute(_ sql: SQL) async throws -> Int {
        let result = try await session.connection.query(sql.postgres(), logger: session.logger).get()
        return result.metadata.rows ?? 0
    }

    func rows(_ sql: SQL) async throws -> [SQLRow] {
        try await session.rows(sql.postgres()).map { SQLRow(storage: .postgres($0)) }
    }

    func queue(_ work: StoreWork) async throws {
        session.queuedWork.insert(work)
        try await notify(work.payload)
    }

    func notify(_ payload: String) async throws {
        try await session.execute("SELECT pg_notify(\(PostgresStore.changesChannel), \(payload))")
    }
}
