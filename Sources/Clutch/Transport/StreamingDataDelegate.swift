import Dispatch
import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Bridges a streaming `URLSessionDataTask` to an `AsyncThrowingStream` of chunks.
/// `URLSession.bytes(for:)` is missing from Linux's Foundation; a data delegate receives
/// the body incrementally on every platform.
final class StreamingDataDelegate: NSObject, URLSessionDataDelegate, Sendable {
    private let continuation: AsyncThrowingStream<Data, any Error>.Continuation
    private let path: String
    /// Where the transfer is. Linux's Foundation crashes when `URLSessionTask.cancel()` races
    /// the task's own completion ("a task that is not in the registry"), so a task is only
    /// cancelled while it is streaming; one still connecting is cancelled when its response
    /// arrives (or simply fails by itself), and one that is ending is left to end.
    fileprivate enum Phase: Sendable { case connecting, streaming, ending }
    fileprivate let phase = Locked<(phase: Phase, abandoned: Bool)>((.connecting, false))

    private init(continuation: AsyncThrowingStream<Data, any Error>.Continuation, path: String) {
        self.continuation = continuation
        self.path = path
    }

    /// Starts `request` and returns its body as it arrives. A status other than 200 ends
    /// the stream with ``ClutchError``; ending the iteration cancels the request.
    static func stream(_ request: URLRequest) -> StreamingResponse {
        let (stream, continuation) = AsyncThrowingStream<Data, any Error>.makeStream()
        let delegate = StreamingDataDelegate(continuation: continuation, path: request.url?.path ?? "")
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = request.timeoutInterval
        configuration.timeoutIntervalForResource = 7 * 24 * 3600
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        let session = URLSession(configuration: configuration, delegate: delegate, delegateQueue: nil)
        let task = session.dataTask(with: request)
        continuation.onTermination = { [phase = delegate.phase] _ in
            // Called from the consumer's cancellation handler, which must not wait on the
            // session's queue (see `cancellableData(for:)`), so act asynchronously. A session
            // keeps its delegate until invalidated.
            DispatchQueue.global().async {
                let streaming = phase.withLock { state in
                    state.abandoned = true
                    return state.phase == .streaming
                }
                if streaming {
                    session.invalidateAndCancel()
                } else {
                    session.finishTasksAndInvalidate()
                }
            }
        }
        task.resume()
        return StreamingResponse(bytes: stream, continuation: continuation)
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard status == 200 else {
            // Let the short error body arrive rather than cancel (see `Phase`).
            phase.withLock { $0.phase = .ending }
            continuation.finish(throwing: ClutchError.status(status, path))
            completionHandler(.allow)
            return
        }
        let abandoned = phase.withLock { state in
            if !state.abandoned { state.phase = .streaming }
            return state.abandoned
        }
        completionHandler(abandoned ? .cancel : .allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        continuation.yield(data)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        phase.withLock { $0.phase = .ending }
        if let error {
            continuation.finish(throwing: error)
        } else {
            continuation.finish()
        }
    }
}

/// A streaming response body and a way to end it from outside (the heartbeat watchdog).
struct StreamingResponse: Sendable {
    let bytes: AsyncThrowingStream<Data, any Error>
    fileprivate let continuation: AsyncThrowingStream<Data, any Error>.Continuation

    /// Ends the body with `error` and cancels the request.
    func fail(_ error: any Error) {
        continuation.finish(throwing: error)
    }
}
