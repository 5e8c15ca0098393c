import Foundation
import Hummingbird

/// `/ui/login` and `/ui/logout`: signing in with an admin token, and out.
struct ConsoleAuthController {
    let services: ServerServices
    let sessions: ConsoleSessions
    let pages: ConsolePages

    func add(to group: RouterGroup<ClutchRequestContext>) {
        group.get("login") { _, _ in loginPage(status: .ok, problem: nil) }
        group.post("login", use: signIn)
        group.post("logout", use: signOut)
    }

    private func loginPage(status: HTTPResponse.Status, problem: String?) -> Response {
        var values: [String: Any] = ["title": "Sign in"]
        if let problem { values["problem"] = problem }
        if let oidc = services.configuration.oidc { values["oidc"] = ["provider": oidc.displayName] }
        return pages.render("login", values, status: status)
    }

    /// An admin token starts a session; anything else (an SDK key, a wrong or revoked token)
    /// gets the same 401 page, so the answer does not tell which of them it was.
    @Sendable func signIn(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let token = (context.consoleForm["token"] ?? "").trimmingCharacters(in: .whitespaces)
        var principal: ConsolePrincipal?
        if !token.isEmpty {
            var bytes = token
            let digest = bytes.withUTF8 { CredentialCache.Digest(secretBytes: $0) }
            if let found = await services.credentialLookup.principal(for: digest), found.token != nil, let actor = found.actor {
                principal = ConsolePrincipal(name: actor, role: .admin)
            }
        }
        guard let principal else {
            return loginPage(status: .unauthorized, problem: "That token does not sign you in. Use an admin token.")
        }
        let (id, _) = try await sessions.create(for: principal)
        services.logger.info("console sign-in", metadata: ["principal": "\(principal.name)"])
        return ConsolePages.redirect("/ui/flags", headers: [.setCookie: cookie(value: id, request: request, maxAge: nil)])
    }

    @Sendable func signOut(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        if let session = context.consoleSession { try await sessions.end(session) }
        return ConsolePages.redirect("/ui/login", headers: [.setCookie: cookie(value: "", request: request, maxAge: 0)])
    }

    /// `clutch_session=…; Path=/ui; HttpOnly; SameSite=Strict`, plus `Secure` when the request
    /// came over TLS (as a proxy reports it) or the server is told to always mark it.
    private func cookie(value: String, request: Request, maxAge: Int?) -> String {
        Self.sessionCookie(value: value, request: request, configuration: services.configuration, maxAge: maxAge)
    }

    static func sessionCookie(value: String, request: Request, configuration: ServerConfiguration, maxAge: Int?) -> String {
        var parts = ["\(ConsoleSessions.cookieName)=\(value)", "Path=/ui", "HttpOnly", "SameSite=Strict"]
        if let maxAge { parts.append("Max-Age=\(maxAge)") }
        if isSecure(request, configuration: configuration) { parts.append("Secure") }
        return parts.joined(separator: "; ")
    }

    static func isSecure(_ request: Request, configuration: ServerConfiguration) -> Bool {
        if configuration.consoleSecureCookies { return true }
        if request.head.scheme?.lowercased() == "https" { return true }
        if request.headers[HeaderNames.forwardedProto]?.lowercased() == "https" { return true }
        return configuration.publicURL?.lowercased().hasPrefix("https://") ?? false
    }
}
