import ClutchCore
import ClutchStore
import Foundation
import Hummingbird

/// The console's switches: on or off in one environment (as `turnOn`/`turnOff` instructions,
/// like every other client) and the kill switch (the API's kill). ``ConsoleGuard`` has checked
/// the origin and the CSRF token before these run.
struct ConsoleActionsController {
    let services: ServerServices
    let pages: ConsolePages

    /// The longest change message the console accepts.
    static let maxMessageLength = 500

    /// The page's note after a change, by the fixed code the redirect carries (never free text).
    static func notice(_ code: String) -> String? {
        switch code {
        case "on": return "Switched on."
        case "off": return "Switched off."
        case "kill": return "Killed: off in every environment."
        case "same": return "Nothing to change: the flag already was like that."
        case "admins-on": return "Admins now get it."
        case "admins-off": return "Admins are no longer targeted."
        case "customers-added": return "Customers added."
        case "customers-removed": return "Customers removed."
        case "cohort-added": return "Cohort targeted."
        case "cohort-removed": return "Cohort no longer targeted."
        case "rollout": return "Rollout changed."
        case "rule-added": return "Rule added."
        case "rule-removed": return "Rule removed."
        case "rule-moved": return "Rule moved."
        case "restored": return "Revision restored."
        case "applied": return "Change applied."
        case "scheduled": return "Change scheduled."
        case "schedule-cancelled": return "Schedule cancelled."
        case "created": return "Flag created: it is off in every environment."
        case "details": return "Details saved."
        case "archived": return "Archived."
        case "unarchived": return "Brought back from the archive."
        case "approved": return "Approved."
        case "declined": return "Declined: the request cannot be applied until you approve it or it is edited."
        case "commented": return "Comment added."
        case "request-applied": return "Change request applied."
        case "request-cancelled": return "Change request cancelled."
        case "blocked": return "Blocked: changes that widen exposure wait until it is lifted."
        case "unblocked": return "Unblocked."
        default: return nil
        }
    }

    func add(to group: RouterGroup<ClutchRequestContext>) {
        group.post("flags/:key/toggle", use: toggle)
        group.post("flags/:key/kill", use: kill)
        group.post("flags/:key/apply", use: apply)
    }

    /// Applies the page's pending change (``ConsolePendingChange``) with its one message and confirmation.
    @Sendable func apply(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        try await ConsoleEdit(services: services, pages: pages).run(request, context, done: "applied", field: "apply") { _, _ in [] }
    }

    @Sendable func toggle(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let to = context.consoleForm["to"] ?? ""
        return try await ConsoleEdit(services: services, pages: pages).run(request, context, done: to, field: "switch") { _, _ in
            switch to {
            case "on": return [.turnOn]
            case "off": return [.turnOff]
            default: throw ConsoleEdit.Refusal(field: "switch", message: "The form must say whether to switch on or off.")
            }
        }
    }

    /// Off in every environment, through the same store function as `POST /api/v1/flags/{key}/kill`,
    /// once the flag's key is typed (``ConsoleConfirmation``).
    @Sendable func kill(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let session = try context.requireConsoleSession()
        let key = try context.parameter("key")
        let form = context.consoleForm
        let environments = try await services.store.environments().map(\.key)
        let env = form["env"].flatMap { environments.contains($0) ? $0 : nil } ?? "production"
        if let refusal = ConsoleEdit(services: services, pages: pages).forbidden(.respond(environment: nil), session, key: key, env: env) {
            return refusal
        }
        if let refusal = ConsoleConfirmation.refusal(form, scope: .everyEnvironment(flag: key)) {
            return ConsoleEdit(services: services, pages: pages).refuse(refusal + " Nothing was changed.", key: key, env: env, session)
        }
        guard let change = ConsoleEdit.changeInfo(session, form) else {
            return ConsoleEdit(services: services, pages: pages).refuse(
                "The message may have at most \(Self.maxMessageLength) characters. Nothing was changed.", key: key, env: env, session)
        }
        _ = try await services.write("kill") {
            try await services.store.kill(flag: key, environments: nil, change: change)
        }
        return ConsolePages.redirect(ConsoleQuery.flagURL(key, env: env) + "&done=kill")
    }
}
