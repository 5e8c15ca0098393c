import ClutchStore
import Foundation
import Hummingbird

/// `/ui/login`, `/ui/logout` and `/ui/invite/{secret}`: signing in with an email and password or
/// with a token, signing out, and setting the password an invite asks for. Every sign-in goes
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

    /// The one answer to a wrong email, a wrong password, or a person without a password yet.
    static let wrongPassword = "That email and password do not sign you in."

    func add(to group: RouterGroup<ClutchRequestContext>) {
        group.get("login") { request, _ in
            loginPage(status: .ok, problem: nil, notice: request.consoleQuery("done") == "password" ? "Your password is set. Sign in with it." : nil)
        }
        group.post("login", use: signIn)
        group.post("logout", use: signOut)
        group.get("invite/:secret", use: invitePage)
        group.post("invite/:secret", use: acceptInvite)
    }

    private func loginPage(status: HTTPResponse.Status, problem: String?, notice: String? = nil, email: String = "", headers: HTTPFields = [:]) -> Response {
        var values: [String: Any] = ["title": "Sign in", "email": email]
        if let problem { values["problem"] = problem }
        if let notice { values["notice"] = notice }
        if let singleSignOn { values["singleSignOn"] = ["provider": singleSignOn.provider, "path": singleSignOn.path] }
        return pages.render("login", values, status: status, headers: headers)
    }

    /// A form with `token` signs in with a service or personal token; otherwise `email` and
    /// `password`. Whatever was wrong (an unknown email, a wrong password, an SDK key, a revoked
    /// token) gets the same 401 page, so the answer does not tell which it was.
    @Sendable func signIn(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let address = Self.clientAddress(context)
        let form = context.consoleForm
        if form["token"] != nil {
            return try await signInWithToken((form["token"] ?? "").trimmingCharacters(in: .whitespaces), address: address, request: request)
        }
        let email = (form["email"] ?? "").trimmingCharacters(in: .whitespaces)
        let password = form["password"] ?? ""
        // An unknown email is counted like a known one: its answers look the same.
        let attempt: SignInThrottle.Attempt
        switch throttle.begin([.account(PeopleRules.emailKey(email)), .address(address)], at: services.clock.instant()) {
        case .refused(let retryAfter): return throttled(retryAfter, email: email)
        case .allowed(let allowed): attempt = allowed
        }
        // Every refusal costs the same KDF work (``ClutchStoring/verifyPassword(email:password:)``).
        let person = email.isEmpty || password.isEmpty ? nil : try await services.store.verifyPassword(email: email, password: password)
        guard let person, let access = await services.credentialLookup.person(id: person.id) else {
            try await services.store.auditSignIn(
                actor: String(email.prefix(254)), address: address, succeeded: false, detail: "with a password")
            services.logger.notice("console sign-in refused", metadata: ["address": "\(address)"])
            return loginPage(status: .unauthorized, problem: Self.wrongPassword, email: email)
        }
        throttle.succeeded(attempt)
        return try await startSession(.person(access), detail: "with a password", address: address, request: request)
    }

    /// A service or personal token starts a session bound to it; an SDK key, or a wrong, revoked
    /// or expired token, gets the same 401 page.
    private func signInWithToken(_ token: String, address: String, request: Request) async throws -> Response {
        let attempt: SignInThrottle.Attempt
        switch throttle.begin([.address(address)], at: services.clock.instant()) {
        case .refused(let retryAfter): return throttled(retryAfter)
        case .allowed(let allowed): attempt = allowed
        }
        var opener: ConsoleSessions.Opener?
        if !token.isEmpty {
            var bytes = token
            let digest = bytes.withUTF8 { CredentialCache.Digest(secretBytes: $0) }
            if let found = await services.credentialLookup.principal(for: digest), found.token != nil {
                opener = .token(found, digestHex: Secrets.hash(secret: token))
            }
        }
        guard let opener else {
            try await services.store.auditSignIn(actor: "unknown token", address: address, succeeded: false, detail: "with a token")
            services.logger.notice("console sign-in refused", metadata: ["address": "\(address)"])
            return loginPage(status: .unauthorized, problem: "That token does not sign you in. Use a service or personal token.")
        }
        throttle.succeeded(attempt)
        return try await startSession(opener, detail: "with a token", address: address, request: request)
    }

    /// Starts a session bound to `opener`, audits the sign-in and sends the browser to the flags with its cookie.
    private func startSession(_ opener: ConsoleSessions.Opener, detail: String, address: String, request: Request) async throws -> Response {
        let (id, session) = try await sessions.create(for: opener)
        try await services.store.auditSignIn(actor: session.actor, address: address, succeeded: true, detail: detail)
        services.logger.info("console sign-in", metadata: ["principal": "\(session.actor)", "address": "\(address)"])
        return ConsolePages.redirect("/ui/flags", headers: [.setCookie: cookie(value: id, request: request, maxAge: nil)])
    }

    /// 429 with `Retry-After` in whole seconds, the credential unchecked: the same page whoever
    /// asked and whatever they sent, the right password included.
    private func throttled(_ retryAfter: Duration, email: String = "") -> Response {
        let seconds = max(1, Int(retryAfter.seconds.rounded(.up)))
        let minutes = (seconds + 59) / 60
        return loginPage(
            status: .tooManyRequests,
            problem: "Too many failed sign-ins. Try again in \(minutes) minute\(minutes == 1 ? "" : "s").", email: email,
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

    // MARK: Invites

    /// The invite's password form, while the invite is unused, unexpired and its person not removed.
    @Sendable func invitePage(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let secret = try context.parameter("secret")
        guard let person = try await services.store.invitedPerson(secret: secret) else { return invalidInvite() }
        return inviteForm(person, secret: secret, status: .ok, problem: nil)
    }

    /// Sets the password (twice the same, at least 12 characters) and sends the person to sign in
    /// with it; the invite then stops working.
    @Sendable func acceptInvite(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let secret = try context.parameter("secret")
        guard let person = try await services.store.invitedPerson(secret: secret) else { return invalidInvite() }
        let password = context.consoleForm["password"] ?? "", repeated = context.consoleForm["repeat"] ?? ""
        guard password == repeated else {
            return inviteForm(person, secret: secret, status: .badRequest, problem: "The two passwords differ. Type the same password twice.")
        }
        do {
            try PeopleRules.checkPassword(password)
            _ = try await services.store.acceptInvite(secret: secret, password: password)
        } catch let error as StoreError where error.kind == .badRequest {
            return inviteForm(person, secret: secret, status: .badRequest, problem: "Not set: \(error.message).")
        }
        return ConsolePages.redirect("/ui/login?done=password")
    }

    private func inviteForm(_ person: Person, secret: String, status: HTTPResponse.Status, problem: String?) -> Response {
        var values: [String: Any] = [
            "title": "Set your password", "email": person.email, "minimum": PeopleRules.minimumPasswordLength,
            "action": "/ui/invite/\(ConsoleQuery.encode(secret))",
        ]
        if let problem { values["problem"] = problem }
        return pages.render("invite", values, status: status)
    }

    private func invalidInvite() -> Response {
        pages.error(
            status: .notFound, heading: "Invite not valid",
            message: "This invite link was used already, has expired (after 7 days) or was withdrawn. Ask an owner for a new one.",
            back: "/ui/login", backText: "Sign in")
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
