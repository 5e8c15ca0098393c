import Foundation
import GRDB
import Logging
import Synchronization

/// The SQLite file under ``SQLStore``, through GRDB's pool: one writer, any number of snapshot
/// readers (WAL).
///
/// GRDB hands a transaction's `Database` to a synchronous closure on its own thread, while the
/// store's operations are `async` (to be written once for PostgreSQL too). A ``SQLitePump``
/// joins the two: the closure runs the operation's jobs on that thread until the operation is
/// done, so each statement runs right where the connection lives, with no hop between threads,
/// and the transaction commits or rolls back when the operation returns or throws.
public final class SQLiteBackend: SQLBackend {
    public var dialect: SQLDialect { .sqlite }
    let pool: DatabasePool
    let wakeups = StoreWakeups()
    public let clock = StoreClock()

    init(pool: DatabasePool) {
        self.pool = pool
    }

    public func write<Result: Sendable>(_ body: @escaping @Sendable (any SQLSession) async throws -> Result) async throws -> Result {
        try await run(body) { pump in try await self.pool.write { db in try pump.drain(db) } }
    }

    public func read<Result: Sendable>(_ body: @escaping @Sendable (any SQLSession) async throws -> Result) async throws -> Result {
        try await run(body) { pump in try await self.pool.read { db in try pump.drain(db) } }
    }

    /// SQLite has one writer: a transaction that writes anything takes it.
    public func unlocked<Result: Sendable>(_ body: @escaping @Sendable (any SQLSession) async throws -> Result) async throws -> Result {
        try await write(body)
    }

    /// Every write goes through this process's one writer: its commits are all there is to hear.
    public func close() throws {
        try pool.close()
    }

    public func onQueued(_ work: StoreWork, _ action: @escaping @Sendable () -> Void) {
        wakeups.add(work, action)
    }

    /// A write transaction run to its end on the calling thread, for the synchronous open
    /// (``FlagStore/init(path:secretKeyPath:logger:)``): the operation's jobs run on this thread
    /// while GRDB holds the writer here, so nothing waits for another thread.
    func writeBlocking<Result: Sendable>(_ body: @escaping @Sendable (any SQLSession) async throws -> Result) throws -> Result {
        let pump = SQLitePump()
        let queued = QueuedWork()
        let session = SQLiteSession(pump: pump, queued: queued, clock: clock)
        let answer = Mutex<Result?>(nil)
        _ = pump.start {
            let result = try await body(session)
            answer.withLock { $0 = result }
        }
        do {
            try pool.write { db in try pump.drain(db) }
        } catch {
            pump.abandon()
            throw error
        }
        guard let result = answer.withLock({ $0 }) else { throw StoreUnavailableError("the SQLite transaction ended without an answer") }
        wakeups.wake(queued.all)
        return result
    }

    private func run<Result: Sendable>(
        _ body: @escaping @Sendable (any SQLSession) async throws -> Result,
        transaction: (SQLitePump) async throws -> Void
    ) async throws -> Result {
        let pump = SQLitePump()
        let queued = QueuedWork()
        let session = SQLiteSession(pump: pump, queued: queued, clock: clock)
        let operation = pump.start { try await body(session) }
        do {
            try await transaction(pump)
        } catch {
            // The body threw (GRDB rethrows its error as it is, after the rollback), or the
            // transaction never started (a closed database): jobs still queued run elsewhere
            // and fail.
            pump.abandon()
            throw error
        }
        let result = try await operation.value
        wakeups.wake(queued.all)
        return result
    }
}

/// A statement's session on SQLite: every call runs on the thread that holds the transaction's
/// `Database` (``SQLitePump``).
struct SQLiteSession: SQLSession {
    let pump: SQLitePump
    let queued: QueuedWork
    let clock: StoreClock

    var now: Date { clock.now() }

    var dialect: SQLDialect { .sqlite }

    func execute(_ sql: SQL) async throws -> Int {
        let (text, arguments, count) = sql.sqlite()
        return try await pump.withDatabase { db in
            try Self.statement(db, text, count).execute(arguments: arguments)
            return db.changesCount
        }
    }

    func rows(_ sql: SQL) async throws -> [SQLRow] {
        let (text, arguments, count) = sql.sqlite()
        return try await pump.withDatabase { db in
            try Row.fetchAll(Self.statement(db, text, count), arguments: arguments).map { SQLRow(storage: .sqlite($0)) }
        }
    }

    /// Read through a cursor of values, without copying each row: a 100,000-member cohort
    /// reads several times faster than through ``rows(_:)``.
    func values<T: SQLColumn & Sendable>(_ type: T.Type, _ sql: SQL) async throws -> [T] {
        let (text, arguments, count) = sql.sqlite()
        return try await pump.withDatabase { db in
            let statement = try Self.statement(db, text, count)
            // Text, the long lists (members): GRDB's direct path, without a `DatabaseValue` each.
            if T.self == String.self, let strings = try String?.fetchAll(statement, arguments: arguments).compactMap({ $0 }) as? [T] {
                return strings
            }
            let cursor = try DatabaseValue.fetchCursor(statement, arguments: arguments)
            var values: [T] = []
            while let value = try cursor.next() {
                if !value.isNull { values.append(try T.decode(.sqlite(value), column: "#0")) }
            }
            return values
        }
    }

    func queue(_ work: StoreWork) async throws {
        queued.insert(work)
    }

    func notify(_ payload: String) async throws {}

    /// A prepared statement, from the connection's cache when it has few parameters: the same
    /// statements run on every change, while long `IN (…)` lists would only fill the cache.
    private static func statement(_ db: Database, _ sql: String, _ parameters: Int) throws -> Statement {
        parameters <= 16 ? try db.cachedStatement(sql: sql) : try db.makeStatement(sql: sql)
    }
}
