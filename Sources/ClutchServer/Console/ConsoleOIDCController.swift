import ClutchStore
import Foundation
import Hummingbird

/// Single sign-on in the console: `/ui/login/oidc` sends the browser to the OpenID provider,
/// `/ui/oidc/callback` takes it back, verifies who signed in, finds or creates their person with
/// the role their groups give, and opens a console session. Without `--oidc-issuer` both answer 404.
struct ConsoleOIDCController {
    let services: ServerServices
    let sessions: ConsoleSessions
    let pages: ConsolePages
    /// The protocol, kept for the server's life (sign-ins under way, discovery, the JWKS).
    let signIn: OIDCSignIn?

    /// Where the sign-in page's "Sign in with …" goes.
    static let startPath = "/ui/login/oidc"
    /// The paths that work without a session (``ConsoleGuard/publicPaths``).
    static let paths: Set<String> = [startPath, "/ui/oidc/callback"]
    /// How the audit log says a person signed in.
    static let auditDetail = "with single sign-on"
    /// Holds the state of the sign-in this browser started: a callback is accepted only from the
    /// browser that started it, so nobody can sign a victim in as themselves (login CSRF).
    static let stateCookie = "clutch_oidc_state"

    init(services: ServerServices, sessions: ConsoleSessions, pages: ConsolePages) {
        self.services = services
        self.sessions = sessions
        self.pages = pages
        self.signIn = services.configuration.oidc.map { OIDCSignIn(settings: $0, clock: services.clock) }
    }

    func add(to group: RouterGroup<ClutchRequestContext>) {
        group.get("login/oidc", use: start)
        group.get("oidc/callback", use: callback)
    }

    /// Starts a sign-in and sends the browser to the provider with it.
    @Sendable func start(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        guard let signIn else { return notConfigured() }
        guard let base = services.publicBase(for: request) else {
            return refused(.badRequest, "This server's address is unknown: set --public-url.")
        }
        do {
            let (state, url) = try await signIn.begin(redirectURI: base + "/ui/oidc/callback")
            var headers = ConsolePages.securityHeaders
            headers[.location] = url
            headers[.setCookie] = stateCookie(state, request: request, maxAge: Int(OIDCPendingSignIns.lifetime.seconds))
            return Response(status: .seeOther, headers: headers)
        } catch {
            services.logger.warning("single sign-on could not start", metadata: ["reason": "\(error)"])
            return refused(.badGateway, "The sign-in provider could not be reached. Try again, or sign in another way.")
        }
    }

    /// The provider's answer: a code and the state, or an error.
    @Sendable func callback(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        guard let signIn else { return notConfigured() }
        if let error = request.query("error") {
            let description = request.query("error_description").map { ": \(OIDCProvider.printable($0))" } ?? ""
            return refused(.unauthorized, "The provider did not sign you in (\(OIDCProvider.printable(error))\(description)).")
        }
        guard let state = request.query("state"), let code = request.query("code") else {
            return refused(.badRequest, "The provider's answer has no code or state.")
        }
        guard let held = request.cookies[Self.stateCookie]?.value, ConsoleSessions.constantTimeEqual(held, state) else {
            return refused(.unauthorized, "This sign-in was not started in this browser. Start again.")
        }
        let identity: OIDCIdentity
        do {
            identity = try await signIn.finish(state: state, code: code)
        } catch {
            services.logger.warning("single sign-on refused", metadata: ["reason": "\(error)"])
            return refused(.unauthorized, "Single sign-on failed: \(error.description).")
        }
        let address = ConsoleAuthController.clientAddress(context)
        let member: PersonAccess
        switch try await person(for: identity) {
        case .refused(let reason):
            try await services.store.auditSignIn(actor: identity.email, address: address, succeeded: false, detail: Self.auditDetail)
            services.logger.notice("single sign-on refused", metadata: ["email": "\(identity.email)", "reason": "\(reason)"])
            return refused(.forbidden, reason)
        case .signedIn(let signedIn):
            member = signedIn
        }
        // Bound to the person: it ends when they are removed or their rights are lowered.
        let (id, session) = try await sessions.create(for: .person(member))
        try await services.store.auditSignIn(actor: session.actor, address: address, succeeded: true, detail: Self.auditDetail)
        services.logger.info("console sign-in", metadata: ["principal": "\(session.actor)", "address": "\(address)", "with": "single sign-on"])
        var headers = HTTPFields()
        headers.append(.init(name: .setCookie, value: stateCookie("", request: request, maxAge: 0)))
        headers.append(.init(name: .setCookie, value: ConsoleAuthController.sessionCookie(
            value: id, request: request, configuration: services.configuration, maxAge: nil)))
        // A page, not a redirect: the browser arrived from the provider's site, and would not
        // send the SameSite=Strict session cookie along a redirect that began there. The page's
        // refresh is a navigation from this server's own page, which does.
        return pages.render(
            "error",
            [
                "title": "Signed in", "heading": "Signed in", "message": "Signed in as \(identity.email).", "back": "/ui/flags",
                "backText": "Continue to the flags", "refresh": "/ui/flags",
            ], headers: headers)
    }

    enum Outcome {
        case signedIn(PersonAccess)
        case refused(String)
    }

    /// The person `identity` is (by email, so a person added with `clutch users add` is the same
    /// person), created at their first sign-in, and given the role their groups give now.
    func person(for identity: OIDCIdentity) async throws -> Outcome {
        guard let settings = signIn?.settings else { return .refused("Single sign-on is not set up on this server.") }
        let grant: AccessGrant
        switch OIDCGrant.decide(identity, settings: settings) {
        case .failure(let reason): return .refused(reason.description + ".")
        case .success(let decided): grant = decided
        }
        let store = services.store
        let change = ChangeInfo(actor: identity.email, message: "single sign-on through \(settings.displayName)")
        let role = RoleChange(role: grant.role, environments: grant.environments)
        do {
            let person: Person
            if let existing = try await Self.member(identity.email, store: store) {
                person = existing.grant == grant ? existing : try await store.setRole(email: existing.email, to: role, change: change)
            } else {
                do {
                    person = try await store.createPerson(
                        PersonCreate(email: identity.email, name: identity.name, role: grant.role, environments: grant.environments),
                        change: change
                    ).0
                } catch let error as StoreError {
                    // The same person signing in twice at once: the other sign-in created them.
                    guard case .conflict = error.kind else { throw error }
                    person = try await store.setRole(email: identity.email, to: role, change: change)
                }
            }
            // The credential cache holds the person as the store now has them (role included).
            try await services.refreshCredentials()
            guard let access = await services.credentialLookup.person(id: person.id) else {
                return .refused("\(identity.email) could not be signed in: they were removed meanwhile.")
            }
            return .signedIn(access)
        } catch let error as StoreError {
            return .refused("\(identity.email) could not be signed in: \(error.message).")
        }
    }

    /// The member with `email`, or `nil` when there is none.
    private static func member(_ email: String, store: any ClutchStoring) async throws -> Person? {
        do {
            return try await store.person(email: email)
        } catch let error as StoreError {
            guard case .notFound = error.kind else { throw error }
            return nil
        }
    }

    /// `clutch_oidc_state=…; Path=/ui/oidc; HttpOnly; SameSite=Lax`: Lax, because the callback
    /// is a navigation from the provider's site, which a Strict cookie would not accompany.
    private func stateCookie(_ value: String, request: Request, maxAge: Int) -> String {
        var parts = ["\(Self.stateCookie)=\(value)", "Path=/ui/oidc", "HttpOnly", "SameSite=Lax", "Max-Age=\(maxAge)"]
        if ConsoleAuthController.isSecure(request, configuration: services.configuration) { parts.append("Secure") }
        return parts.joined(separator: "; ")
    }

    private func refused(_ status: HTTPResponse.Status, _ message: String) -> Response {
        pages.error(status: status, heading: "Not signed in", message: message, back: "/ui/login", backText: "Back to sign-in")
    }

    private func notConfigured() -> Response {
        pages.error(status: .notFound, heading: "Not found", message: "Single sign-on is not set up on this server.", back: "/ui/login", backText: "Back to sign-in")
    }
}
