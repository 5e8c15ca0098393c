import ClutchCore
import ClutchStore
import Foundation
import Hummingbird

/// The flag itself from the console: create one (`/ui/new-flag`), edit its details (variants,
/// description, tags, kind, owner), archive or bring it back, delete it. Each is the store
/// operation the API's route calls (`POST /api/v1/flags`, `PUT /api/v1/flags/{key}`, archive,
/// `DELETE`), asked of the one policy first, so the guard rails are the API's: the store
/// validates the definition and refuses to delete a live flag. A refusal shows the form again
/// with the message beside the field at fault and what was typed kept.
struct ConsoleFlagFormController {
    let services: ServerServices
    let pages: ConsolePages

    /// The path of the new-flag page (not under `/ui/flags/`, where every name is a flag's key).
    static let newPath = "/ui/new-flag"

    func add(to group: RouterGroup<ClutchRequestContext>) {
        group.get("new-flag", use: newForm)
        group.post("new-flag", use: create)
        group.get("flags/:key/details", use: detailsForm)
        group.post("flags/:key/details", use: update)
        group.post("flags/:key/archive", use: archive)
        group.post("flags/:key/delete", use: delete)
    }

    private var edit: ConsoleEdit { ConsoleEdit(services: services, pages: pages) }

    @Sendable func newForm(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let session = try context.requireConsoleSession()
        if let refusal = pages.forbidden(.edit(environment: nil), session, back: "/ui/flags", backText: "Back to the flags") { return refusal }
        return form(session: session, record: nil, input: ["type": "boolean", "kind": FlagKind.release.rawValue], problem: nil)
    }

    /// Creates the flag, off in every environment, and opens its page.
    @Sendable func create(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let session = try context.requireConsoleSession()
        let fields = context.consoleForm
        if let refusal = pages.forbidden(.edit(environment: nil), session, back: "/ui/flags", backText: "Back to the flags") { return refusal }
        do {
            let flag = try Self.flag(from: fields, key: fields["key"]?.trimmingCharacters(in: .whitespaces) ?? "", previous: nil)
            let change = try Self.change(session, fields)
            let (written, _) = try await services.write("create_flag") { try await services.store.createFlag(flag, change: change) }
            return ConsolePages.redirect(ConsoleQuery.flagURL(written.value.flag.key, env: "production") + "&done=created")
        } catch {
            return form(session: session, record: nil, input: fields, problem: try refusal(error))
        }
    }

    @Sendable func detailsForm(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let session = try context.requireConsoleSession()
        let record = try await services.store.flag(try context.parameter("key"))
        return form(session: session, record: record, input: Self.fields(of: record), problem: nil)
    }

    /// Replaces the flag's details (its states stay), at the revision the form was read at: a
    /// change made meanwhile is not overwritten but reported. A change of what the variants
    /// serve changes every environment at once, so it needs the flag's key typed.
    @Sendable func update(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let session = try context.requireConsoleSession()
        let key = try context.parameter("key")
        let fields = context.consoleForm
        let record = try await services.store.flag(key)
        if let refusal = edit.forbidden(.edit(environment: nil), session, key: key, env: nil) { return refusal }
        do {
            let flag = try Self.flag(from: fields, key: key, previous: record.flag)
            if flag.variants != record.flag.variants || flag.offVariant != record.flag.offVariant,
                let refusal = ConsoleConfirmation.refusal(fields, scope: .everyEnvironment(flag: key))
            {
                throw ConsoleEdit.Refusal(field: ConsoleConfirmation.field, message: refusal + " Nothing was changed.")
            }
            let change = try Self.change(session, fields)
            let revision = fields["revision"].flatMap(Int64.init)
            _ = try await services.write("update_flag") {
                try await services.store.updateFlag(flag, ifRevision: revision, change: change)
            }
            return ConsolePages.redirect(ConsoleQuery.flagURL(key, env: "production") + "&done=details")
        } catch {
            return form(session: session, record: record, input: fields, problem: try refusal(error))
        }
    }

    /// Archives the flag or brings it back (`to`: `archive` or `unarchive`).
    @Sendable func archive(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        try await flagAction(request, context, field: "archive") { key, env, fields, change in
            let archived = fields["to"] != "unarchive"
            _ = try await services.write(archived ? "archive_flag" : "unarchive_flag") {
                try await services.store.setArchived(flag: key, archived: archived, change: change)
            }
            return ConsoleQuery.flagURL(key, env: env) + "&done=\(archived ? "archived" : "unarchived")"
        }
    }

    /// Deletes the flag once its key is typed; the store refuses a flag that is on somewhere or
    /// was evaluated lately (as `DELETE /api/v1/flags/{key}` without `force`).
    @Sendable func delete(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        try await flagAction(request, context, field: "delete") { key, env, fields, change in
            if let refusal = ConsoleConfirmation.refusal(fields, scope: .everyEnvironment(flag: key)) {
                throw ConsoleEdit.Refusal(field: "delete", message: refusal + " Nothing was changed.")
            }
            _ = try await services.write("delete_flag") {
                try await services.store.deleteFlag(key, ifRevision: nil, force: false, now: services.clock.now(), change: change)
            }
            return ConsoleQuery.listURL(env: env)
        }
    }

    /// The flag page's Archive and Delete: the policy asked first, `body` run with the change and
    /// its redirect followed; a refusal shows the flag page again with the message beside `field`.
    private func flagAction(
        _ request: Request, _ context: ClutchRequestContext, field: String,
        _ body: (_ key: String, _ env: String, _ fields: [String: String], _ change: ChangeInfo) async throws -> String
    ) async throws -> Response {
        let session = try context.requireConsoleSession()
        let key = try context.parameter("key")
        let fields = context.consoleForm
        let environments = try await services.store.environments().map(\.key)
        let env = fields["env"].flatMap { environments.contains($0) ? $0 : nil } ?? "production"
        if let refusal = edit.forbidden(.edit(environment: nil), session, key: key, env: env) { return refusal }
        do {
            return ConsolePages.redirect(try await body(key, env, fields, try Self.change(session, fields)))
        } catch {
            var problem = try refusal(error)
            problem.field = field
            return try await ConsoleFlagsController(services: services, pages: pages).page(
                request, session: session, key: key, env: env, pending: nil, problem: problem, input: [:])
        }
    }

    /// A failure as the message beside its field: the console's own refusals, the store's
    /// validation (by the field its path names) and the API's 4xx answers (a conflict: beside
    /// the form's button). Anything else is rethrown for the error page.
    private func refusal(_ error: any Error) throws -> ConsoleEdit.Refusal {
        if let refusal = error as? ConsoleEdit.Refusal { return refusal }
        func field(_ path: String?) -> String {
            let name = String((path ?? "").prefix { $0 != "[" && $0 != "." })
            return Self.formFields.contains(name) ? name : "apply"
        }
        if let validation = error as? ValidationError {
            return ConsoleEdit.Refusal(field: field(validation.path), message: validation.description + ". Nothing was changed.")
        }
        let apiError = ErrorMapping.apiError(for: error, logger: services.logger)
        guard (400..<500).contains(apiError.status.code) else { throw error }
        return ConsoleEdit.Refusal(field: field(apiError.field), message: apiError.message + ". Nothing was changed.")
    }

    /// The form's fields that show a problem beside them; any other is shown beside the button.
    static let formFields: Set<String> = ["key", "type", "variants", "offVariant", "description", "tags", "kind", "owner"]

    /// The actor and the message; refused beside the message field when too long.
    static func change(_ session: ConsoleSession, _ fields: [String: String]) throws(ConsoleEdit.Refusal) -> ChangeInfo {
        guard let change = ConsoleEdit.changeInfo(session, fields) else {
            throw ConsoleEdit.Refusal(field: "message", message: "The message may have at most \(ConsoleActionsController.maxMessageLength) characters.")
        }
        return change
    }

    /// The flag the form describes: `previous`'s states kept, its type kept on an edit.
    static func flag(from fields: [String: String], key: String, previous: Flag?) throws(ConsoleEdit.Refusal) -> Flag {
        func text(_ name: String) -> String? {
            let value = (fields[name] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            return value.isEmpty ? nil : value
        }
        let type: FlagType
        if let previous {
            type = previous.type
        } else {
            guard let chosen = FlagType(rawValue: text("type") ?? "boolean") else {
                throw ConsoleEdit.Refusal(field: "type", message: "Type: choose one of \(FlagType.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            type = chosen
        }
        guard let kind = FlagKind(rawValue: text("kind") ?? FlagKind.release.rawValue) else {
            throw ConsoleEdit.Refusal(field: "kind", message: "Kind: choose one of \(FlagKind.names).")
        }
        var variants: [Variant] = []
        for line in (fields["variants"] ?? "").split(whereSeparator: \.isNewline) {
            let line = line.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty else { continue }
            guard let eq = line.firstIndex(of: "=") else {
                throw ConsoleEdit.Refusal(field: "variants", message: "Variants: write one NAME=VALUE per line, got “\(line)”.")
            }
            let name = line[..<eq].trimmingCharacters(in: .whitespaces)
            guard let value = type.value(fromText: line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)) else {
                throw ConsoleEdit.Refusal(field: "variants", message: "Variants: “\(line)” is not a \(type.rawValue) value.")
            }
            variants.append(Variant(key: name, value: value, description: previous?.variant(name)?.description))
        }
        if variants.isEmpty, type != .boolean {
            throw ConsoleEdit.Refusal(field: "variants", message: "Variants: a \(type.rawValue) flag needs at least two, one NAME=VALUE per line.")
        }
        // Validated by the store, as every write is.
        return Flag(
            key: key, type: type, description: text("description") ?? "", tags: ConsoleEdit.list(fields["tags"]),
            variants: variants.isEmpty ? nil : variants, offVariant: text("offVariant"), salt: previous?.salt, kind: kind,
            owner: text("owner"), archived: previous?.archived ?? false, environments: previous?.environments ?? [:])
    }

    /// The form's fields for an existing flag.
    static func fields(of record: FlagRecord) -> [String: String] {
        let flag = record.flag
        return [
            "key": flag.key, "type": flag.type.rawValue, "description": flag.description, "tags": flag.tags.joined(separator: ", "),
            "kind": flag.kind.rawValue, "owner": flag.owner ?? "", "offVariant": flag.offVariant,
            "variants": flag.variants.map { "\($0.key)=\(Self.text($0.value))" }.joined(separator: "\n"),
        ]
    }

    /// A value as typed in a variant line (strings without quotes).
    static func text(_ value: Value) -> String {
        if case .string(let text) = value { return text }
        return value.jsonText
    }

    /// The new-flag or details form, with `problem` beside its field (status 400) and `input` kept.
    func form(session: ConsoleSession, record: FlagRecord?, input: [String: String], problem: ConsoleEdit.Refusal?) -> Response {
        var problems: [String: String] = [:]
        if let problem { problems[problem.field] = problem.message }
        let type = input["type"] ?? "boolean"
        let kind = input["kind"] ?? FlagKind.release.rawValue
        var values: [String: Any] = [
            "title": record.map { "Edit \($0.flag.key)" } ?? "New flag", "session": session.templateValues, "csrf": session.csrfToken,
            "isNew": record == nil, "input": input, "problems": problems,
            "types": FlagType.allCases.map { ["value": $0.rawValue, "selected": $0.rawValue == type] },
            "kinds": FlagKind.allCases.map { ["value": $0.rawValue, "selected": $0.rawValue == kind] },
            "action": record.map { ConsoleQuery.flagPath($0.flag.key, "/details") } ?? Self.newPath,
            "back": record.map { ConsoleQuery.flagURL($0.flag.key, env: "production") } ?? "/ui/flags",
        ]
        if let record {
            values["key"] = record.flag.key
            values["revision"] = record.revision
        }
        return pages.render("flagForm", values, status: problem == nil ? .ok : .badRequest)
    }
}
