import ClutchCore
import ClutchStore
import Foundation
import Hummingbird

/// What every console change of one flag in one environment shares: the environment must
/// exist, a confirmed environment (production) needs its name typed, the optional message is
/// bounded, and the change is applied as ClutchCore instructions through `FlagStore.apply`,
/// exactly as `POST /api/v1/flags/{key}/environments/{env}/changes` and the CLI apply them.
struct ConsoleEdit {
    let services: ServerServices
    let pages: ConsolePages

    /// A refusal: a 400 page saying what to do; nothing was changed.
    struct Refusal: Error {
        let message: String
    }

    /// The checked parts of a change form.
    struct Form {
        let session: ConsoleSession
        let key: String
        let env: String
        let fields: [String: String]
        let change: ChangeInfo

        subscript(_ name: String) -> String? { fields[name] }
        /// A field with surrounding white space removed; `nil` when absent or blank.
        func text(_ name: String) -> String? {
            let value = (fields[name] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            return value.isEmpty ? nil : value
        }
    }

    /// Checks the form, builds the instructions from the flag as it is now, applies them and
    /// redirects to the flag page with notice `done`. `build` may throw ``Refusal`` (or return
    /// no instructions when the flag already is as asked).
    func run(
        _ request: Request, _ context: ClutchRequestContext, done: String,
        build: (Form, FlagRecord) throws -> [Instruction]
    ) async throws -> Response {
        let session = try context.requireConsoleSession()
        let key = try context.parameter("key")
        let fields = context.consoleForm
        let environments = try await services.store.environments().map(\.key)
        guard let env = fields["env"], environments.contains(env) else {
            return refuse("Choose an environment that exists. Nothing was changed.", key: key, env: nil, session)
        }
        if let refusal = ConsoleConfirmation.refusal(fields, scope: .environment(env)) {
            return refuse(refusal + " Nothing was changed.", key: key, env: env, session)
        }
        guard let change = Self.changeInfo(session, fields) else {
            return refuse("The message may have at most \(ConsoleActionsController.maxMessageLength) characters. Nothing was changed.", key: key, env: env, session)
        }
        let form = Form(session: session, key: key, env: env, fields: fields, change: change)
        let record = try await services.store.flag(key)
        let instructions: [Instruction]
        do {
            instructions = try build(form, record)
        } catch let refusal as Refusal {
            return refuse(refusal.message + " Nothing was changed.", key: key, env: env, session)
        } catch let error as ValidationError {
            return refuse(error.description + ". Nothing was changed.", key: key, env: env, session)
        }
        guard !instructions.isEmpty else {
            return ConsolePages.redirect(ConsoleQuery.flagURL(key, env: env) + "&done=same")
        }
        if let refusal = forbidden(.applying(instructions, in: env), session, key: key, env: env) { return refusal }
        _ = try await services.write("console_change") {
            try await services.store.apply(instructions, flag: key, environment: env, ifRevision: nil, dryRun: false, change: change)
        }
        return ConsolePages.redirect(ConsoleQuery.flagURL(key, env: env) + "&done=\(done)")
    }

    /// The instructions that turn `record`'s state in `env` into the state `edit` makes of it:
    /// the CLI's way of editing (``FlagState/instructions(to:naturalDefault:)``), so that an edit
    /// composes with others made meanwhile.
    static func instructions(_ record: FlagRecord, env: String, _ edit: (inout FlagState) throws -> Void) rethrows -> [Instruction] {
        let before = record.flag.state(in: env)
        var state = before
        try edit(&state)
        return before.instructions(to: state, naturalDefault: record.flag.naturalDefault)
    }

    /// The actor and the optional message; `nil` when the message is too long.
    static func changeInfo(_ session: ConsoleSession, _ form: [String: String]) -> ChangeInfo? {
        let message = (form["message"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard message.count <= ConsoleActionsController.maxMessageLength else { return nil }
        return ChangeInfo(actor: session.actor, message: message.isEmpty ? nil : message, author: session.principal.author)
    }

    /// The 403 page with the policy's sentence when the session may not do `action` (a page
    /// without the control was sent anyway); `nil` when it may.
    func forbidden(_ action: AccessAction, _ session: ConsoleSession, key: String, env: String?) -> Response? {
        let back = env.map { ConsoleQuery.flagURL(key, env: $0) } ?? "/ui/flags/\(ConsoleQuery.encode(key))"
        return pages.forbidden(action, session, back: back, backText: "Back to \(key)")
    }

    /// A 400 page that says what to do, linking back to the flag.
    func refuse(_ message: String, key: String, env: String?, _ session: ConsoleSession) -> Response {
        let back = env.map { ConsoleQuery.flagURL(key, env: $0) } ?? "/ui/flags/\(ConsoleQuery.encode(key))"
        return pages.error(
            status: .badRequest, heading: "Not changed", message: message, back: back, backText: "Back to \(key)",
            session: session.templateValues)
    }

    /// Values separated by commas or new lines, trimmed, without blanks and repeats (in order).
    static func list(_ text: String?) -> [String] {
        var seen = Set<String>()
        return (text ?? "").split(whereSeparator: { $0 == "," || $0.isNewline })
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && seen.insert($0).inserted }
    }
}
