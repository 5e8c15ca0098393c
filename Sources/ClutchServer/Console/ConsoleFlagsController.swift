import ClutchCore
import ClutchStore
import Foundation
import Hummingbird

/// `/ui/flags` and `/ui/flags/{key}`: reading flags.
struct ConsoleFlagsController {
    let services: ServerServices
    let pages: ConsolePages

    func add(to group: RouterGroup<ClutchRequestContext>) {
        group.get("flags", use: list)
        group.get("flags/:key", use: flag)
    }

    /// Every flag in one page: one read (the flags with their usage), no query per flag, and
    /// the filters applied in memory.
    @Sendable func list(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let session = try context.requireConsoleSession()
        let environments = try await services.store.environments().map(\.key)
        let env = try ConsoleQuery.environment(request, among: environments)
        let query = (request.consoleQuery("q") ?? "").trimmingCharacters(in: .whitespaces)
        let tag = request.consoleQuery("tag") ?? ""
        let state = request.consoleQuery("state") ?? "all"
        guard ["all", "on", "off"].contains(state) else {
            throw APIError.badRequest("state must be all, on or off")
        }
        let stage = request.consoleQuery("stage") ?? "all"
        guard stage == "all" || FlagStage(rawValue: stage) != nil else {
            throw APIError.badRequest("stage must be all or one of \(FlagStage.names)")
        }
        let now = services.clock.now()
        // The flags carry their usage and their lifecycle (computed as they were read).
        let flags = try await services.store.flags(includeArchived: false)
        let needle = query.lowercased()
        let shown = flags.filter { record in
            let flag = record.flag
            if !needle.isEmpty, !flag.key.lowercased().contains(needle), !flag.description.lowercased().contains(needle) { return false }
            if !tag.isEmpty, !flag.tags.contains(tag) { return false }
            if stage != "all", Self.lifecycle(record, in: env)?.stage.rawValue != stage { return false }
            let on = flag.state(in: env).enabled
            return state == "all" || (state == "on") == on
        }
        let rows = shown.map { record in
            let flag = record.flag
            let lifecycle = Self.lifecycle(record, in: env)
            return ConsoleFlagRows.Row(
                key: flag.key, url: ConsoleQuery.flagURL(flag.key, env: env), description: flag.description, tags: flag.tags,
                states: environments.map { flag.state(in: $0).enabled }, stage: lifecycle?.stage ?? .new, stageReason: lifecycle?.reason,
                lastEvaluated: ConsoleFormat.time(record.usage?[env]?.lastEvaluated, now: now))
        }
        let allTags = Set(flags.flatMap(\.flag.tags)).sorted()
        let values: [String: Any] = [
            "title": "Flags", "session": session.templateValues, "env": env, "q": query,
            // Switching environment keeps the filters.
            "environments": environments.map {
                ["key": $0, "url": ConsoleQuery.listURL(env: $0, q: query, tag: tag, state: state, stage: stage), "current": $0 == env]
            },
            "tags": allTags.map { ["name": $0, "selected": $0 == tag] },
            "states": [("all", "On or off"), ("on", "On"), ("off", "Off")].map { ["value": $0.0, "label": $0.1, "selected": $0.0 == state] },
            "stages": ([("all", "Any stage")] + FlagStage.allCases.filter { $0 != .archived }.map { ($0.rawValue, $0.rawValue) }).map {
                ["value": $0.0, "label": $0.1, "selected": $0.0 == stage]
            },
            "rowsHTML": ConsoleFlagRows.html(rows), "hasFlags": !rows.isEmpty, "shown": rows.count, "total": flags.count,
        ]
        return pages.render("flags", values)
    }

    /// `record`'s lifecycle in `env` (as the list shows it).
    static func lifecycle(_ record: FlagRecord, in env: String) -> FlagLifecycle? {
        record.lifecycle?.environments?[env] ?? record.lifecycle
    }

    /// One flag in one environment: what everyone gets, every control, Try it, recent changes.
    @Sendable func flag(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let session = try context.requireConsoleSession()
        let key = try context.parameter("key")
        let environments = try await services.store.environments().map(\.key)
        let env = try ConsoleQuery.environment(request, among: environments)
        let record = try await services.store.flag(key)
        let history = try await services.store.revisions(flag: key, environment: nil).prefix(10)
        let cohorts = try await services.store.cohortSummaries(environment: env)
        let now = services.clock.now()
        let recent = try await services.store.recentUsage(flag: key, environment: env, now: now)
        var values = ConsoleFlagPage.values(
            record, env: env, environments: environments, cohorts: cohorts, recent: recent, session: session, now: now)
        values["history"] = history.map { revision -> [String: Any] in
            var entry: [String: Any] = [
                "number": revision.number, "at": ConsoleFormat.time(revision.createdAt, now: now),
                "actor": revision.actor, "summary": revision.summary,
            ]
            if let message = revision.message, !message.isEmpty { entry["message"] = message }
            return entry
        }
        values["historyURL"] = ConsoleQuery.historyURL(key, env: env)
        values.merge(ConsoleFlagPage.codeReferences(try await services.store.codeReferences(flag: key), now: now)) { _, new in new }
        values["tryIt"] = ConsoleTryIt.values(request, flag: key, env: env, registry: services.registry)
        // Every block that stops this flag here (its own, and a freeze of the environment): who, why, until.
        values["blocks"] = try await services.store.blocks(environment: env, flag: key).map { ["text": $0.refusal] }
        if let notice = request.consoleQuery("done").flatMap(ConsoleActionsController.notice) { values["notice"] = notice }
        return pages.render("flag", values)
    }
}

extension ClutchRequestContext {
    /// The console session; ``ConsoleGuard`` guarantees one on every page but sign-in.
    func requireConsoleSession() throws -> ConsoleSession {
        guard let session = consoleSession else { throw APIError.unauthorized("sign in first") }
        return session
    }
}

/// Query parameters and URLs of console pages.
enum ConsoleQuery {
    /// The `env` parameter if it names an environment; `production` (or the first) when absent.
    static func environment(_ request: Request, among environments: [String]) throws -> String {
        if let env = request.consoleQuery("env") {
            guard environments.contains(env) else { throw APIError.notFound("environment '\(env)' does not exist") }
            return env
        }
        if environments.contains("production") { return "production" }
        guard let first = environments.first else { throw APIError.notFound("there are no environments") }
        return first
    }

    static func listURL(env: String, q: String = "", tag: String = "", state: String = "all", stage: String = "all") -> String {
        var url = "/ui/flags?env=\(encode(env))"
        if !q.isEmpty { url += "&q=\(encode(q))" }
        if !tag.isEmpty { url += "&tag=\(encode(tag))" }
        if state != "all" { url += "&state=\(encode(state))" }
        if stage != "all" { url += "&stage=\(encode(stage))" }
        return url
    }

    static func flagURL(_ key: String, env: String) -> String { "/ui/flags/\(encode(key))?env=\(encode(env))" }

    static func historyURL(_ key: String, env: String) -> String { "/ui/flags/\(encode(key))/history?env=\(encode(env))" }

    /// The path of a flag's page with `suffix` (`/rules`), for form actions.
    static func flagPath(_ key: String, _ suffix: String = "") -> String { "/ui/flags/\(encode(key))\(suffix)" }

    // ASCII only: `CharacterSet.alphanumerics` would let non-ASCII letters through unencoded.
    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// Percent-encodes everything but unreserved characters, for a path segment or query value.
    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }
}

/// Times and counts for people.
enum ConsoleFormat {
    /// `12,340`: digits grouped by thousands with commas (the console's language is English).
    static func count(_ n: Int64) -> String {
        let digits = String(n.magnitude)
        var grouped = ""
        for (i, digit) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { grouped.append(",") }
            grouped.append(digit)
        }
        return (n < 0 ? "-" : "") + grouped
    }

    /// `5 minutes ago`, `3 days ago`, or `never`.
    static func time(_ date: Date?, now: Date) -> String {
        guard let date else { return "never" }
        let seconds = max(0, now.timeIntervalSince(date))
        func plural(_ n: Int, _ unit: String) -> String { "\(n) \(unit)\(n == 1 ? "" : "s") ago" }
        switch seconds {
        case ..<60: return "just now"
        case ..<3600: return plural(Int(seconds / 60), "minute")
        case ..<86400: return plural(Int(seconds / 3600), "hour")
        default: return plural(Int(seconds / 86400), "day")
        }
    }
}
