import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

extension URLSession {
    /// `data(for:)` that returns at once when the calling task is cancelled.
    ///
    /// Two bugs of Linux's Foundation shape this: cancelling a task awaiting its `data(for:)`
    /// while the transfer completes deadlocks (the cancellation handler holds the task's status
    /// lock and waits for the session's queue, which waits for that lock), and
    /// `URLSessionTask.cancel()` racing the task's own completion crashes ("a task that is not
    /// in the registry"). So the transfer is never cancelled: the caller stops waiting and the
    /// request ends by itself, bounded by the session's timeout.
    func cancellableData(for request: URLRequest) async throws -> (Data, URLResponse) {
        let pending = PendingResponse()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<(Data, URLResponse), any Error>) in
                guard pending.wait(continuation) else { return }
                let task = dataTask(with: request) { data, response, error in
                    if let error {
                        pending.finish(.failure(error))
                    } else if let response {
                        pending.finish(.success((data ?? Data(), response)))
                    } else {
                        pending.finish(.failure(ClutchError.invalidResponse("no response for \(request.url?.path ?? "")")))
                    }
                }
                task.resume()
            }
        } onCancel: {
            pending.finish(.failure(CancellationError()))
        }
    }
}

/// A continuation resumed exactly once: by the response or by cancellation, whichever is first.
private final class PendingResponse: Sendable {
    private let state = Locked<(continuation: CheckedContinuation<(Data, URLResponse), any Error>?, result: Result<(Data, URLResponse), any Error>?)>((nil, nil))

    /// Stores the continuation; `false` (and resumed) when the outcome is already known.
    func wait(_ continuation: CheckedContinuation<(Data, URLResponse), any Error>) -> Bool {
        let early = state.withLock { state -> Result<(Data, URLResponse), any Error>? in
            if let result = state.result { return result }
            state.continuation = continuation
            return nil
        }
        guard let early else { return true }
        continuation.resume(with: early)
        return false
    }

    func finish(_ result: Result<(Data, URLResponse), any Error>) {
        let continuation = state.withLock { state -> CheckedContinuation<(Data, URLResponse), any Error>? in
            guard state.result == nil else { return nil }
            state.result = result
            defer { state.continuation = nil }
            return state.continuation
        }
        continuation?.resume(with: result)
    }
}
