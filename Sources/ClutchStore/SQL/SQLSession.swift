import Foundation
import Synchronization

/// One transaction on one database connection: what every store operation is written against,
/// once for both databases (``SQLStore``).
///
/// Every implementation guarantees:
/// - **One transaction.** Every statement of a session runs in the transaction the backend
///   opened for it (``SQLBackend``); it commits when the operation's body returns and rolls back,
///   entirely, when the body throws.
/// - **The kind of transaction asked for.** A write session sees every write committed before it
///   and no other write runs beside it (SQLite's one writer; PostgreSQL's write lock); a read
///   session sees one consistent, committed view and writes nothing.
/// - **Parameters bound, never spliced.** Values in ``SQL`` reach the database as parameters.
/// - **Queued work announced after the commit.** Work noted with ``queue(_:)`` wakes the
///   background runners of this process once the transaction has committed (and those of the
///   other replicas, on PostgreSQL), never when it rolled back.
public protocol SQLSession: Sendable {
    /// Which database this is, for the few fragments that differ (``SQLDialect``).
    var dialect: SQLDialect { get }

    /// Runs a statement; answers how many rows it inserted, updated or deleted.
    @discardableResult
    func execute(_ sql: SQL) async throws -> Int

    /// Runs a statement and answers every row.
    func rows(_ sql: SQL) async throws -> [SQLRow]

    /// The first column of every row (NULLs left out). A backend may read it without building
    /// rows (SQLite: a cursor), for long lists such as a large cohort's members.
    func values<T: SQLColumn & Sendable>(_ type: T.Type, _ sql: SQL) async throws -> [T]

    /// Notes that this transaction queued `work` for the background runners.
    func queue(_ work: StoreWork) async throws

    /// The store's time (``SQLStore/useClock(_:)``): what revisions, audit events and outbox
    /// rows are stamped with.
    var now: Date { get }

    /// Tells the other replicas sharing the database `payload` once the transaction commits
    /// (PostgreSQL: `NOTIFY` on ``PostgresStore/changesChannel``). SQLite has no other replica.
    func notify(_ payload: String) async throws
}

extension SQLSession {
    /// The first row, or `nil`.
    public func row(_ sql: SQL) async throws -> SQLRow? {
        try await rows(sql).first
    }

    /// The first column of the first row, or `nil` (no row, or NULL).
    public func value<T: SQLColumn>(_ type: T.Type, _ sql: SQL) async throws -> T? {
        guard let row = try await rows(sql).first else { return nil }
        return try row.get(at: 0, as: T?.self)
    }

    /// The first column of every row (NULLs left out), from ``rows(_:)``.
    public func values<T: SQLColumn & Sendable>(_ type: T.Type, _ sql: SQL) async throws -> [T] {
        try await rows(sql).compactMap { try $0.get(at: 0, as: T?.self) }
    }

    /// Whether the statement answers any row.
    public func exists(_ sql: SQL) async throws -> Bool {
        try await !rows(sql).isEmpty
    }
}

/// The store's time: the system clock unless the server gives its own (``SQLStore/useClock(_:)``),
/// so that a server on a test clock stamps what it writes with the test's time.
public final class StoreClock: Sendable {
    /// The closure is kept inside a struct, never as the mutex's value itself: a function-typed
    /// value passed `inout` through the generic `withLock` is re-abstracted on the way in and
    /// written back wrapped in two more thunks, so each reading made the next one deeper (64 bytes
    /// of stack and a slower call per reading: after an import of 10,000 flags a toggle spent half
    /// its time walking the chain, and a long-lived server would in the end overflow its stack).
    private struct Source: Sendable {
        let now: @Sendable () -> Date
    }

    private let source = Mutex(Source(now: { Date() }))

    init() {}

    /// Reads the time from `now` from here on.
    func use(_ now: @escaping @Sendable () -> Date) {
        source.withLock { $0 = Source(now: now) }
    }

    /// The time now.
    public func now() -> Date {
        source.withLock { $0.now }()
    }
}

/// Work a transaction queues for the server's background runners: a schedule added, a webhook
/// delivery queued. Announced to this process's runners once the transaction commits
/// (``StoreWakeups``), and on PostgreSQL to the other replicas by a `NOTIFY` in the transaction.
public enum StoreWork: String, Sendable, CaseIterable {
    case schedules
    case deliveries

    /// The payload of its notification on ``PostgresStore/changesChannel``.
    var payload: String { "work:\(rawValue)" }
}

/// What one transaction queued, noted as it runs and announced only after its commit.
final class QueuedWork: Sendable {
    private let queued = Mutex<Set<StoreWork>>([])

    func insert(_ work: StoreWork) { queued.withLock { _ = $0.insert(work) } }

    var all: Set<StoreWork> { queued.withLock { $0 } }
}

/// The callbacks the runners registered (``ScheduleStoring/onScheduleAdded(_:)``,
/// ``WebhookStoring/onDeliveryQueued(_:)``), by the work that wakes them.
final class StoreWakeups: Sendable {
    private let actions = Mutex<[StoreWork: [@Sendable () -> Void]]>([:])

    func add(_ work: StoreWork, _ action: @escaping @Sendable () -> Void) {
        actions.withLock { $0[work, default: []].append(action) }
    }

    func wake(_ work: some Sequence<StoreWork>) {
        let due = actions.withLock { actions in work.flatMap { actions[$0] ?? [] } }
        for action in due { action() }
    }
}

/// The database under ``SQLStore``: how a transaction is opened, on which connection, and what
/// happens after it commits. Everything else, every operation, is written once over
/// ``SQLSession``.
///
/// Every implementation guarantees what ``SQLSession`` promises, and:
/// - ``write(_:)`` transactions run one at a time, each after every earlier one committed, so
///   that revision numbers, version bumps and `ifRevision` checks see every earlier change;
/// - ``read(_:)`` transactions see one committed view and never wait for a write;
/// - ``unlocked(_:)`` transactions may write rows that no flag change reads (usage, console
///   sessions, reporters) without waiting for the write lock: each statement of theirs must be
///   safe beside a concurrent one (an upsert, a conditional update);
/// - a lost database fails the call with ``StoreUnavailableError`` within a bounded time, never
///   holding the caller; a refusal thrown by the body reaches the caller as it was thrown.
public protocol SQLBackend: Sendable {
    var dialect: SQLDialect { get }

    /// Runs `body` in a write transaction, after every earlier write.
    func write<Result: Sendable>(_ body: @escaping @Sendable (any SQLSession) async throws -> Result) async throws -> Result

    /// Runs `body` in a read-only transaction with one consistent view.
    func read<Result: Sendable>(_ body: @escaping @Sendable (any SQLSession) async throws -> Result) async throws -> Result

    /// Runs `body` in a transaction that does not take the write lock.
    func unlocked<Result: Sendable>(_ body: @escaping @Sendable (any SQLSession) async throws -> Result) async throws -> Result

    /// Calls `action` after every commit that queued `work` (``SQLSession/queue(_:)``): in this
    /// process, and on PostgreSQL in every replica whose listener hears the `NOTIFY`.
    func onQueued(_ work: StoreWork, _ action: @escaping @Sendable () -> Void)

    /// Releases the database. Calls made afterwards fail.
    func close() throws

    /// Where the store's sessions read the time.
    var clock: StoreClock { get }
}
