import ClutchAPI
import ClutchCore
import Foundation
import Hummingbird
import NIOCore

/// `/sdk/v1/client/stream`: one context's answers pushed to an app on a device or in a browser
/// (issue 28; the events are ``ClientValuesFormat``'s). A client key only: a server key is a
/// secret and must not ship inside apps (403).
///
/// The context comes as OFREP's body (`POST`, `{"context": {...}}`, the same decoding and limits
/// as OFREP bulk evaluation) or, for a browser's `EventSource` (which can neither POST nor send
/// headers), as `GET ?context=<base64url of that body>&key=<client key>`. It is kept in memory
/// for the connection only, never stored or logged.
///
/// Client keys have no per-key stream cap; the server's client stream budget and its limit per
/// source address apply instead (``ClientStreamBudget``).
struct ClientStreamController {
    let services: ServerServices

    static let path = "sdk/v1/client/stream"

    var routes: RouteCollection<ClutchRequestContext> {
        let routes = RouteCollection(context: ClutchRequestContext.self)
        routes.get(RouterPath(Self.path), use: open)
        routes.post(RouterPath(Self.path), use: open)
        return routes
    }

    @Sendable func open(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let principal = try await authenticate(request)
        guard case .sdk(let keyID, let environment, let kind) = principal else { throw APIError.unauthorized("SDK key required") }
        try ClutchRequestContext.require(.client, presented: kind)
        let evaluationContext = try await Self.evaluationContext(request)
        // The server evaluates this context for the stream's whole life: its names are seen here.
        services.attributes.record(environment: environment, context: evaluationContext)
        let address = context.channel.remoteAddress?.ipAddress ?? "unknown"
        let slot = try services.clientStreams.reserve(address: address)
        // The two services the stream's evaluations are told to, not all of them: the closure
        // lives as long as the stream.
        let (metrics, usage) = (services.metrics, services.usage)
        let format = ClientValuesFormat(context: evaluationContext, environment: environment, registry: services.registry) { results in
            var evaluated: [(flag: String, variant: String, rollout: Bool)] = []
            for result in results {
                metrics.recordEvaluation(flag: result.flagKey, reason: result.reason.rawValue)
                if result.errorCode == nil, let variant = result.variant {
                    evaluated.append((result.flagKey, variant, result.decidedByDefaultRollout))
                }
            }
            // What a client key evaluates is counted here, once: its own reports carry errors only.
            usage.count(environment: environment, keyID: keyID, evaluations: evaluated)
        }
        guard services.registry.live(environment) != nil else {
            throw APIError.notFound("environment '\(environment)' not found")
        }
        // Once the head is written the channel's pipeline serves the stream (``ClientStreamHandler``):
        // the body returns without ending the response, and no task waits on the stream.
        let channel = context.channel
        let stream = ClientStreamHandler.Stream(
            format: format, slot: slot, keyID: keyID, environment: environment, registry: services.registry,
            metrics: services.metrics, clock: services.clock)
        let body = ResponseBody { _ in
            try await channel.eventLoop.submit { try ClientStreamHandler.start(channel: channel, stream: stream) }.get()
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: body)
    }

    /// The key from the usual headers or, for `GET` without them, from `key` in the query (a
    /// client key is public; a server key sent there is refused like any other server key).
    private func authenticate(_ request: Request) async throws -> Principal {
        let lookup = services.credentialLookup
        guard request.method == .get, CredentialMiddleware.presentedDigest(request) == nil,
            var key = request.uri.queryParameters["key"].map(String.init), !key.isEmpty
        else {
            return try await CredentialMiddleware.authenticate(request, credentials: lookup, requirement: .sdk)
        }
        let digest = key.withUTF8 { CredentialCache.Digest(secretBytes: $0) }
        guard let principal = await lookup.principal(for: digest), case .sdk = principal else {
            throw APIError.unauthorized("unknown or revoked credential")
        }
        return principal
    }

    /// The context of a `POST` body, or of `GET`'s `context` (base64url of the same body; none
    /// is an empty context); 400 naming `context` when it cannot be read.
    static func evaluationContext(_ request: Request) async throws -> EvaluationContext {
        let body: ByteBuffer
        if request.method == .get {
            guard let text = request.uri.queryParameters["context"].map(String.init), !text.isEmpty else {
                return EvaluationContext()
            }
            guard let data = base64URLDecoded(text) else {
                throw APIError.badRequest("context must be the base64url of {\"context\": {...}}", field: "context")
            }
            body = ByteBuffer(bytes: data)
        } else {
            body = try await request.collectBodyBuffer()
        }
        do {
            return try OFREPController.context(from: body)
        } catch {
            throw APIError.badRequest(error.details, field: "context")
        }
    }

    /// Base64url, padded or not (standard base64's `+` and `/` are taken too).
    private static func base64URLDecoded(_ text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64)
    }
}
