import ClutchAPI
import ClutchCore
import ClutchProtocol
import Foundation
import Hummingbird
import NIOCore

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
        let key = try context.parameter("key")
        let (keyID, environment) = try context.sdkKey()
        return evaluate(
            key: key, keyID: keyID, environment: environment, kind: try context.sdkKeyKind(), body: try await request.collectBodyBuffer())
    }

    /// The answer for one flag in the environment of the SDK key `keyID` of `kind`, given the
    /// request body. Shared by the route and ``OFREPSingleFlagResponder``, which reaches it without the router.
    func evaluate(key: String, keyID: String, environment: String, kind: SDKKeyKind, body: ByteBuffer) -> Response {
        let evaluationContext: EvaluationContext
        do {
            evaluationContext = try Self.context(from: body)
        } catch {
            return Self.error(key: key, error.code, error.details, status: .badRequest)
        }
        guard let engine = services.registry.engine(environment) else {
            return Self.error(key: key, .general, "environment '\(environment)' is not loaded", status: .internalServerError)
        }
        services.attributes.record(environment: environment, context: evaluationContext)
        let result = engine.evaluate(key, context: evaluationContext)
        // Only existing flags have a type: unknown keys share one label instead of one series each.
        services.metrics.recordEvaluation(flag: result.flagType != nil ? key : "(unknown)", reason: result.reason.rawValue)
        if let code = result.errorCode {
            let status: HTTPResponse.Status = code == .flagNotFound ? .notFound : .badRequest
            return Self.error(key: key, Self.protocolCode(code), Self.details(of: result, for: kind), status: status)
        }
        if let variant = result.variant {
            services.usage.count(environment: environment, keyID: keyID, flag: key, variant: variant, rollout: result.decidedByDefaultRollout)
        }
        var out = ByteBufferAllocator().buffer(capacity: Self.answerCapacity)
        Self.writeSuccess(result, to: &out)
        return JSONResponse.buffer(out)
    }

    /// Room for a typical single answer, so that writing it does not grow the buffer.
    private static let answerCapacity = 256

    @Sendable func bulk(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let (keyID, environment) = try context.sdkKey()
        let kind = try context.sdkKeyKind()
        let evaluationContext: EvaluationContext
        do {
            evaluationContext = try Self.context(from: try await request.collectBodyBuffer())
        } catch let failure as Failure {
            var out = ByteBuffer()
            out.writeStaticString("{\"errorCode\":")
            out.writeJSONString(failure.code.rawValue)
            out.writeStaticString(",\"errorDetails\":")
            out.writeJSONString(failure.details)
            out.writeStaticString("}")
            return JSONResponse.buffer(out, status: .badRequest)
        }
        // A re-fetch that an event-stream message triggered names the version it announced: a
        // server that has not loaded that version yet waits briefly for it rather than answer stale.
        if let announced = request.uri.queryParameters["flagConfigEtag"].flatMap({ EntityTag.snapshotVersion(String($0), environment: environment) }) {
            await waitForVersion(announced, environment: environment)
        }
        guard let live = services.registry.live(environment) else {
            return JSONResponse.raw(#"{"errorCode":"GENERAL","errorDetails":"environment is not loaded"}"#, status: .internalServerError)
        }
        services.attributes.record(environment: environment, context: evaluationContext)
        var out = ByteBuffer()
        var evaluated: [(flag: String, variant: String, rollout: Bool)] = []
        evaluated.reserveCapacity(live.sortedFlagKeys.count)
        out.writeStaticString("{")
        // Where to hear about changes (OFREP ADR-0008): a stream of `refetchEvaluation` messages.
        if let streams = OFREPEventsController.eventStreamsJSON(keyID: keyID, request: request, services: services) {
            out.writeStaticString("\"eventStreams\":")
            out.writeString(streams)
            out.writeStaticString(",")
        }
        out.writeStaticString("\"flags\":[")
        for (index, key) in live.sortedFlagKeys.enumerated() {
            if index > 0 { out.writeStaticString(",") }
            // Thousands of flags take a while: let other requests run, and stop when this one
            // was cancelled (shutdown, or the connection is gone).
            if index % 256 == 255 {
                await Task.yield()
                try Task.checkCancellation()
            }
            let result = live.engine.evaluate(key, context: evaluationContext)
            services.metrics.recordEvaluation(flag: key, reason: result.reason.rawValue)
            Self.writeItem(result, key: key, kind: kind, to: &out)
            if result.errorCode == nil, let variant = result.variant { evaluated.append((key, variant, result.decidedByDefaultRollout)) }
        }
        out.writeStaticString("]}")
        // Every flag a bulk request answered counts as evaluated: an OFREP client evaluates from it.
        services.usage.count(environment: environment, keyID: keyID, evaluations: evaluated)
        let etag = ETag.of(out)
        if let ifNoneMatch = request.headers[.ifNoneMatch], EntityTag.matches(ifNoneMatch, etag) {
            return Response(status: .notModified, headers: [.eTag: etag])
        }
        return JSONResponse.buffer(out, headers: [.eTag: etag])
    }

    /// Waits (at most 1 s of the server's clock) until the environment's loaded version reaches
    /// `version`. Only for a version a few changes ahead: a made-up far-future one (the caller
    /// holds only an SDK key) gets the current answer at once instead of holding the request.
    private func waitForVersion(_ version: Int64, environment: String) async {
        guard let start = services.registry.live(environment)?.version, version > start, version - start <= 100 else { return }
        let clock = services.clock
        let deadline = clock.instant().advanced(by: .seconds(1))
        while clock.instant() < deadline {
            do { try await clock.sleep(for: .milliseconds(20)) } catch { return }  // the request is gone
            guard let current = services.registry.live(environment)?.version, current < version else { return }
        }
    }

    /// The evaluation context of an OFREP body `{"context": {...}}`; an empty body is an empty context.
    static func context(from data: ByteBuffer) throws(Failure) -> EvaluationContext {
        guard data.readableBytes > 0 else { return EvaluationContext() }
        let body: Value
        do {
            body = try JSONValueParser.parse(data)
        } catch {
            throw Failure(code: .parseError, details: "request body is not valid JSON: \(error.message)")
        }
        guard case .object(var fields) = consume body else {
            throw Failure(code: .parseError, details: "request body must be a JSON object")
        }
        // Taken out rather than read, so `EvaluationContext` gets the only reference to the
        // attributes and can edit them in place instead of copying them.
        switch fields.removeValue(forKey: "context") {
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

    /// One flag's item of a bulk answer (and of the client stream's events): the success, or the
    /// error with its key.
    static func writeItem(_ result: EvaluationResult, key: String, kind: SDKKeyKind, to out: inout ByteBuffer) {
        if let code = result.errorCode {
            writeError(key: key, protocolCode(code), details(of: result, for: kind), to: &out)
        } else {
            writeSuccess(result, to: &out)
        }
    }

    /// An evaluation error's details as `kind` of key may read them. A broken definition's
    /// message quotes the definition (a pattern, a cohort's key, the rule at fault), which a
    /// public client key must not read: it gets that the flag cannot be evaluated, and no more.
    static func details(of result: EvaluationResult, for kind: SDKKeyKind) -> String {
        let code = result.errorCode ?? .general
        guard kind == .client, code == .parseError || code == .general else { return result.errorMessage ?? code.rawValue }
        return "flag '\(result.flagKey)' cannot be evaluated: its definition is invalid (an admin sees why with clutch explain)"
    }

    static func writeSuccess(_ result: EvaluationResult, to out: inout ByteBuffer) {
        out.writeStaticString("{\"key\":")
        out.writeJSONString(result.flagKey)
        out.writeStaticString(",\"metadata\":{},\"reason\":")
        out.writeJSONString(result.reason.rawValue)
        out.writeStaticString(",\"value\":")
        out.writeJSON(result.value ?? .null)
        out.writeStaticString(",\"variant\":")
        out.writeJSONString(result.variant ?? "")
        out.writeStaticString("}")
    }

    static func writeError(key: String, _ code: ErrorCode, _ details: String, to out: inout ByteBuffer) {
        out.writeStaticString("{\"errorCode\":")
        out.writeJSONString(code.rawValue)
        out.writeStaticString(",\"errorDetails\":")
        out.writeJSONString(details)
        out.writeStaticString(",\"key\":")
        out.writeJSONString(key)
        out.writeStaticString("}")
    }

    static func error(key: String, _ code: ErrorCode, _ details: String, status: HTTPResponse.Status) -> Response {
        var out = ByteBuffer()
        writeError(key: key, code, details, to: &out)
        return JSONResponse.buffer(out, status: status)
    }
}
