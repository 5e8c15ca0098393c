import ClutchStore
import Foundation
import Hummingbird

/// `/ui/audit`: who did what, newest first, filtered by flag, actor and time, a page at a time.
struct ConsoleAuditController {
    let services: ServerServices
    let pages: ConsolePages

    static let pageSize = 100

    func add(to group: RouterGroup<ClutchRequestContext>) {
        group.get("audit", use: audit)
    }

    /// `YYYY-MM-DD` (a whole day, UTC) or a full ISO 8601 time; `nil` when blank.
    static func time(_ text: String?, field: String, endOfDay: Bool) throws -> Date? {
        let text = (text ?? "").trimmingCharacters(in: .whitespaces)
        if text.isEmpty { return nil }
        let day = DateFormatter()
        day.locale = Locale(identifier: "en_US_POSIX")
        day.timeZone = TimeZone(identifier: "UTC")
        day.dateFormat = "yyyy-MM-dd"
        if let date = day.date(from: text) { return endOfDay ? date.addingTimeInterval(86_400) : date }
        let iso = ISO8601DateFormatter()
        if let date = iso.date(from: text) { return date }
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = iso.date(from: text) { return date }
        throw APIError.badRequest("\(field): give a date (2026-11-30) or a time (2026-11-30T14:00:00Z)", field: field)
    }

    @Sendable func audit(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let session = try context.requireConsoleSession()
        func field(_ name: String) -> String? {
            let value = (request.consoleQuery(name) ?? "").trimmingCharacters(in: .whitespaces)
            return value.isEmpty ? nil : value
        }
        let flag = field("flag"), actor = field("actor"), from = field("from"), to = field("to")
        let since = try Self.time(from, field: "from", endOfDay: false)
        let until = try Self.time(to, field: "to", endOfDay: true)
        let before = field("before").flatMap(Int64.init)
        let page = try await services.store.auditPage(flag: flag, actor: actor, since: since, until: until, before: before, limit: Self.pageSize)
        let actors = try await services.store.auditActors()
        let now = services.clock.now()
        let iso = ISO8601DateFormatter()
        var filters = ""
        for (name, value) in [("flag", flag), ("actor", actor), ("from", from), ("to", to)] {
            if let value { filters += "&\(name)=\(ConsoleQuery.encode(value))" }
        }
        var values: [String: Any] = [
            "title": "Audit log", "session": session.templateValues,
            "flag": flag ?? "", "from": from ?? "", "to": to ?? "",
            "actors": actors.map { ["name": $0, "selected": $0 == actor] },
            "events": page.events.map { event -> [String: Any] in
                var row: [String: Any] = [
                    "at": ConsoleFormat.time(event.at, now: now), "when": iso.string(from: event.at), "actor": event.actor,
                    "action": event.action, "entity": event.entity, "key": event.key,
                ]
                if let environment = event.environment { row["environment"] = environment }
                if let revision = event.revision { row["revision"] = String(revision) }
                if event.entity == "flag" { row["url"] = ConsoleQuery.historyURL(event.key, env: event.environment ?? "production") }
                if event.entity == "cohort", let env = event.environment { row["url"] = ConsoleCohortsController.cohortURL(event.key, env: env) }
                if let message = event.message, !message.isEmpty { row["message"] = message }
                return row
            },
        ]
        if let next = page.nextBefore { values["olderURL"] = "/ui/audit?before=\(next)" + filters }
        if before != nil { values["newestURL"] = "/ui/audit?" + filters.dropFirst() }
        return pages.render("audit", values)
    }
}
