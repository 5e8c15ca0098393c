import PostgresNIO
import Synchronization

/// The answer to one PostgreSQL transaction of ``PostgresStore``: the work's own result, or the
/// store's giving up on it, whichever comes first. The work runs in a task of its own so that
/// giving up never waits for it.
///
/// Why: a transaction is awaited by requests and by the background runners, and the server
/// only stops once they return. The work's queries are not cancellable once sent, and a
/// PostgreSQL restart was seen to leave one waiting forever on a connection already closed
/// (the scheduler's, in a test that stops and starts the database): its task never returned
/// and the server's shutdown waited for it. Giving up is therefore decided here, from outside:
/// - no connection leased within the lease timeout: the database is unavailable, and the
///   lease request is cancelled;
/// - the leased connection closed: the work's own error normally comes with the close; if it
///   has not come a moment later, the transaction fails as unavailable and its task is left to
///   end (or not) on its own.
final class TransactionAnswer<Value: Sendable>: Sendable {
    private struct State {
        var result: Result<Value, any Error>?
        var waiter: CheckedContinuation<Value, any Error>?
        var connection: PostgresConnection?
    }

    private let state = Mutex(State())

    /// Notes the leased connection; false when the transaction was given up on already (the
    /// work must then not start).
    func leased(_ connection: PostgresConnection) -> Bool {
        state.withLock { state in
            guard state.result == nil else { return false }
            state.connection = connection
            return true
        }
    }

    /// The leased connection, if any.
    var connection: PostgresConnection? { state.withLock { $0.connection } }

    /// Answers with `result` unless answered already; whether this was the answer.
    @discardableResult
    func finish(_ result: Result<Value, any Error>) -> Bool {
        let (answered, waiter) = state.withLock { state -> (Bool, CheckedContinuation<Value, any Error>?) in
            guard state.result == nil else { return (false, nil) }
            state.result = result
            defer { state.waiter = nil }
            return (true, state.waiter)
        }
        waiter?.resume(with: result)
        return answered
    }

    /// Answers with `error` if no connection was leased yet; whether it did.
    func giveUpUnlessLeased(_ error: any Error) -> Bool {
        let (answered, waiter) = state.withLock { state -> (Bool, CheckedContinuation<Value, any Error>?) in
            guard state.result == nil, state.connection == nil else { return (false, nil) }
            state.result = .failure(error)
            defer { state.waiter = nil }
            return (true, state.waiter)
        }
        waiter?.resume(throwing: error)
        return answered
    }

    /// The answer, once there is one.
    func value() async throws -> Value {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Value, any Error>) in
            let result = state.withLock { state -> Result<Value, any Error>? in
                if state.result == nil { state.waiter = continuation }
                return state.result
            }
            if let result { continuation.resume(with: result) }
        }
    }
}
