import ClutchCore
import ClutchStore
import Foundation
import Hummingbird
import ServiceLifecycle

/// `/sdk/v1`: snapshot download, the change stream and usage reports. The SDK key decides the environment.
struct SDKController {
    let services: ServerServices

    var routes: RouteCollection<ClutchRequestContext> {
        let routes = RouteCollection(context: ClutchRequestContext.self)
        routes.get("flags", use: flags)
        routes.get("stream", use: stream)
        routes.post("usage", use: usage)
        return routes
    }

    @Sendable func flags(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let (_, environment) = try context.sdkKey()
        guard let live = services.registry.live(environment) else {
            throw APIError.notFound("environment '\(environment)' not found")
        }
        if let ifNoneMatch = request.headers[.ifNoneMatch], ETag.matches(ifNoneMatch, live.etag) {
            return Response(status: .notModified, headers: [.eTag: live.etag])
        }
        return JSONResponse.raw(live.snapshotJSON, headers: [.eTag: live.etag, .cacheControl: "no-cache"])
    }

    @Sendable func stream(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let (keyID, environment) = try context.sdkKey()
        guard services.registry.live(environment) != nil else {
            throw APIError.notFound("environment '\(environment)' not found")
        }
        let lastEventID = request.headers[HeaderNames.lastEventID].flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) }
        let services = self.services
        let heartbeat = services.configuration.heartbeatInterval
        let body = ResponseBody { writer in
            let (messages, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingOldest(4096))
            guard let (id, first) = services.registry.subscribe(
                environment: environment, keyID: keyID, lastEventID: lastEventID, continuation: continuation)
            else {
                try await writer.finish(nil)
                return
            }
            services.updateStreamGauge()
            // A dead client is only noticed when a write fails, so write something regularly.
            let beats = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: heartbeat)
                    if Task.isCancelled { break }
                    if case .terminated = continuation.yield(StreamEvent.heartbeat) { break }
                }
            }
            defer {
                beats.cancel()
                continuation.finish()
                services.registry.unsubscribe(environment: environment, id: id)
                services.updateStreamGauge()
            }
            try await withGracefulShutdownHandler {
                var buffer = ByteBuffer()
                for text in first { buffer.writeString(text) }
                try await writer.write(buffer)
                for await text in messages {
                    try await writer.write(ByteBuffer(string: text))
                }
            } onGracefulShutdown: {
                // Ends the stream cleanly so that shutdown is not held up; clients reconnect elsewhere.
                continuation.finish()
            }
            try await writer.finish(nil)
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: body)
    }

    private struct UsageReport: Decodable {
        let counts: [UsageCount]
        let from: String?
        let to: String?
    }

    @Sendable func usage(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        var request = request
        let (_, environment) = try context.sdkKey()
        let report = try await request.decodeJSON(UsageReport.self)
        for (index, count) in report.counts.enumerated() where count.count < 0 {
            throw APIError.validationFailed("count must not be negative", field: "counts[\(index)].count")
        }
        try await services.metrics.timeWrite("record_usage") {
            try await services.store.recordUsage(environment: environment, counts: report.counts, at: Date())
        }
        return Response(status: .accepted)
    }
}

/// Entity tags.
enum ETag {
    /// Whether an `If-None-Match` value names `etag` (weak or strong, in a list, or `*`).
    static func matches(_ ifNoneMatch: String, _ etag: String) -> Bool {
        let bare = etag.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        for candidate in ifNoneMatch.split(separator: ",") {
            var tag = candidate.trimmingCharacters(in: .whitespaces)
            if tag == "*" { return true }
            if tag.hasPrefix("W/") { tag.removeFirst(2) }
            if tag.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) == bare { return true }
        }
        return false
    }

    /// A strong tag from content: FNV-1a 64 of the bytes.
    static func of(_ text: String) -> String {
        of(bytes: text.utf8)
    }

    /// A strong tag from a buffer's readable bytes; the same tag as for the same text.
    static func of(_ buffer: ByteBuffer) -> String {
        of(bytes: buffer.readableBytesView)
    }

    private static func of(bytes: some Sequence<UInt8>) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return "\"" + String(repeating: "0", count: 16 - hex.count) + hex + "\""
    }
}
