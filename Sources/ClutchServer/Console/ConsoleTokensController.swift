import ClutchStore
import Foundation
import Hummingbird

/// `/ui/tokens`: "Your tokens", the signed-in person's personal tokens. A new token's secret is
/// shown once, on the page that answers its creation (never in a URL, never stored); a token is
/// revoked with its button. Only a person signed in themselves has this page: a session opened
/// with a token does not make or revoke tokens.
struct ConsoleTokensController {
    let services: ServerServices
    let pages: ConsolePages

    func add(to group: RouterGroup<ClutchRequestContext>) {
        group.get("tokens", use: list)
        group.post("tokens", use: create)
        group.post("tokens/:id/revoke", use: revoke)
    }

    /// The page for a session opened with a token: personal tokens need a person.
    private func notAPerson(_ session: ConsoleSession) -> Response {
        pages.error(
            status: .forbidden, heading: "Your tokens",
            message: "Personal tokens belong to a person: sign in with your email and password (or single sign-on) to make or revoke them.",
            session: session.templateValues)
    }

    @Sendable func list(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let session = try context.requireConsoleSession()
        guard case .person(let person) = session.principal else { return notAPerson(session) }
        let notice = request.consoleQuery("done") == "revoked" ? "Token revoked: it no longer works anywhere." : nil
        return try await page(session, person: person, created: nil, notice: notice, problem: nil, status: .ok)
    }

    /// Makes a personal token of the session's person (their rights, not narrowed) and shows its
    /// secret on the answer.
    @Sendable func create(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let session = try context.requireConsoleSession()
        guard case .person(let person) = session.principal else { return notAPerson(session) }
        let form = context.consoleForm
        let daysText = (form["days"] ?? "").trimmingCharacters(in: .whitespaces)
        let days = daysText.isEmpty ? nil : Int(daysText)
        if !daysText.isEmpty, days == nil {
            return try await page(session, person: person, created: nil, notice: nil, problem: "Expires after: give a number of days, or leave it empty.", status: .badRequest)
        }
        let change = ChangeInfo(actor: session.actor, author: session.principal.author)
        let made: (TokenRecord, secret: String)
        do {
            made = try await services.metrics.timeWrite("create_token") {
                try await services.store.createToken(TokenCreate(name: form["name"] ?? "", expiresInDays: days), personID: person.id, change: change)
            }
        } catch let error as StoreError where error.kind == .badRequest {
            return try await page(session, person: person, created: nil, notice: nil, problem: "Not made: \(error.message).", status: .badRequest)
        }
        try await services.refreshCredentials()
        return try await page(session, person: person, created: (made.0.name, made.secret), notice: nil, problem: nil, status: .created)
    }

    /// Revokes one of the person's own tokens.
    @Sendable func revoke(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let session = try context.requireConsoleSession()
        guard case .person(let person) = session.principal else { return notAPerson(session) }
        let id = try context.parameter("id")
        let (_, owner) = try await services.store.token(id: id)
        guard owner == person.id else {
            return pages.error(
                status: .forbidden, heading: "Not allowed", message: "That is not one of your tokens. Nothing was changed.", back: "/ui/tokens",
                backText: "Your tokens", session: session.templateValues)
        }
        _ = try await services.metrics.timeWrite("revoke_token") {
            try await services.store.revokeToken(id: id, change: ChangeInfo(actor: session.actor, author: session.principal.author))
        }
        try await services.refreshCredentials()
        return ConsolePages.redirect("/ui/tokens?done=revoked")
    }

    private func page(
        _ session: ConsoleSession, person: PersonAccess, created: (name: String, secret: String)?, notice: String?, problem: String?,
        status: HTTPResponse.Status
    ) async throws -> Response {
        let now = services.clock.now()
        let tokens = try await services.store.tokens(personID: person.id).sorted { $0.createdAt > $1.createdAt }
        let iso = ISO8601DateFormatter()
        let grant = person.grant
        var values: [String: Any] = [
            "title": "Your tokens", "session": session.templateValues, "csrf": session.csrfToken,
            "grant": grant.environments.isEmpty ? grant.role.rawValue : "\(grant.role.rawValue) in \(grant.environments.joined(separator: ", "))",
            "tokens": tokens.map { token -> [String: Any] in
                let expired = token.expiresAt.map { $0 <= now } ?? false
                let narrowed = [token.role?.rawValue, token.environments.isEmpty ? nil : token.environments.joined(separator: ", ")]
                    .compactMap { $0 }.joined(separator: " in ")
                return [
                    "id": token.id, "name": token.name, "narrowed": narrowed.isEmpty ? "—" : narrowed,
                    "created": ConsoleFormat.time(token.createdAt, now: now), "when": iso.string(from: token.createdAt),
                    "expires": token.expiresAt.map { ConsoleFormat.time($0, now: now) } ?? "never",
                    "state": token.revokedAt != nil ? "revoked" : (expired ? "expired" : "active"),
                    "active": token.revokedAt == nil && !expired,
                ]
            },
        ]
        if let created { values["created"] = ["name": created.name, "secret": created.secret] }
        if let notice { values["notice"] = notice }
        if let problem { values["problem"] = problem }
        return pages.render("tokens", values, status: status)
    }
}
