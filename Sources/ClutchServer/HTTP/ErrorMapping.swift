import ClutchStore
import Hummingbird
import Logging
import NIOCore

/// The one place where failures become HTTP answers.
enum ErrorMapping {
    /// The API error for any failure; unexpected ones are logged and become 500.
    static func apiError(for error: any Error, logger: Logger) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as StoreError:
            switch error.kind {
            case .notFound: return .notFound(error.message, field: error.field)
            case .conflict: return .conflict(error.message, field: error.field)
            case .invalid(let validation):
                return .validationFailed(validation.issues.first?.message ?? error.message, field: error.field ?? validation.issues.first?.path)
            case .badRequest: return .badRequest(error.message, field: error.field)
            case .reviewRequired: return .reviewRequired(error.message)
            }
        case let error as BlockedError:
            return .blocked(error.description)
        case let error as AccessRefusal:
            return .forbidden(error.message)
        case let error as StoreUnavailableError:
            logger.warning("database unavailable", metadata: ["error": "\(error)"])
            return .unavailable("the database is unavailable: nothing was changed; try again")
        case is NIOTooManyBytesError:
            return .payloadTooLarge("request body is larger than 1 MiB")
        case let error as DecodingError:
            return JSONInput.apiError(error)
        case let error as HTTPError:
            switch error.status {
            case .notFound: return .notFound(error.body ?? "no such route")
            case .contentTooLarge: return .payloadTooLarge("request body is larger than 1 MiB")
            case .unauthorized: return .unauthorized(error.body ?? "credential required")
            case .forbidden: return .forbidden(error.body ?? "forbidden")
            case .conflict: return .conflict(error.body ?? "conflict")
            case .badRequest: return .badRequest(error.body ?? "bad request")
            case .methodNotAllowed: return .notFound("method not allowed on this route")
            default:
                if error.status.code < 500 { return .badRequest(error.body ?? error.status.reasonPhrase) }
                logger.error("request failed", metadata: ["error": "\(error)"])
                return .internal("internal error")
            }
        default:
            logger.error("request failed", metadata: ["error": "\(String(reflecting: type(of: error)))"])
            return .internal("internal error")
        }
    }
}

/// Turns every thrown error into the JSON error shape.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = ClutchRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return ErrorMapping.apiError(for: error, logger: context.logger).response()
        }
    }
}
