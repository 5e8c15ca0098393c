import Hummingbird
import HummingbirdCore
import NIOCore

/// Holds the server and every client that talks to it to `docs/openapi.json` while tests run
/// (`CLUTCH_CHECK_CONTRACT=1`): an exchange that ``ContractCheck`` finds at odds with the
/// document becomes a 500 whose message names the difference, and is logged.
///
/// So the CLI's requests, the SDK's, the controllers' response types and the document cannot
/// drift apart without the suites that drive the real server failing. Streams
/// (`text/event-stream`) and `/metrics` are not JSON: their status is checked, not their body.
struct ContractCheckMiddleware: RouterMiddleware {
    typealias Context = ClutchRequestContext
    let check: ContractCheck

    /// The largest request body read for checking (imports may be large).
    private static let maxCheckedBody = 256 << 20

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let method = request.method.rawValue
        guard let template = check.template(method: method, path: request.uri.path) else {
            return try await next(request, context)
        }
        var request = request
        var body = ByteBuffer()
        if request.method != .get && request.method != .head {
            do {
                body = try await request.body.collect(upTo: Self.maxCheckedBody)
            } catch {
                // Too large or cut off: answered as the server answers it, unchecked.
                return ErrorMapping.apiError(for: error, logger: context.logger).response()
            }
            request.body = HummingbirdCore.RequestBody(buffer: body)
        }
        var response = try await next(request, context)
        let status = Int(response.status.code)

        var problems: [String] = []
        if (200..<300).contains(status) {
            problems += check.requestProblems(
                method: method, template: template,
                queryNames: Set(request.uri.queryParameters.map { String($0.key) }),
                contentType: request.headers[.contentType], body: Array(body.readableBytesView))
        }
        var json: [UInt8]?
        if let contentType = response.headers[.contentType], contentType.hasPrefix("application/json") {
            let collected = try await Self.collect(response.body)
            response.body = ResponseBody(byteBuffer: collected)
            json = Array(collected.readableBytesView)
        }
        problems += check.responseProblems(method: method, template: template, status: status, jsonBody: json)
        guard problems.isEmpty else {
            let summary = "\(method) \(request.uri.path) → \(status): " + problems.prefix(5).joined(separator: "; ")
            context.logger.error("contract violation: \(summary)")
            return APIError.internal("contract violation: \(summary)").response()
        }
        return response
    }

    private static func collect(_ body: ResponseBody) async throws -> ByteBuffer {
        let collected = Collected()
        try await body.write(CollectingWriter(collected: collected))
        return collected.buffer
    }

    /// `ResponseBody.write` consumes its writer, so the bytes land in a box the writer shares.
    private final class Collected: @unchecked Sendable {
        // Only the one task writing the body touches it, before `collect` reads it.
        var buffer = ByteBuffer()
    }

    private struct CollectingWriter: ResponseBodyWriter {
        let collected: Collected
        mutating func write(_ buffer: ByteBuffer) async throws {
            var buffer = buffer
            collected.buffer.writeBuffer(&buffer)
        }
        consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }
}
