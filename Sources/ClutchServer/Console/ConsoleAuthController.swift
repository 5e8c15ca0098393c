import Foundation
import Hummingbird

/// `/ui/login` and `/ui/logout`: signing in with an admin token, and out. Every sign-in goes
/// through the ``SignInThrottle`` and into the audit log with the client's address.
struct ConsoleAuthController {
    let services: ServerServices
    let sessions: ConsoleSessions
    let pages: ConsolePages
    let throttle: SignInThrottle
    /// The "Sign in with …" button, when single sign-on is configured.
    let singleSignOn: SingleSignOnLink?

    /// Where the sign-in page's "Sign in with `provider`" button goes: the single sign-on's
    /// own route, which starts the provider's flow.
    struct SingleSignOnLink: Sendable {
        let provider: String
        let path: String
    }

    func add(to group: RouterGroup<ClutchRequestContext>) {
        group.get("login") { _, _ in loginPage(status: .ok, problem: nil) }
        group.post("login", use: signIn)
        group.post("logout", use: signOut)
    }

    private func loginPage(status: HTTPResponse.Status, problem: String?, headers: HTTPFields = [:]) -> Response {
        var values: [String: Any] = ["title": "Sign in"]
        if let problem { values["problem"] = problem }
        if let singleSignOn { values["singleSignOn"] = ["provider": singleSignOn.provider, "path": singleSignOn.path] }
        return pages.render("login", values, status: status, headers: headers)
    }

    /// An admin token starts a session; anything else (an SDK key, a wrong or revoked token)
    /// gets the same 401 page, so the answer does not tell which of them it was.
    @Sendable func signIn(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let address = Self.clientAddress(context)
        let attempt: SignInThrottle.Attempt
        switch throttle.begin([.address(address)], at: services.clock.instant()) {
        case .refused(let retryAfter): return throttled(retryAfter)
        case .allowed(let allowed): attempt = allowed
        }
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
            try await services.store.auditSignIn(actor: "unknown token", address: address, succeeded: false, detail: "with a token")
            services.logger.notice("console sign-in refused", metadata: ["address": "\(address)"])
            return loginPage(status: .unauthorized, problem: "That token does not sign you in. Use an admin token.")
        }
        throttle.succeeded(attempt)
        return try await startSession(for: principal, detail: "with a token", address: address, request: request)
    }

    /// Starts `principal`'s session, audits the sign-in and sends the browser to the flags with its cookie.
    private func startSession(for principal: ConsolePrincipal, detail: String, address: String, request: Request) async throws -> Response {
        let (id, _) = try await sessions.create(for: principal)
        try await services.store.auditSignIn(actor: principal.name, address: address, succeeded: true, detail: detail)
        services.logger.info("console sign-in", metadata: ["principal": "\(principal.name)", "address": "\(address)"])
        return ConsolePages.redirect("/ui/flags", headers: [.setCookie: cookie(value: id, request: request, maxAge: nil)])
    }

    /// 429 with `Retry-After` in whole seconds, the credential unchecked: the same page whoever
    /// asked and whatever they sent, the right password included.
    private func throttled(_ retryAfter: Duration) -> Response {
        let seconds = max(1, Int(retryAfter.seconds.rounded(.up)))
        let minutes = (seconds + 59) / 60
        return loginPage(
            status: .tooManyRequests,
            problem: "Too many failed sign-ins. Try again in \(minutes) minute\(minutes == 1 ? "" : "s").",
            headers: [.retryAfter: "\(seconds)"])
    }

    /// The address the request came from: the connection's peer. A proxy's `X-Forwarded-For` is
    /// not believed, since anyone can send one; behind a proxy every client shares its address.
    static func clientAddress(_ context: ClutchRequestContext) -> String {
        context.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    @Sendable func signOut(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        if let session = context.consoleSession { try await sessions.end(session) }
        return ConsolePages.redirect("/ui/login", headers: [.setCookie: cookie(value: "", request: request, maxAge: 0)])
    }

    /// `clutch_session=…; Path=/ui; HttpOnly; SameSite=Strict`, plus `Secure` when the request
    /// came over TLS (as a proxy reports it) or the server is told to always mark it.
    private func cookie(value: String, request: Request, maxAge: Int?) -> String {
        var parts = ["\(ConsoleSessions.cookieName)=\(value)", "Path=/ui", "HttpOnly", "SameSite=Strict"]
        if let maxAge { parts.append("Max-Age=\(maxAge)") }
        if Self.isSecure(request, configuration: services.configuration) { parts.append("Secure") }
        return parts.joined(separator: "; ")
    }

    static func isSecure(_ request: Request, configuration: ServerConfiguration) -> Bool {
        if configuration.consoleSecureCookies { return true }
        if request.head.scheme?.lowercased() == "https" { return true }
        if request.headers[HeaderNames.forwardedProto]?.lowercased() == "https" { return true }
        return configuration.publicURL?.lowercased().hasPrefix("https://") ?? false
    }
}
