import ClutchCore
import ClutchStore
import Foundation
import Hummingbird

/// `/ui/flags/{key}/history`: every revision newest first with who, when, the message and what
/// changed; "Restore" previews what restoring a revision (one environment or the whole flag)
/// would change, by the same computation as the store's rollback, before it is confirmed. What
/// changed is said in plain language (``Describe/changes(from:to:environment:)``), as on the
/// flag page's pending change and in the CLI.
struct ConsoleHistoryController {
    let services: ServerServices
    let pages: ConsolePages

    /// Revisions per page.
    static let pageSize = 50

    func add(to group: RouterGroup<ClutchRequestContext>) {
        group.get("flags/:key/history", use: history)
        group.post("flags/:key/restore", use: restore)
    }

    @Sendable func history(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let session = try context.requireConsoleSession()
        let key = try context.parameter("key")
        let environments = try await services.store.environments().map(\.key)
        let env = try ConsoleQuery.environment(request, among: environments)
        let record = try await services.store.flag(key)
        let revisions = try await services.store.revisions(flag: key, environment: nil)
        let page = max(0, request.consoleQuery("page").flatMap(Int.init) ?? 0)
        let start = min(revisions.count, page * Self.pageSize)
        let shown = revisions[start..<min(revisions.count, start + Self.pageSize)]
        let now = services.clock.now()
        var values: [String: Any] = [
            "title": "History of \(key)", "session": session.templateValues, "csrf": session.csrfToken,
            "key": key, "env": env, "revision": record.revision,
            "flagURL": ConsoleQuery.flagURL(key, env: env),
            "restoreURL": ConsoleQuery.flagPath(key, "/restore"),
            "revisions": shown.enumerated().map { offset, revision -> [String: Any] in
                let index = start + offset
                let previous = index + 1 < revisions.count ? revisions[index + 1].flag : nil
                var entry: [String: Any] = [
                    "number": revision.number, "at": ConsoleFormat.time(revision.createdAt, now: now),
                    "when": ISO8601DateFormatter().string(from: revision.createdAt),
                    "actor": revision.actor, "summary": revision.summary, "action": revision.action,
                    "diff": Describe.changes(from: previous, to: revision.flag),
                    "current": revision.number == record.revision,
                    "restorable": revision.flag != nil && revision.number != record.revision,
                    "previewEnvURL": ConsoleQuery.historyURL(key, env: env) + "&restore=\(revision.number)&scope=env#preview",
                    "previewAllURL": ConsoleQuery.historyURL(key, env: env) + "&restore=\(revision.number)&scope=all#preview",
                ]
                if let message = revision.message, !message.isEmpty { entry["message"] = message }
                return entry
            },
        ]
        if start > 0 { values["newerURL"] = ConsoleQuery.historyURL(key, env: env) + "&page=\(page - 1)" }
        if start + Self.pageSize < revisions.count { values["olderURL"] = ConsoleQuery.historyURL(key, env: env) + "&page=\(page + 1)" }
        if let number = request.consoleQuery("restore").flatMap(Int64.init) {
            let scope = request.consoleQuery("scope") == "all" ? nil : env
            let (diff, target, before, after) = try await services.store.rollbackPreview(flag: key, to: number, environment: scope)
            let confirmWord = ConsoleConfirmation.word(for: scope.map { .environment($0) } ?? .everyEnvironment(flag: key))
            var preview: [String: Any] = [
                "number": target, "scope": scope ?? "all", "scopeText": scope.map { "the \($0) environment" } ?? "the whole flag (every environment)",
                "diff": Describe.changes(from: before, to: after, environment: scope), "empty": diff.isEmpty,
                "needsConfirm": confirmWord != nil,
                "confirmWord": confirmWord ?? "",
            ]
            preview.merge(session.permissions([("Restore", .edit(environment: scope))])) { _, new in new }
            values["preview"] = preview
        }
        if request.consoleQuery("done") == "restored" { values["notice"] = ConsoleActionsController.notice("restored") }
        return pages.render("history", values)
    }

    /// Restores a revision after the preview: the store's rollback, one new revision.
    @Sendable func restore(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let session = try context.requireConsoleSession()
        let key = try context.parameter("key")
        let form = context.consoleForm
        let environments = try await services.store.environments().map(\.key)
        let edit = ConsoleEdit(services: services, pages: pages)
        guard let number = form["revision"].flatMap(Int64.init) else {
            return edit.refuse("Choose the revision to restore. Nothing was changed.", key: key, env: nil, session)
        }
        let scope = form["scope"] ?? ""
        guard scope == "all" || environments.contains(scope) else {
            return edit.refuse("Restore either one environment that exists or the whole flag. Nothing was changed.", key: key, env: nil, session)
        }
        if let refusal = edit.forbidden(.edit(environment: scope == "all" ? nil : scope), session, key: key, env: scope == "all" ? nil : scope) {
            return refusal
        }
        // The whole flag is every environment: its key is typed; one protected environment, its name.
        if let refusal = ConsoleConfirmation.refusal(form, scope: scope == "all" ? .everyEnvironment(flag: key) : .environment(scope)) {
            return edit.refuse(refusal + " Nothing was changed.", key: key, env: scope == "all" ? nil : scope, session)
        }
        guard let change = ConsoleEdit.changeInfo(session, form) else {
            return edit.refuse("The message may have at most \(ConsoleActionsController.maxMessageLength) characters. Nothing was changed.", key: key, env: nil, session)
        }
        _ = try await services.write("rollback") {
            try await services.store.rollback(flag: key, to: number, environment: scope == "all" ? nil : scope, change: change)
        }
        let env = scope == "all" ? (form["env"].flatMap { environments.contains($0) ? $0 : nil } ?? "production") : scope
        return ConsolePages.redirect(ConsoleQuery.historyURL(key, env: env) + "&done=restored")
    }
}
