import ClutchProtocol
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The SDK's requests to a Clutch server (docs/api.md "SDK sync", "client stream" and "OFREP"), over
/// AsyncHTTPClient: NIO sleeps in `epoll`/`kqueue` while a stream is idle, and cancelling
/// the calling task cancels the request.
final class ServerAPI: Sendable {
    let serverURL: URL
    let sdkKey: String
    let requestTimeout: Duration
    let http: HTTPClient
    /// Whether `http` was made here (and so is shut down here) or belongs to the application.
    private let ownsHTTPClient: Bool
    private let shutDown = Locked(false)

    /// The largest answer read into memory: far above any real snapshot, it only stops a
    /// runaway body from exhausting memory.
    static let maxResponseBytes = 256 << 20

    init(configuration: ClutchConfiguration) {
        serverURL = configuration.serverURL
        sdkKey = configuration.sdkKey
        requestTimeout = configuration.requestTimeout
        if let shared = configuration.httpClient {
            http = shared
            ownsHTTPClient = false
        } else {
            // No read timeout: a live stream is quiet between heartbeats, and the sync loop
            // watches it; ordinary requests are bounded by `requestTimeout` per request.
            let timeout = HTTPClient.Configuration.Timeout(connect: TimeAmount(configuration.requestTimeout))
            http = HTTPClient(
                eventLoopGroup: HTTPClient.defaultEventLoopGroup,
                configuration: HTTPClient.Configuration(timeout: timeout),
                backgroundActivityLogger: configuration.logger)
            ownsHTTPClient = true
        }
    }

    /// Shuts the HTTP client down when the SDK made it; in-flight requests fail. Once only.
    func shutdown() async {
        guard ownsHTTPClient, shutDown.withLock({ done in defer { done = true }; return !done }) else { return }
        try? await http.shutdown()
    }

    /// Whether ``shutdown()`` shut the SDK's own HTTP client down (for tests).
    var hasShutDown: Bool { shutDown.withLock { $0 } }

    /// What a conditional GET returned.
    enum Fetch<T: Sendable>: Sendable {
        case notModified
        case fetched(T, etag: String?)
    }

    func request(_ path: String, method: HTTPMethod = .GET) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: serverURL.appendingPathComponent(path).absoluteString)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(sdkKey)")
        request.headers.add(name: "Accept", value: "application/json")
        return request
    }

    /// `GET /sdk/v1/flags`, conditional on `etag`.
    func snapshot(ifNoneMatch etag: String?) async throws -> Fetch<Snapshot> {
        var request = request("sdk/v1/flags")
        if let etag { request.headers.add(name: "If-None-Match", value: etag) }
        return try await fetch(request, path: "/sdk/v1/flags", as: Snapshot.self)
    }

    /// `POST /ofrep/v1/evaluate/flags` for `context`, conditional on `etag`.
    func evaluateAll(_ context: EvaluationContext, ifNoneMatch etag: String?) async throws -> Fetch<OFREPBulkResponse> {
        var request = request("ofrep/v1/evaluate/flags", method: .POST)
        if let etag { request.headers.add(name: "If-None-Match", value: etag) }
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(Self.contextBody(context))
        return try await fetch(request, path: "/ofrep/v1/evaluate/flags", as: OFREPBulkResponse.self)
    }

    /// `{"context": …}`: what OFREP bulk evaluation and the client stream are sent.
    private static func contextBody(_ context: EvaluationContext) -> ByteBuffer {
        var body = "{\"context\":"
        Value.object(context.json).write(to: &body)
        body += "}"
        return ByteBuffer(string: body)
    }

    /// `POST /sdk/v1/usage`; the usage cadence the answer asks for, when it can be read.
    func sendUsage(_ report: UsageReport) async throws -> UsageCadence? {
        var request = request("sdk/v1/usage", method: .POST)
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(try ClutchJSON.encode(report))
        let (status, _, body) = try await send(request)
        guard (200..<300).contains(status.code) else { throw ClutchError.status(Int(status.code), "/sdk/v1/usage") }
        return try? UsageCadence(data: body.readableBytesView)
    }

    /// `GET /sdk/v1/stream`, resuming after `lastEventID` when given: the body, once the
    /// server accepted the stream within `headTimeout`. Reading it is the caller's; ending
    /// the reading task cancels the request.
    func stream(lastEventID: String?, headTimeout: Duration) async throws -> HTTPClientResponse.Body {
        var request = request("sdk/v1/stream")
        request.headers.replaceOrAdd(name: "Accept", value: "text/event-stream")
        if let lastEventID, !lastEventID.isEmpty { request.headers.add(name: "Last-Event-ID", value: lastEventID) }
        return try await openStream(request, path: "/sdk/v1/stream", headTimeout: headTimeout)
    }

    /// `POST /sdk/v1/client/stream` for `context` (device mode): the body of `values` and
    /// `changed` events, once the server accepted the stream within `headTimeout`.
    func clientStream(_ context: EvaluationContext, headTimeout: Duration) async throws -> HTTPClientResponse.Body {
        var request = request("sdk/v1/client/stream", method: .POST)
        request.headers.replaceOrAdd(name: "Accept", value: "text/event-stream")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(Self.contextBody(context))
        return try await openStream(request, path: "/sdk/v1/client/stream", headTimeout: headTimeout)
    }

    private func openStream(_ request: HTTPClientRequest, path: String, headTimeout: Duration) async throws -> HTTPClientResponse.Body {
        let response = try await http.execute(request, timeout: TimeAmount(headTimeout))
        guard response.status == .ok else {
            // Read the short error body so that the connection can be reused.
            _ = try? await response.body.collect(upTo: 64 << 10)
            throw ClutchError.status(Int(response.status.code), path, retryAfter: Self.retryAfter(response.headers))
        }
        return response.body
    }

    /// `Retry-After` in seconds (the server never sends a date), at most an hour.
    static func retryAfter(_ headers: HTTPHeaders) -> Duration? {
        guard let text = headers.first(name: "Retry-After"), let seconds = Int(text.trimmingCharacters(in: .whitespaces)), seconds >= 0 else {
            return nil
        }
        return .seconds(min(seconds, 3600))
    }

    private func fetch<T: Decodable & Sendable>(_ request: HTTPClientRequest, path: String, as type: T.Type) async throws -> Fetch<T> {
        let (status, headers, body) = try await send(request)
        if status == .notModified { return .notModified }
        guard status == .ok else { throw ClutchError.status(Int(status.code), path, retryAfter: Self.retryAfter(headers)) }
        do {
            let value = try ClutchJSONDecoder().decode(T.self, from: [UInt8](body.readableBytesView))
            return .fetched(value, etag: headers.first(name: "ETag"))
        } catch {
            throw ClutchError.invalidResponse("cannot read the answer to \(path): \(error)")
        }
    }

    /// Sends `request` and reads the whole answer, head and body within `requestTimeout`.
    private func send(_ request: HTTPClientRequest) async throws -> (HTTPResponseStatus, HTTPHeaders, ByteBuffer) {
        let http = self.http
        return try await withTimeout(requestTimeout, error: HTTPClientError.deadlineExceeded) {
            let response = try await http.execute(request, timeout: TimeAmount(self.requestTimeout))
            let body = try await response.body.collect(upTo: Self.maxResponseBytes)
            return (response.status, response.headers, body)
        }
    }
}
