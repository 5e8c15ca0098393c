import ClutchCore
import ClutchStore
import Foundation
import Hummingbird

/// The console's changes: switching a flag on or off in one environment (as `turnOn`/`turnOff`
/// instructions, like every other client) and the kill switch (the API's kill). ``ConsoleGuard``
/// has checked the origin and the CSRF token before these run.
struct ConsoleActionsController {
    let services: ServerServices
    let pages: ConsolePages

    /// Environments where switching needs the environment's name typed as confirmation.
    static let confirmedEnvironments: Set<String> = ["production"]
    /// The longest change message the console accepts.
    static let maxMessageLength = 500

    static func needsConfirmation(_ environment: String) -> Bool { confirmedEnvironments.contains(environment) }

    /// The page's note after a change, by the fixed code the redirect carries (never free text).
    static func notice(_ code: String) -> String? {
        switch code {
        case "on": return "Switched on."
        case "off": return "Switched off."
        case "kill": return "Killed: off in every environment."
        default: return nil
        }
    }

    func add(to group: RouterGroup<ClutchRequestContext>) {
        group.post("flags/:key/toggle", use: toggle)
        group.post("flags/:key/kill", use: kill)
    }

    @Sendable func toggle(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let session = try context.requireConsoleSession()
        let key = try context.parameter("key")
        let form = context.consoleForm
        let environments = try await services.store.environments().map(\.key)
        guard let env = form["env"], environments.contains(env) else {
            return refuse("Choose an environment that exists. Nothing was changed.", key: key, env: nil, session)
        }
        let instruction: Instruction
        switch form["to"] {
        case "on": instruction = .turnOn
        case "off": instruction = .turnOff
        default: return refuse("The form must say whether to switch on or off. Nothing was changed.", key: key, env: env, session)
        }
        if Self.needsConfirmation(env), form["confirm"]?.trimmingCharacters(in: .whitespaces) != env {
            return refuse("To change \(env), type its name, “\(env)”, in the confirmation field. Nothing was changed.", key: key, env: env, session)
        }
        guard let change = changeInfo(session, form) else {
            return refuse("The message may have at most \(Self.maxMessageLength) characters. Nothing was changed.", key: key, env: env, session)
        }
        _ = try await services.write("console_toggle") {
            try await services.store.apply([instruction], flag: key, environment: env, ifRevision: nil, dryRun: false, change: change)
        }
        return ConsolePages.redirect(ConsoleQuery.flagURL(key, env: env) + "&done=\(form["to"] ?? "")")
    }

    /// Off in every environment, through the same store function as `POST /api/v1/flags/{key}/kill`.
    @Sendable func kill(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let session = try context.requireConsoleSession()
        let key = try context.parameter("key")
        let form = context.consoleForm
        let environments = try await services.store.environments().map(\.key)
        let env = form["env"].flatMap { environments.contains($0) ? $0 : nil } ?? "production"
        guard let change = changeInfo(session, form) else {
            return refuse("The message may have at most \(Self.maxMessageLength) characters. Nothing was changed.", key: key, env: env, session)
        }
        _ = try await services.write("kill") {
            try await services.store.kill(flag: key, environments: nil, change: change)
        }
        return ConsolePages.redirect(ConsoleQuery.flagURL(key, env: env) + "&done=kill")
    }

    /// The actor and the optional message; `nil` when the message is too long.
    private func changeInfo(_ session: ConsoleSession, _ form: [String: String]) -> ChangeInfo? {
        let message = (form["message"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard message.count <= Self.maxMessageLength else { return nil }
        return ChangeInfo(actor: session.principal.name, message: message.isEmpty ? nil : message)
    }

    /// A 400 page that says what to do, linking back to the flag.
    private func refuse(_ message: String, key: String, env: String?, _ session: ConsoleSession) -> Response {
        let back = env.map { ConsoleQuery.flagURL(key, env: $0) } ?? "/ui/flags/\(ConsoleQuery.encode(key))"
        return pages.error(
            status: .badRequest, heading: "Not changed", message: message, back: back, backText: "Back to \(key)",
            session: session.templateValues)
    }
}
