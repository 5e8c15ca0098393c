import Foundation
import GRDB

/// Runs one store operation's `async` code on the thread where GRDB holds its transaction.
///
/// GRDB calls a transaction's closure synchronously, on the connection's own thread, and the
/// `Database` may be used there only. The operation is started as a task that prefers this
/// executor; ``drain(_:)``, called inside GRDB's closure, runs the task's jobs there until the
/// operation has finished. So the operation's statements run directly on the connection, and
/// the transaction ends (commit, or rollback when it threw) when the operation does.
///
/// A job that reaches the pump after the transaction ended runs on the global executor; a
/// statement from there fails (``StoreUnavailableError``) instead of touching a connection that
/// is not its own.
final class SQLitePump: TaskExecutor, @unchecked Sendable {
    private enum Item {
        case job(UnownedJob)
        /// Runs with the transaction's `Database`, or `nil` once it has ended.
        case work((Database?) -> Void)
    }

    // Guarded by `condition`. `database` is used only on `drainingThread`.
    private let condition = NSCondition()
    private var items: [Item] = []
    private var finished = false
    private var closed = false
    private var storedFailure: (any Error)?
    private var database: Database?
    private var drainingThread: pthread_t?

    /// Starts `operation` as a task whose jobs this pump runs once it drains.
    func start<Result: Sendable>(_ operation: @escaping @Sendable () async throws -> Result) -> Task<Result, any Error> {
        let body: @Sendable () async throws -> Result = { [self] in
            do {
                let result = try await operation()
                finish(nil)
                return result
            } catch {
                finish(error)
                throw error
            }
        }
        if #available(macOS 15.0, iOS 18.0, *) {
            return Task(executorPreference: self, operation: body)
        }
        // Without task executors each statement hops to the connection's thread (``submit``).
        return Task(operation: body)
    }

    /// Runs the operation's jobs on this thread until it finishes; throws its error, so that
    /// GRDB rolls the transaction back.
    func drain(_ db: Database) throws {
        condition.lock()
        database = db
        drainingThread = pthread_self()
        condition.unlock()
        defer {
            condition.lock()
            database = nil
            drainingThread = nil
            condition.unlock()
        }
        while true {
            condition.lock()
            while items.isEmpty && !finished { condition.wait() }
            if items.isEmpty {
                closed = true
                let failure = storedFailure
                condition.unlock()
                if let failure { throw failure }
                return
            }
            let batch = items
            items.removeAll(keepingCapacity: true)
            condition.unlock()
            for item in batch {
                switch item {
                case .job(let job): job.runSynchronously(on: asUnownedTaskExecutor())
                case .work(let work): work(db)
                }
            }
        }
    }

    /// The transaction will not be drained (any more): later jobs run on the global executor.
    func abandon() {
        condition.lock()
        closed = true
        finished = true
        let leftover = items
        items.removeAll()
        condition.unlock()
        for item in leftover {
            switch item {
            case .job(let job): job.runSynchronously(on: globalConcurrentExecutor.asUnownedTaskExecutor())
            case .work(let work): work(nil)
            }
        }
    }

    private func finish(_ error: (any Error)?) {
        condition.lock()
        finished = true
        storedFailure = error
        condition.signal()
        condition.unlock()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        condition.lock()
        if closed {
            condition.unlock()
            globalConcurrentExecutor.enqueue(job)
            return
        }
        items.append(.job(UnownedJob(job)))
        condition.signal()
        condition.unlock()
    }

    /// Runs `work` with the transaction's `Database`: right here when called on the draining
    /// thread (the usual case), else as a job of the draining thread.
    func withDatabase<T: Sendable>(_ work: @escaping (Database) throws -> T) async throws -> T {
        if let current = databaseOnThisThread() {
            return try work(current)
        }
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let unsafe = UnsafeTransfer((work, continuation))
            let accepted = submit { database in
                let (work, continuation) = unsafe.value
                guard let database else {
                    continuation.resume(throwing: StoreUnavailableError("the SQLite transaction has ended"))
                    return
                }
                continuation.resume(with: Result { try work(database) })
            }
            if !accepted { continuation.resume(throwing: StoreUnavailableError("the SQLite transaction has ended")) }
        }
    }

    /// The transaction's `Database` when this is the thread draining it.
    private func databaseOnThisThread() -> Database? {
        condition.lock()
        defer { condition.unlock() }
        guard let drainingThread, pthread_equal(drainingThread, pthread_self()) != 0 else { return nil }
        return database
    }

    /// Queues `work` for the draining thread; false once the transaction has ended.
    private func submit(_ work: @escaping (Database?) -> Void) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !closed else { return false }
        items.append(.work(work))
        condition.signal()
        return true
    }
}

/// Moves a value to the draining thread that alone uses it.
private struct UnsafeTransfer<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
