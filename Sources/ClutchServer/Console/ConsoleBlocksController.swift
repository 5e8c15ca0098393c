import ClutchCore
import ClutchStore
import Foundation
import Hummingbird

/// "Block" and "Unblock" in the console (issue 26): anyone signed in, viewers included, stops a
/// flag in an environment, or freezes the whole environment, with a reason and an optional end;
/// the blocker or an owner lifts it. Through the store operations `/api/v1/blocks` uses (they
/// write the audit and webhook events and decide who may lift a block).
struct ConsoleBlocksController {
    let services: ServerServices
    let pages: ConsolePages

    func add(to group: RouterGroup<ClutchRequestContext>) {
        group.post("blocks", use: create)
        group.post("blocks/:id/unblock", use: unblock)
    }

    /// The banners of `blocks` (those that hold here): who, why and until when, with "Unblock"
    /// for the one who blocked it or an owner.
    static func banners(_ blocks: [BlockRecord], session: ConsoleSession) -> [[String: Any]] {
        let blocker = session.principal.blocker
        return blocks.map { block in
            [
                "text": block.refusal, "subject": block.subject, "unblockURL": "/ui/blocks/\(ConsoleQuery.encode(block.id))/unblock",
                "mayUnblock": blocker.map { $0.isOwner || $0.name == block.createdBy } ?? false,
            ]
        }
    }

    /// `env`, `reason`, `until` (optional, UTC `datetime-local` or RFC 3339), `scope` (`flag`
    /// with `flag`, or `environment` for a freeze), `from` (`flag` or the flag list).
    @Sendable func create(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let session = try context.requireConsoleSession()
        let fields = context.consoleForm
        let environments = try await services.store.environments().map(\.key)
        let flag = fields["scope"] == "environment" ? nil : (fields["flag"] ?? "").nilIfBlank
        // Back to the flag page the form was on (a freeze shows there too), else the flag list.
        let page = fields["from"] == "flag" ? (fields["flag"] ?? "").nilIfBlank : flag
        let back = page.map { key in fields["env"].map { ConsoleQuery.flagURL(key, env: $0) } ?? ConsoleQuery.flagPath(key) }
            ?? ConsoleQuery.listURL(env: fields["env"] ?? "production")
        if let refusal = pages.forbidden(.block, session, back: back, backText: "Back") { return refusal }
        guard let env = fields["env"], environments.contains(env) else {
            return pages.error(
                status: .badRequest, heading: "Not blocked", message: "Choose an environment that exists. Nothing was blocked.", back: back,
                backText: "Back", session: session.templateValues)
        }
        func again(_ field: String, _ message: String) async throws -> Response {
            if fields["from"] == "flag", let flag = (fields["flag"] ?? "").nilIfBlank {
                return try await ConsoleFlagsController(services: services, pages: pages).page(
                    request, session: session, key: flag, env: env, pending: nil, problem: ConsoleEdit.Refusal(field: field, message: message),
                    input: fields)
            }
            return pages.error(status: .badRequest, heading: "Not blocked", message: message, back: back, backText: "Back", session: session.templateValues)
        }
        guard fields["scope"] == "environment" || flag != nil else {
            return try await again("block", "Choose what to block: this flag or every flag in \(env). Nothing was blocked.")
        }
        guard let reason = (fields["reason"] ?? "").nilIfBlank else {
            return try await again("reason", "Say why: the reason is shown to everyone the block stops. Nothing was blocked.")
        }
        guard reason.count <= ConsoleActionsController.maxMessageLength else {
            return try await again(
                "reason", "The reason may have at most \(ConsoleActionsController.maxMessageLength) characters. Nothing was blocked.")
        }
        let until: Date?
        do { until = try ConsoleEdit.optionalTime(fields, "until", label: "Until") } catch { return try await again(error.field, error.message) }
        guard let blocker = session.principal.blocker else { throw APIError.unauthorized("sign in first") }
        do {
            _ = try await services.metrics.timeWrite("create_block") {
                try await services.store.createBlock(
                    environment: env, flag: flag, reason: reason, until: until, by: blocker,
                    change: ChangeInfo(actor: session.actor, author: session.principal.author))
            }
        } catch {
            let apiError = ErrorMapping.apiError(for: error, logger: services.logger)
            guard (400..<500).contains(apiError.status.code) else { throw error }
            return try await again(apiError.field ?? "block", apiError.message + ". Nothing was blocked.")
        }
        return ConsolePages.redirect(back + "&done=blocked")
    }

    /// Lifts a block (the store refuses anyone but its blocker or an owner); back to the flag
    /// page the form came from (`from` `flag`, with `flag`), else to the blocked flag or environment.
    @Sendable func unblock(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let session = try context.requireConsoleSession()
        guard let blocker = session.principal.blocker else { throw APIError.unauthorized("sign in first") }
        let lifted = try await services.metrics.timeWrite("delete_block") {
            try await services.store.deleteBlock(
                try context.parameter("id"), by: blocker, change: ChangeInfo(actor: session.actor, author: session.principal.author))
        }
        // Back to the flag page the form was on (a freeze shows there too), else the block's own page.
        let flag = context.consoleForm["from"] == "flag" ? (context.consoleForm["flag"] ?? "").nilIfBlank : nil
        let back = (flag ?? lifted.flag).map { ConsoleQuery.flagURL($0, env: lifted.environment) } ?? ConsoleQuery.listURL(env: lifted.environment)
        return ConsolePages.redirect(back + "&done=unblocked")
    }
}
