import Logging
import ServiceLifecycle
import Synchronization

/// Runs a background service so that stopping it always ends: it stops gracefully as before,
/// and once its group cancels it (after the graceful shutdown's own bound) it has `grace` to
/// return; after that this wrapper returns in its place, logs an error naming the service and
/// what it was doing, and leaves its task behind.
///
/// Why: the group's shutdown waits for every service, and a service blocked in an await that
/// ignores cancellation (a library call whose answer never comes) would hold it forever, and
/// with it `clutch serve`'s exit on SIGTERM and every rolling upgrade. ServiceLifecycle's own
/// bound on cancellation (`maximumCancellationDuration`) ends the process with `fatalError`.
struct BoundedStop: Service, CustomStringConvertible {
    let base: any Service
    let grace: Duration
    let logger: Logger
    /// What the service is doing now, for the log line when it is left behind.
    let activity: @Sendable () -> String

    init(_ base: any Service, grace: Duration, logger: Logger, activity: @escaping @Sendable () -> String = { "" }) {
        self.base = base
        self.grace = grace
        self.logger = logger
        self.activity = activity
    }

    var description: String { String(describing: base) }

    func run() async throws {
        let outcome = Outcome()
        // An unstructured task inherits the task locals (the group's graceful shutdown reaches
        // the service as before), not the cancellation, which is passed on below.
        let task = Task { [base] in
            do {
                try await base.run()
                outcome.finish(.success(()))
            } catch {
                outcome.finish(.failure(error))
            }
        }
        let name = description
        try await withTaskCancellationHandler {
            try await outcome.wait()
        } onCancel: { [grace, logger, activity] in
            task.cancel()
            Task {
                try? await Task.sleep(for: grace)
                if outcome.finish(.success(())) {
                    logger.error(
                        "a background service did not stop in time; it is left behind",
                        metadata: ["service": "\(name)", "seconds": "\(grace)", "doing": "\(activity())"])
                }
            }
        }
    }

    /// The service's end, or this wrapper's giving up on it: whichever comes first.
    private final class Outcome: Sendable {
        private struct State {
            var result: Result<Void, any Error>?
            var waiter: CheckedContinuation<Void, any Error>?
        }

        private let state = Mutex(State())

        /// Records the end; whether it was the first.
        @discardableResult
        func finish(_ result: Result<Void, any Error>) -> Bool {
            let (first, waiter) = state.withLock { state -> (Bool, CheckedContinuation<Void, any Error>?) in
                guard state.result == nil else { return (false, nil) }
                state.result = result
                defer { state.waiter = nil }
                return (true, state.waiter)
            }
            waiter?.resume(with: result)
            return first
        }

        func wait() async throws {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let result = state.withLock { state -> Result<Void, any Error>? in
                    if state.result == nil { state.waiter = continuation }
                    return state.result
                }
                if let result { continuation.resume(with: result) }
            }
        }
    }
}
