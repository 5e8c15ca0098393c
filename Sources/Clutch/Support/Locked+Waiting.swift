extension Locked {
    /// Suspends until the continuation `store` puts in the state is resumed by whoever changes
    /// the state — or at once with what `ready` returns when that is not `nil`. Cancelling the
    /// calling task takes the continuation back out with `unregister` and fails it with
    /// `CancellationError`. One home for the wait-for-a-state pattern of the client's waits.
    func wait(
        until ready: (State) -> Result<Void, any Error>?,
        store: (inout State, CheckedContinuation<Void, any Error>) -> Void,
        unregister: @escaping @Sendable (inout State) -> CheckedContinuation<Void, any Error>?
    ) async throws {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let immediate: Result<Void, any Error>? = withLock { state in
                    if let result = ready(state) { return result }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    store(&state, continuation)
                    return nil
                }
                if let immediate { continuation.resume(with: immediate) }
            }
        } onCancel: {
            withLock(unregister)?.resume(throwing: CancellationError())
        }
    }

    /// ``wait(until:store:unregister:)`` for a wait that cannot fail: returns at once when
    /// `ready` holds, and when the calling task is cancelled.
    func wait(
        until ready: (State) -> Bool,
        store: (inout State, CheckedContinuation<Void, Never>) -> Void,
        unregister: @escaping @Sendable (inout State) -> CheckedContinuation<Void, Never>?
    ) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = withLock { state in
                    if ready(state) || Task.isCancelled { return true }
                    store(&state, continuation)
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            withLock(unregister)?.resume()
        }
    }
}
