import ClutchAPI
import ClutchCore
import Foundation
import Hummingbird

/// An error answered with the one JSON error shape of docs/api.md:
/// `{"error": {"code": …, "message": …, "field": …}}`.
struct APIError: Error, Sendable, CustomStringConvertible {
    private enum Code: String, Sendable {
        case badRequest = "bad_request"
        case validationFailed = "validation_failed"
        case unauthorized
        case forbidden
        case notFound = "not_found"
        case conflict
        /// A direct change that widens exposure in a protected environment (409).
        case reviewRequired = "review_required"
        case preconditionRequired = "precondition_required"
        case payloadTooLarge = "payload_too_large"
        case requestTimeout = "request_timeout"
        case tooManyRequests = "too_many_requests"
        case `internal`
        case unavailable
        /// A block holds: the change would widen exposure where someone stopped it (409).
        case blocked
    }

    private let code: Code
    let message: String
    let field: String?
    /// Whole seconds to wait before trying again (`Retry-After`), for 429.
    let retryAfter: Int?

    private init(_ code: Code, _ message: String, field: String?, retryAfter: Int? = nil) {
        self.code = code
        self.message = message
        self.field = field
        self.retryAfter = retryAfter
    }

    static func badRequest(_ message: String, field: String? = nil) -> APIError { .init(.badRequest, message, field: field) }
    static func validationFailed(_ message: String, field: String? = nil) -> APIError { .init(.validationFailed, message, field: field) }
    static func unauthorized(_ message: String) -> APIError { .init(.unauthorized, message, field: nil) }
    static func forbidden(_ message: String) -> APIError { .init(.forbidden, message, field: nil) }
    static func notFound(_ message: String, field: String? = nil) -> APIError { .init(.notFound, message, field: field) }
    static func conflict(_ message: String, field: String? = nil) -> APIError { .init(.conflict, message, field: field) }
    static func reviewRequired(_ message: String) -> APIError { .init(.reviewRequired, message, field: nil) }
    static func blocked(_ message: String) -> APIError { .init(.blocked, message, field: nil) }
    static func preconditionRequired(_ message: String, field: String? = nil) -> APIError { .init(.preconditionRequired, message, field: field) }
    static func payloadTooLarge(_ message: String) -> APIError { .init(.payloadTooLarge, message, field: nil) }
    static func `internal`(_ message: String) -> APIError { .init(.internal, message, field: nil) }
    /// 408: the request did not arrive whole within the request deadline (``RequestDeadlineHandler``).
    static func requestTimeout(_ message: String) -> APIError { .init(.requestTimeout, message, field: nil) }
    /// 503 with `Retry-After: seconds`: the server is at its connection budget (``ConnectionBudget``).
    static func overloaded(_ message: String, retryAfter seconds: Int) -> APIError {
        .init(.unavailable, message, field: nil, retryAfter: max(1, seconds))
    }
    /// 503: the database cannot be reached; nothing was changed.
    static func unavailable(_ message: String) -> APIError { .init(.unavailable, message, field: nil, retryAfter: 1) }
    /// 429 with `Retry-After: seconds` (at least 1).
    static func tooManyRequests(_ message: String, retryAfter seconds: Int) -> APIError {
        .init(.tooManyRequests, message, field: nil, retryAfter: max(1, seconds))
    }

    /// The same refusal with `text` added to its message (where in a document it is).
    func appending(_ text: String) -> APIError { .init(code, message + text, field: field, retryAfter: retryAfter) }

    var status: HTTPResponse.Status {
        switch code {
        case .badRequest, .validationFailed: .badRequest
        case .unauthorized: .unauthorized
        case .forbidden: .forbidden
        case .notFound: .notFound
        case .conflict, .reviewRequired, .blocked: .conflict
        case .preconditionRequired: .preconditionRequired
        case .payloadTooLarge: .contentTooLarge
        case .requestTimeout: .requestTimeout
        case .tooManyRequests: .tooManyRequests
        case .internal: .internalServerError
        case .unavailable: .serviceUnavailable
        }
    }

    /// The error's code string.
    var codeName: String { code.rawValue }

    var description: String { "\(code.rawValue): \(message)" }

    /// The headers every answer to this error carries, whatever its body's shape.
    var headers: HTTPFields {
        var headers = HTTPFields()
        if code == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        return headers
    }

    /// The JSON response.
    func response() -> Response {
        JSONResponse.encode(body, status: status, headers: headers)
    }

    /// The JSON body as bytes, for an answer written below the router (the connection limits of
    /// ``GuardedHTTP1Channel``).
    var bodyBytes: ByteBuffer {
        ByteBuffer(bytes: (try? ClutchJSON.encode(body)) ?? Data(#"{"error":{"code":"internal","message":""}}"#.utf8))
    }

    private var body: ErrorBody {
        ErrorBody(code: code.rawValue, message: message, field: field)
    }
}
