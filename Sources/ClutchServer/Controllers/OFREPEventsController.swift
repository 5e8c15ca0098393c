import ClutchCore
import Foundation
import Hummingbird

/// `GET /ofrep/v1/events`: the OFREP event stream (ADR-0008) that bulk answers point providers
/// to in `eventStreams`. It sends `refetchEvaluation` messages (``OFREPRefetchFormat``).
///
/// Browsers' `EventSource` cannot send headers, so the URL in `eventStreams` carries a `token`
/// derived from the SDK key (``CredentialCache/eventsToken(keyID:)``); other clients may send
/// the SDK key as usual instead. Errors answer in OFREP's shape, like the evaluation routes.
struct OFREPEventsController {
    let services: ServerServices

    /// The stream's path, for the URLs in `eventStreams`.
    static let path = "/ofrep/v1/events"
    /// How long a provider should keep the stream open while its app is inactive (ADR-0008's default).
    static let inactivityDelaySeconds = 120

    var routes: RouteCollection<ClutchRequestContext> {
        let routes = RouteCollection(context: ClutchRequestContext.self)
        routes.get("ofrep/v1/events", use: events)
        return routes
    }

    @Sendable func events(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        do {
            let principal: Principal
            if let token = request.uri.queryParameters["token"].map(String.init) {
                guard let found = await services.credentialLookup.principal(forEventsToken: token) else {
                    throw APIError.unauthorized("unknown or revoked events token")
                }
                principal = found
            } else {
                principal = try await CredentialMiddleware.authenticate(request, credentials: services.credentialLookup, requirement: .sdk)
            }
            guard case .sdk(let keyID, let environment, _) = principal else { throw APIError.unauthorized("SDK key required") }
            let lastEventID = request.headers[HeaderNames.lastEventID].flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) }
            let registry = services.registry
            let format = OFREPRefetchFormat(environment: environment, lastEventID: lastEventID, clock: services.clock) {
                registry.live(environment)?.version
            }
            return try EventStreamResponse.make(
                services: services, channel: context.channel, keyID: keyID, environment: environment,
                lastEventID: lastEventID, format: format)
        } catch {
            return OFREPErrors.response(for: error, logger: context.logger)
        }
    }

    /// ASCII letters, digits and `.-:[]`: what a host, an IPv6 literal and a port are made of.
    private static func isHostByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: ":"), UInt8(ascii: "["), UInt8(ascii: "]"):
            true
        default:
            false
        }
    }

    /// The `eventStreams` entry of a bulk answer for `keyID`, with an absolute URL: the
    /// configured public URL, else the scheme and host the request came to.
    static func eventStreamsJSON(keyID: String, request: Request, services: ServerServices) -> String? {
        guard let token = services.credentials.eventsToken(keyID: keyID) else { return nil }
        let base: String
        if let configured = services.configuration.publicURL {
            base = configured.hasSuffix("/") ? String(configured.dropLast()) : configured
        } else {
            // Only a plain host[:port]: the header is the caller's, and ends up in a URL.
            guard let host = request.head.authority, !host.isEmpty, host.utf8.allSatisfy(Self.isHostByte) else { return nil }
            base = "http://\(host)"
        }
        // The token is base64url and the key id `k_…`: nothing to percent-encode.
        let url = "\(base)\(path)?token=\(token)"
        var json = ByteBuffer()
        json.writeStaticString("[{\"inactivityDelaySec\":")
        json.writeString(String(inactivityDelaySeconds))
        json.writeStaticString(",\"type\":\"sse\",\"url\":")
        json.writeJSONString(url)
        json.writeStaticString("}]")
        return String(buffer: json)
    }
}
