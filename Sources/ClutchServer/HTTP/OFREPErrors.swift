import Hummingbird
import Logging
import NIOCore

/// Errors on the OFREP routes in OFREP's shape, `{"errorCode": "GENERAL", "errorDetails": …}`
/// (which fits both the spec's `generalErrorResponse` and its bulk failure), instead of the admin
/// API's `{"error": {…}}`: an OpenFeature provider reads these bodies.
enum OFREPErrors {
    /// The OFREP answer for any failure, with the status and headers the admin API would give it.
    static func response(for error: any Error, logger: Logger) -> Response {
        let apiError = ErrorMapping.apiError(for: error, logger: logger)
        var out = ByteBuffer()
        out.writeStaticString("{\"errorCode\":\"GENERAL\",\"errorDetails\":")
        out.writeJSONString(apiError.message)
        out.writeStaticString("}")
        return JSONResponse.buffer(out, status: apiError.status, headers: apiError.headers)
    }
}

/// Answers errors from the OFREP group (a missing or wrong credential, a route that does not
/// exist) in OFREP's shape.
struct OFREPErrorMiddleware: RouterMiddleware {
    typealias Context = ClutchRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return OFREPErrors.response(for: error, logger: context.logger)
        }
    }
}
