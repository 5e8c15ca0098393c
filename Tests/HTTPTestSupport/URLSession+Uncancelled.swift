import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

extension URLSession {
    /// `data(for:)` that a cancelled Swift task does not cancel: the request runs until it is
    /// answered, fails or times out (every test session sets a timeout).
    ///
    /// Why: on Linux, FoundationNetworking's `data(for:)` deadlocks when its task is cancelled while
    /// the transfer is ending (swift-corelibs-foundation, Swift 6.3.1). `Task.cancel()` runs the
    /// cancellation handler under the task's status lock, and the handler calls
    /// `URLSessionTask.cancel()`, which waits for the session's work queue; that queue, finishing
    /// the same transfer, resumes the task's continuation and waits for the status lock. Both
    /// threads stop, and with them two of the cooperative pool's threads: on a 2-core machine that
    /// is all of them, and every test in the process hangs. A backtrace of such a hang showed
    /// exactly these two threads (`killDashNineLosesNoAcknowledgedWrite` cancelling its writers
    /// just after the server died). The completion-handler API installs no cancellation handler.
    public func uncancelledData(for request: URLRequest) async throws -> (Data, URLResponse) {
        try await withCheckedThrowingContinuation { continuation in
            let task = dataTask(with: request) { data, response, error in
                if let error {
                    continuation.resume(throwing: error)
                } else if let response {
                    continuation.resume(returning: (data ?? Data(), response))
                } else {
                    continuation.resume(throwing: URLError(.badServerResponse))
                }
            }
            task.resume()
        }
    }
}
