import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The SDK's requests to a Clutch server (docs/api.md "SDK sync" and "OFREP").
final class ServerAPI: Sendable {
    let serverURL: URL
    let sdkKey: String
    let requestTimeout: Duration
    /// Created on first use, off the caller's path: making a session costs milliseconds on
    /// Linux, and a client starting from its cache should be ready before that.
    private let sessionBox = Locked<(session: URLSession?, invalidated: Bool)>((nil, false))

    init(configuration: ClutchConfiguration) {
        serverURL = configuration.serverURL
        sdkKey = configuration.sdkKey
        requestTimeout = configuration.requestTimeout
    }

    var session: URLSession {
        sessionBox.withLock { box in
            if let session = box.session { return session }
            let sessionConfiguration = URLSessionConfiguration.ephemeral
            sessionConfiguration.timeoutIntervalForRequest = requestTimeout.inSeconds
            sessionConfiguration.requestCachePolicy = .reloadIgnoringLocalCacheData
            let session = URLSession(configuration: sessionConfiguration)
            if box.invalidated { session.finishTasksAndInvalidate() }
            box.session = session
            return session
        }
    }

    /// Ends the session once in-flight requests finish (they are bounded by the request
    /// timeout; cancelling them can crash Linux's Foundation, see `cancellableData(for:)`).
    func invalidate() {
        let session = sessionBox.withLock { box in
            box.invalidated = true
            return box.session
        }
        session?.finishTasksAndInvalidate()
    }

    /// What a conditional GET returned.
    enum Fetch<T: Sendable>: Sendable {
        case notModified
        case fetched(T, etag: String?)
    }

    func request(_ path: String, method: String = "GET", timeout: Duration? = nil) -> URLRequest {
        var request = URLRequest(url: serverURL.appendingPathComponent(path))
        request.httpMethod = method
        request.timeoutInterval = (timeout ?? requestTimeout).inSeconds
        request.setValue("Bearer \(sdkKey)", forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        return request
    }

    /// `GET /sdk/v1/flags`, conditional on `etag`.
    func snapshot(ifNoneMatch etag: String?) async throws -> Fetch<Snapshot> {
        var request = request("sdk/v1/flags")
        if let etag { request.setValue(etag, forHTTPHeaderField: "If-None-Match") }
        return try await fetch(request, as: Snapshot.self)
    }

    /// `POST /ofrep/v1/evaluate/flags` for `context`, conditional on `etag`.
    func evaluateAll(_ context: EvaluationContext, ifNoneMatch etag: String?) async throws -> Fetch<OFREPBulkResponse> {
        var request = request("ofrep/v1/evaluate/flags", method: "POST")
        if let etag { request.setValue(etag, forHTTPHeaderField: "If-None-Match") }
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        var body = "{\"context\":"
        Value.object(context.json).write(to: &body)
        body += "}"
        request.httpBody = Data(body.utf8)
        return try await fetch(request, as: OFREPBulkResponse.self)
    }

    /// `POST /sdk/v1/usage`.
    func sendUsage(_ report: UsageReport) async throws {
        var request = request("sdk/v1/usage", method: "POST")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = try ClutchJSON.encode(report)
        let (_, response) = try await session.cancellableData(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard (200..<300).contains(status) else { throw ClutchError.status(status, "/sdk/v1/usage") }
    }

    /// `GET /sdk/v1/stream`, resuming after `lastEventID` when given.
    func stream(lastEventID: String?, heartbeatTimeout: Duration) -> StreamingResponse {
        var request = request("sdk/v1/stream", timeout: heartbeatTimeout + .seconds(5))
        request.setValue("text/event-stream", forHTTPHeaderField: "Accept")
        if let lastEventID, !lastEventID.isEmpty { request.setValue(lastEventID, forHTTPHeaderField: "Last-Event-ID") }
        return StreamingDataDelegate.stream(request)
    }

    private func fetch<T: Decodable & Sendable>(_ request: URLRequest, as type: T.Type) async throws -> Fetch<T> {
        let (data, response) = try await session.cancellableData(for: request)
        let http = response as? HTTPURLResponse
        let status = http?.statusCode ?? 0
        let path = request.url?.path ?? ""
        if status == 304 { return .notModified }
        guard status == 200 else { throw ClutchError.status(status, path) }
        do {
            let value = try ClutchJSON.decode(T.self, from: data)
            return .fetched(value, etag: http?.value(forHTTPHeaderField: "ETag"))
        } catch {
            throw ClutchError.invalidResponse("cannot read the answer to \(path): \(error)")
        }
    }
}
