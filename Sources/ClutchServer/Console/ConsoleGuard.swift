import Foundation
import Hummingbird

/// The gate in front of every `/ui` route.
///
/// - POSTs must come from a page of this server (`Origin` / `Sec-Fetch-Site`), else 403.
/// - Pages other than sign-in and the static files need a live session, else they redirect to
///   the sign-in page.
/// - A POST inside a session must carry the session's CSRF token in its `csrf` field, else 403.
///
/// Checked here, once, so that no console handler can forget a check; handlers read the
/// session and the parsed form from the context.
struct ConsoleGuard: RouterMiddleware {
    typealias Context = ClutchRequestContext

    let sessions: ConsoleSessions
    let pages: ConsolePages
    let publicURL: String?

    /// Paths (under `/ui`) that work without a session.
    static let publicPaths = Set(["/ui/login", "/ui/static/console.css", "/ui/static/console.js"])
        .union(ConsoleOIDCController.paths)
    /// Path prefixes (under `/ui`) that work without a session: an invite's page, whose secret is
    /// in its path.
    static let publicPrefixes = ["/ui/invite/"]
    /// The largest form a console page sends.
    static let maxFormBytes = 64 << 10

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let isPost = request.method == .post
        if isPost {
            guard ConsoleOrigin.isSameOrigin(request, publicURL: publicURL) else {
                return pages.error(status: .forbidden, heading: "Refused", message: "This form was not sent from a Clutch console page. Nothing was changed.")
            }
            let body = try await request.body.collect(upTo: Self.maxFormBytes)
            guard let form = ConsoleForm.parse(String(buffer: body)) else {
                return pages.error(status: .badRequest, heading: "Bad form", message: "The form could not be read. Nothing was changed.")
            }
            context.consoleForm = form
        }
        if Self.publicPaths.contains(request.uri.path) || Self.publicPrefixes.contains(where: request.uri.path.hasPrefix) {
            return try await next(request, context)
        }
        guard let id = request.cookies[ConsoleSessions.cookieName]?.value,
            let session = try await sessions.session(forID: id)
        else {
            return ConsolePages.redirect("/ui/login")
        }
        if isPost {
            guard let presented = context.consoleForm["csrf"], ConsoleSessions.constantTimeEqual(presented, session.csrfToken) else {
                return pages.error(
                    status: .forbidden, heading: "Refused",
                    message: "The form's security token is missing or out of date. Reload the page and try again. Nothing was changed.",
                    session: session.templateValues)
            }
        }
        context.consoleSession = session
        return try await next(request, context)
    }
}

/// The same-origin check for console POSTs (with the CSRF token, defence in depth).
enum ConsoleOrigin {
    /// Whether a browser says the request comes from this server's own pages: `Sec-Fetch-Site`,
    /// when sent, must be `same-origin`; `Origin`, when sent, must be this server, as the
    /// request's `Host` names it (over http or https) or as `--public-url` does (behind a proxy
    /// that changes `Host`). At least one of them must be there: every current browser sends
    /// `Origin` on a POST.
    static func isSameOrigin(_ request: Request, publicURL: String?) -> Bool {
        let site = request.headers[HeaderNames.secFetchSite]
        if let site, site.lowercased() != "same-origin" { return false }
        guard let origin = request.headers[.origin] else { return site != nil }
        guard let presented = normalized(origin) else { return false }
        var allowed: Set<String> = []
        if let host = request.head.authority, !host.isEmpty {
            for scheme in ["http", "https"] {
                if let own = normalized("\(scheme)://\(host)") { allowed.insert(own) }
            }
        }
        if let publicURL, let own = normalized(publicURL) { allowed.insert(own) }
        return allowed.contains(presented)
    }

    /// `scheme://host[:port]` in lowercase, without the scheme's default port and without any
    /// path; `nil` for anything that is not an http(s) URL (`null` included).
    static func normalized(_ text: String) -> String? {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
            let host = url.host?.lowercased(), !host.isEmpty
        else { return nil }
        let bracketed = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        guard let port = url.port, port != (scheme == "https" ? 443 : 80) else { return "\(scheme)://\(bracketed)" }
        return "\(scheme)://\(bracketed):\(port)"
    }
}

/// `application/x-www-form-urlencoded` bodies.
enum ConsoleForm {
    /// The fields of a form body; `nil` when a field repeats or is not valid percent-encoding,
    /// so an ambiguous form is refused rather than guessed at.
    static func parse(_ body: String) -> [String: String]? {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decode(parts[0]), !name.isEmpty, fields[name] == nil else { return nil }
            guard let value = parts.count > 1 ? decode(parts[1]) : "" else { return nil }
            fields[name] = value
        }
        return fields
    }

    private static func decode(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}

extension Request {
    /// A query parameter of a console page, decoded as browsers encode GET forms
    /// (`application/x-www-form-urlencoded`: `+` is a space), unlike the API's query parameters.
    func consoleQuery(_ name: String) -> String? {
        ConsoleForm.parse(uri.query ?? "")?[name]
    }
}
