import ClutchCore
import ClutchStore
import Foundation
import Hummingbird

/// The flag page's scheduled changes: a pending change can be scheduled instead of applied
/// (``ConsoleEdit``); the page lists the schedules still to come for its environment, each said
/// in plain language as it would change the flag now, and cancels one through the store's
/// `cancelSchedule`, as `DELETE /api/v1/schedules/{id}` does.
struct ConsoleSchedulesController {
    let services: ServerServices
    let pages: ConsolePages

    func add(to group: RouterGroup<ClutchRequestContext>) {
        group.post("flags/:key/schedules/:scheduleId/cancel", use: cancel)
    }

    @Sendable func cancel(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let session = try context.requireConsoleSession()
        let key = try context.parameter("key")
        let schedule = try await services.store.schedule(try context.parameter("scheduleId"))
        let edit = ConsoleEdit(services: services, pages: pages)
        guard schedule.key == key, schedule.kind == .flag else { throw APIError.notFound("no such schedule of \(key)") }
        if let refusal = edit.forbidden(.edit(environment: schedule.environment), session, key: key, env: schedule.environment) { return refusal }
        guard let change = ConsoleEdit.changeInfo(session, context.consoleForm) else {
            return edit.refuse("The message may have at most \(ConsoleActionsController.maxMessageLength) characters.", key: key, env: schedule.environment, session)
        }
        _ = try await services.metrics.timeWrite("cancel_schedule") {
            try await services.store.cancelSchedule(schedule.id, change: change, now: services.clock.now())
        }
        return ConsolePages.redirect(ConsoleQuery.flagURL(key, env: schedule.environment) + "&done=schedule-cancelled")
    }

    /// The schedules of `flag` still to come in `env`, soonest first, for the page.
    static func values(_ schedules: [ScheduleRecord], flag: Flag, env: String) -> [[String: Any]] {
        schedules.filter { $0.kind == .flag && $0.environment == env && $0.status == .pending }.map { schedule in
            let instructions = schedule.instructions.compactMap { try? ClutchJSON.decode(Instruction.self, from: ClutchJSON.encode($0)) }
            let after = try? flag.applying(instructions, environment: env, newRuleID: RuleID.random)
            let sentences = after.map { Describe.changes(from: flag, to: $0, environment: env) } ?? []
            var row: [String: Any] = [
                "at": Timestamp.format(schedule.at), "atText": ConsoleEdit.utcText(schedule.at), "by": schedule.createdBy,
                "sentences": sentences.isEmpty ? ["It would change nothing now."] : sentences,
                "cancelURL": ConsoleQuery.flagPath(flag.key, "/schedules/\(ConsoleQuery.encode(schedule.id))/cancel"),
            ]
            if let message = schedule.message, !message.isEmpty { row["scheduleMessage"] = message }
            return row
        }
    }
}
