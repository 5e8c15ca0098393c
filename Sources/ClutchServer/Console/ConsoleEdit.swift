import ClutchCore
import ClutchStore
import Foundation
import Hummingbird

/// What every console change of one flag in one environment shares. A card's form adds its
/// edit to the page's pending change (``ConsolePendingChange``, when the form says `stage`) and
/// shows the flag page again with that change described in plain language (the API's dry run,
/// ``Describe/changes(from:to:environment:)``); the pending change is applied once, with one
/// message and, in a confirmed environment (production), its name typed — as ClutchCore
/// instructions through `FlagStore.apply`, exactly as `POST /api/v1/flags/{key}/environments/{env}/changes`
/// and the CLI apply them. A form without `stage` (a script, an old bookmark) applies at once,
/// through the same checks. A refused edit shows the flag page again with the error beside the
/// field at fault and what was typed kept.
struct ConsoleEdit {
    let services: ServerServices
    let pages: ConsolePages

    /// A refusal: said beside the form field `field`; nothing was changed.
    struct Refusal: Error {
        /// The form field at fault (the page shows the message beside it).
        var field: String = "change"
        let message: String
    }

    /// The checked parts of a change form.
    struct Form {
        let session: ConsoleSession
        let key: String
        let env: String
        let fields: [String: String]

        subscript(_ name: String) -> String? { fields[name] }
        /// A field with surrounding white space removed; `nil` when absent or blank.
        func text(_ name: String) -> String? {
            let value = (fields[name] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            return value.isEmpty ? nil : value
        }
    }

    /// Builds the instructions of one card's edit from the flag as the pending change makes it,
    /// adds them to the pending change and shows it (`stage`), or applies everything and
    /// redirects to the flag page with notice `done`. `build` may throw ``Refusal`` (or return
    /// no instructions when the flag already is as asked); a ``ValidationError`` it or the edit
    /// throws is shown beside `field`.
    func run(
        _ request: Request, _ context: ClutchRequestContext, done: String, field: String = "change",
        build: (Form, FlagRecord) throws -> [Instruction]
    ) async throws -> Response {
        let session = try context.requireConsoleSession()
        let key = try context.parameter("key")
        let fields = context.consoleForm
        let environments = try await services.store.environments().map(\.key)
        guard let env = fields["env"], environments.contains(env) else {
            return refuse("Choose an environment that exists. Nothing was changed.", key: key, env: nil, session)
        }
        let form = Form(session: session, key: key, env: env, fields: fields)
        let record = try await services.store.flag(key)
        let flagPage = ConsoleFlagsController(services: services, pages: pages)
        let next: ConsolePendingChange
        do {
            let pending = try ConsolePendingChange.from(fields)
            // The flag as the pending change makes it: this edit builds on the edits before it.
            var working = record
            if let pending {
                working.flag = try record.flag.applying(
                    pending.instructions(naturalDefault: record.flag.naturalDefault), environment: env, newRuleID: RuleID.random)
            }
            let instructions = try build(form, working)
            let after = try working.flag.applying(instructions, environment: env, newRuleID: RuleID.random)
            // Rebased on the flag as it is now, so that applying it never repeats someone else's edit.
            next = ConsolePendingChange(base: record.flag.state(in: env), state: after.state(in: env))
        } catch let refusal as Refusal {
            let pending = try? ConsolePendingChange.from(fields)
            return try await flagPage.page(
                request, session: session, key: key, env: env, pending: pending ?? nil, problem: refusal, input: fields)
        } catch let error as ValidationError {
            let pending = try? ConsolePendingChange.from(fields)
            return try await flagPage.page(
                request, session: session, key: key, env: env, pending: pending ?? nil,
                problem: Refusal(field: field, message: error.description + "."), input: fields)
        }
        if fields["stage"] != nil {
            return try await flagPage.page(request, session: session, key: key, env: env, pending: next, problem: nil, input: [:])
        }
        return try await commit(request, form, pending: next, record: record, done: done)
    }

    /// Applies a pending change: the confirmation and the message checked first, then the
    /// policy, then the store (its refusal shown beside the pending change, which is kept).
    func commit(
        _ request: Request, _ form: Form, pending: ConsolePendingChange, record: FlagRecord, done: String
    ) async throws -> Response {
        let (session, key, env) = (form.session, form.key, form.env)
        func again(_ field: String, _ message: String) async throws -> Response {
            try await ConsoleFlagsController(services: services, pages: pages).page(
                request, session: session, key: key, env: env, pending: pending, problem: Refusal(field: field, message: message),
                input: form.fields)
        }
        if let refusal = ConsoleConfirmation.refusal(form.fields, scope: .environment(env)) {
            return try await again(ConsoleConfirmation.field, refusal + " Nothing was changed.")
        }
        guard let change = Self.changeInfo(session, form.fields) else {
            return try await again("message", "The message may have at most \(ConsoleActionsController.maxMessageLength) characters. Nothing was changed.")
        }
        let instructions = pending.instructions(naturalDefault: record.flag.naturalDefault)
        guard !instructions.isEmpty else {
            return ConsolePages.redirect(ConsoleQuery.flagURL(key, env: env) + "&done=same")
        }
        if form.fields["when"] == "later" {
            return try await schedule(form, instructions: instructions, change: change, again: again)
        }
        if let refusal = forbidden(.applying(instructions, in: env), session, key: key, env: env) { return refusal }
        do {
            _ = try await services.write("console_change") {
                try await services.store.apply(instructions, flag: key, environment: env, ifRevision: nil, dryRun: false, change: change)
            }
        } catch {
            let apiError = ErrorMapping.apiError(for: error, logger: services.logger)
            guard (400..<500).contains(apiError.status.code), apiError.status.code != 404 else { throw error }
            return try await again("apply", apiError.message + ". Nothing was changed.")
        }
        return ConsolePages.redirect(ConsoleQuery.flagURL(key, env: env) + "&done=\(done)")
    }

    /// Schedules the pending change for the form's `at` (`2026-12-08T09:00`, UTC, as a
    /// `datetime-local` field sends it, or RFC 3339) instead of applying it: the store's schedule,
    /// as `POST /api/v1/schedules` and `clutch schedule` make it, applied by the server's scheduler
    /// against the flag as it is then.
    private func schedule(
        _ form: Form, instructions: [Instruction], change: ChangeInfo, again: (String, String) async throws -> Response
    ) async throws -> Response {
        if let refusal = forbidden(.edit(environment: form.env), form.session, key: form.key, env: form.env) { return refusal }
        guard let at = Self.time(form.text("at"), offset: form.text("tzOffset")) else {
            return try await again("at", "Date and time: choose when, for example 2026-12-08T09:00 (UTC unless your browser said its time zone).")
        }
        do {
            let values = try instructions.map { try ClutchJSON.decode(Value.self, from: ClutchJSON.encode($0)) }
            _ = try await services.metrics.timeWrite("create_schedule") {
                try await services.store.createSchedule(
                    ScheduleRequest(kind: .flag, key: form.key, environment: form.env, instructions: values, message: change.message, at: at),
                    change: change, now: services.clock.now())
            }
        } catch {
            let apiError = ErrorMapping.apiError(for: error, logger: services.logger)
            guard (400..<500).contains(apiError.status.code), apiError.status.code != 404 else { throw error }
            return try await again("at", apiError.message + ". Nothing was scheduled.")
        }
        return ConsolePages.redirect(ConsoleQuery.flagURL(form.key, env: form.env) + "&done=scheduled")
    }

    /// A `datetime-local` value (minutes or seconds) or an RFC 3339 date-time. The local value is
    /// the viewer's own time when console.js sent `offset` (the minutes their time zone is ahead
    /// of UTC at that moment, `-getTimezoneOffset()`), and UTC without it, as the form then says;
    /// an offset beyond ±14 hours or not a whole number is refused (`nil`).
    static func time(_ text: String?, offset: String? = nil) -> Date? {
        guard let text else { return nil }
        var minutes = 0
        if let offset {
            guard let value = Int(offset), (-840...840).contains(value) else { return nil }
            minutes = value
        }
        switch text.utf8.count {
        case 16: return Timestamp.parse(text + ":00Z")?.addingTimeInterval(TimeInterval(-minutes * 60))
        case 19: return Timestamp.parse(text + "Z")?.addingTimeInterval(TimeInterval(-minutes * 60))
        default: return Timestamp.parse(text)
        }
    }

    /// `2026-12-08 09:00 UTC`: a scheduled time as the page says it without console.js (which
    /// puts the viewer's local time before it).
    static func utcText(_ date: Date) -> String {
        let text = Timestamp.format(date)
        return "\(text.prefix(10)) \(text.dropFirst(11).prefix(5)) UTC"
    }

    /// An optional date-time field (``time(_:)``) named `field`: `nil` when blank, a refusal
    /// beside it (starting with `label`) when it does not read.
    static func optionalTime(_ fields: [String: String], _ field: String, label: String) throws(Refusal) -> Date? {
        let text = (fields[field] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty { return nil }
        guard let date = time(text) else {
            throw Refusal(field: field, message: "\(label): choose a date and time, for example 2026-12-08T09:00 (UTC), or leave it empty.")
        }
        return date
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
