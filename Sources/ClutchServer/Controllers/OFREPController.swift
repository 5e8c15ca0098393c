import ClutchCore
import Foundation
import Hummingbird

/// The OpenFeature Remote Evaluation Protocol: `/ofrep/v1/evaluate/flags[/{key}]`.
///
/// Answers are written by hand so that values keep their exact JSON form (doubles always with a
/// fraction) and error bodies follow OFREP (`{key, errorCode, errorDetails}`), not the admin shape.
struct OFREPController {
    let services: ServerServices

    var routes: RouteCollection<ClutchRequestContext> {
        let routes = RouteCollection(context: ClutchRequestContext.self)
        routes.post("evaluate/flags/:key", use: single)
        routes.post("evaluate/flags", use: bulk)
        return routes
    }

    /// A request that cannot be evaluated: an OFREP error code and its details.
    struct Failure: Error {
        let code: ErrorCode
        let details: String
    }

    @Sendable func single(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        var request = request
        let key = try context.parameter("key")
        let (_, environment) = try context.sdkKey()
        let evaluationContext: EvaluationContext
        do {
            evaluationContext = try Self.context(from: try await request.collectBodyBytes())
        } catch let failure as Failure {
            return Self.error(key: key, failure.code, failure.details, status: .badRequest)
        }
        guard let engine = services.registry.engine(environment) else {
            return Self.error(key: key, .general, "environment '\(environment)' is not loaded", status: .internalServerError)
        }
        let result = engine.evaluate(key, context: evaluationContext)
        // Only existing flags have a type: unknown keys share one label instead of one series each.
        services.metrics.recordEvaluation(flag: result.flagType != nil ? key : "(unknown)", reason: result.reason.rawValue)
        var out = ""
        if let code = result.errorCode {
            let status: HTTPResponse.Status = code == .flagNotFound ? .notFound : .badRequest
            return Self.error(key: key, Self.protocolCode(code), result.errorMessage ?? code.rawValue, status: status)
        }
        Self.writeSuccess(result, to: &out)
        return JSONResponse.raw(out)
    }

    @Sendable func bulk(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        var request = request
        let (_, environment) = try context.sdkKey()
        let evaluationContext: EvaluationContext
        do {
            evaluationContext = try Self.context(from: try await request.collectBodyBytes())
        } catch let failure as Failure {
            var out = "{\"errorCode\":"
            Value.writeString(failure.code.rawValue, to: &out)
            out += ",\"errorDetails\":"
            Value.writeString(failure.details, to: &out)
            out += "}"
            return JSONResponse.raw(out, status: .badRequest)
        }
        guard let live = services.registry.live(environment) else {
            return JSONResponse.raw(#"{"errorCode":"GENERAL","errorDetails":"environment is not loaded"}"#, status: .internalServerError)
        }
        var out = "{\"flags\":["
        for (index, key) in live.sortedFlagKeys.enumerated() {
            if index > 0 { out += "," }
            let result = live.engine.evaluate(key, context: evaluationContext)
            services.metrics.recordEvaluation(flag: key, reason: result.reason.rawValue)
            if let code = result.errorCode {
                Self.writeError(key: key, Self.protocolCode(code), result.errorMessage ?? code.rawValue, to: &out)
            } else {
                Self.writeSuccess(result, to: &out)
            }
        }
        out += "]}"
        let etag = ETag.of(out)
        if let ifNoneMatch = request.headers[.ifNoneMatch], ETag.matches(ifNoneMatch, etag) {
            return Response(status: .notModified, headers: [.eTag: etag])
        }
        return JSONResponse.raw(out, headers: [.eTag: etag])
    }

    /// The evaluation context of an OFREP body `{"context": {...}}`; an empty body is an empty context.
    static func context(from data: [UInt8]) throws(Failure) -> EvaluationContext {
        guard !data.isEmpty else { return EvaluationContext() }
        let body: Value
        do {
            body = try JSONValueParser.parse(data)
        } catch {
            throw Failure(code: .parseError, details: "request body is not valid JSON: \(error.message)")
        }
        guard case .object(let fields) = body else {
            throw Failure(code: .parseError, details: "request body must be a JSON object")
        }
        switch fields["context"] {
        case nil, .null?:
            return EvaluationContext()
        case .object(let attributes)?:
            do {
                return try EvaluationContext(json: attributes)
            } catch {
                throw Failure(code: .invalidContext, details: error.message)
            }
        case let other?:
            throw Failure(code: .invalidContext, details: "context must be an object, got \(other.kindName)")
        }
    }

    /// OFREP's error codes for evaluation errors; codes outside its set become `GENERAL`.
    static func protocolCode(_ code: ErrorCode) -> ErrorCode {
        switch code {
        case .flagNotFound, .parseError, .invalidContext, .targetingKeyMissing, .general: code
        default: .general
        }
    }

    static func writeSuccess(_ result: EvaluationResult, to out: inout String) {
        out += "{\"key\":"
        Value.writeString(result.flagKey, to: &out)
        out += ",\"metadata\":{},\"reason\":"
        Value.writeString(result.reason.rawValue, to: &out)
        out += ",\"value\":"
        (result.value ?? .null).write(to: &out)
        out += ",\"variant\":"
        Value.writeString(result.variant ?? "", to: &out)
        out += "}"
    }

    static func writeError(key: String, _ code: ErrorCode, _ details: String, to out: inout String) {
        out += "{\"errorCode\":"
        Value.writeString(code.rawValue, to: &out)
        out += ",\"errorDetails\":"
        Value.writeString(details, to: &out)
        out += ",\"key\":"
        Value.writeString(key, to: &out)
        out += "}"
    }

    static func error(key: String, _ code: ErrorCode, _ details: String, status: HTTPResponse.Status) -> Response {
        var out = ""
        writeError(key: key, code, details, to: &out)
        return JSONResponse.raw(out, status: status)
    }
}
