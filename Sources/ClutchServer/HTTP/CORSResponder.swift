import Foundation
import Hummingbird

/// Which browser origins may call the OFREP and SDK routes (`--cors-origin`).
public enum CORSPolicy {
    /// The routes a web app calls with an SDK key; the admin API never answers cross-origin.
    static let pathPrefixes = ["/ofrep/", "/sdk/"]
    static let allowedMethods = "GET, POST, OPTIONS"
    static let allowedHeaders = "Authorization, Content-Type, X-API-Key, If-None-Match, Last-Event-ID"
    static let exposedHeaders = "ETag, Retry-After"
    /// How long a browser may cache a preflight answer.
    static let maxAgeSeconds = 600

    /// `origin` as a browser sends it (`scheme://host[:port]`, lowercased, no path), or `*`;
    /// `nil` when it is neither.
    public static func normalizedOrigin(_ origin: String) -> String? {
        if origin == "*" { return origin }
        guard let url = URL(string: origin), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
            let host = url.host?.lowercased(), !host.isEmpty, url.path.isEmpty || url.path == "/", url.query == nil
        else { return nil }
        return url.port.map { "\(scheme)://\(host):\($0)" } ?? "\(scheme)://\(host)"
    }
}

/// Adds CORS to the OFREP and SDK routes for the configured origins: answers preflight
/// `OPTIONS` requests itself and adds `Access-Control-Allow-Origin` to the answers, so a web app
/// can use an OFREP provider (or the SDK endpoints) from its own origin. Sits in front of
/// everything, the OFREP fast path included; with no origins configured it only passes requests on.
struct CORSResponder<Inner: HTTPResponder>: HTTPResponder where Inner.Context == ClutchRequestContext {
    typealias Context = ClutchRequestContext
    let inner: Inner
    let origins: [String]

    func respond(to request: Request, context: Context) async throws -> Response {
        guard !origins.isEmpty, let origin = request.headers[.origin], let allowed = allow(origin, request.uri.path) else {
            return try await inner.respond(to: request, context: context)
        }
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            var headers = HTTPFields()
            headers[.accessControlAllowOrigin] = allowed
            headers[.accessControlAllowMethods] = CORSPolicy.allowedMethods
            headers[.accessControlAllowHeaders] = CORSPolicy.allowedHeaders
            headers[.accessControlMaxAge] = String(CORSPolicy.maxAgeSeconds)
            headers[.vary] = "Origin"
            return Response(status: .noContent, headers: headers)
        }
        var response = try await inner.respond(to: request, context: context)
        response.headers[.accessControlAllowOrigin] = allowed
        response.headers[.accessControlExposeHeaders] = CORSPolicy.exposedHeaders
        response.headers[.vary] = "Origin"
        return response
    }

    /// The `Access-Control-Allow-Origin` value for `origin` on `path`, or `nil` when not allowed.
    private func allow(_ origin: String, _ path: String) -> String? {
        guard CORSPolicy.pathPrefixes.contains(where: path.hasPrefix) else { return nil }
        if origins.contains("*") { return "*" }
        guard let normalized = CORSPolicy.normalizedOrigin(origin), origins.contains(normalized) else { return nil }
        return origin
    }
}
