/// Runs `operation`, cancelling it and throwing `error` when it takes longer than `limit`.
///
/// AsyncHTTPClient's deadline covers a response's head only; this bounds the body too.
func withTimeout<T: Sendable>(
    _ limit: Duration, error: any Error, _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        // The sleeper ends first only when the time is up (or the caller is cancelled).
        guard let first = try await group.next(), let value = first else {
            try Task.checkCancellation()
            throw error
        }
        return value
    }
}
