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

    /// Flags shown on one page of the list.
    static let pageSize = 100

    /// One page of the flags matching the filters, filtered and paged by the store
    /// (``ClutchStoring/flagPage(_:)``), so that 10,000 flags cost one page. With `fragment=results`
    /// only the results (count, table, pager) are answered: what the search box's script swaps
    /// in as someone types.
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
        let pageText = request.consoleQuery("page") ?? "1"
        guard let pageNumber = Int(pageText), pageNumber >= 1, pageNumber <= 1_000_000 else {
            throw APIError.badRequest("page must be a number from 1, got '\(pageText)'")
        }
        let now = services.clock.now()
        // The flags carry their usage and their lifecycle (computed as they were read).
        let found = try await services.store.flagPage(
            FlagQuery(
                search: query, tag: tag.isEmpty ? nil : tag, enabled: state == "all" ? nil : state == "on",
                stage: FlagStage(rawValue: stage), environment: env, offset: (pageNumber - 1) * Self.pageSize, limit: Self.pageSize))
        let rows = found.flags.map { record in
            let flag = record.flag
            let lifecycle = record.lifecycle(in: env)
            return ConsoleFlagRows.Row(
                key: flag.key, url: ConsoleQuery.flagURL(flag.key, env: env), description: flag.description, tags: flag.tags,
                states: environments.map { flag.state(in: $0).enabled }, stage: lifecycle?.stage ?? .new, stageReason: lifecycle?.reason,
                lastEvaluated: ConsoleFormat.time(record.usage?[env]?.lastEvaluated, now: now))
        }
        let pageCount = max(1, (found.matched + Self.pageSize - 1) / Self.pageSize)
        func pageURL(_ number: Int) -> String {
            ConsoleQuery.listURL(env: env, q: query, tag: tag, state: state, stage: stage) + (number > 1 ? "&page=\(number)" : "")
        }
        let first = found.flags.isEmpty ? 0 : (pageNumber - 1) * Self.pageSize + 1
        var values: [String: Any] = [
            "title": "Flags", "session": session.templateValues, "env": env, "q": query,
            // Switching environment keeps the filters (and starts at the first page).
            "environments": environments.map {
                ["key": $0, "url": ConsoleQuery.listURL(env: $0, q: query, tag: tag, state: state, stage: stage), "current": $0 == env]
            },
            "tags": found.tags.map { ["name": $0, "selected": $0 == tag] },
            "states": [("all", "On or off"), ("on", "On"), ("off", "Off")].map { ["value": $0.0, "label": $0.1, "selected": $0.0 == state] },
            "stages": ([("all", "Any stage")] + FlagStage.allCases.filter { $0 != .archived }.map { ($0.rawValue, $0.rawValue) }).map {
                ["value": $0.0, "label": $0.1, "selected": $0.0 == stage]
            },
            "rowsHTML": ConsoleFlagRows.html(rows), "hasFlags": !rows.isEmpty, "shown": rows.count, "matched": found.matched,
            "total": found.total, "first": first, "last": first + max(0, rows.count - 1), "page": pageNumber, "pages": pageCount,
            "paged": found.matched > rows.count,
        ]
        // "New flag" where the one policy lets the session create flags; a freeze of the environment for everyone.
        values.merge(session.permissions([("Create", .edit(environment: nil)), ("Block", .block)])) { _, new in new }
        values["csrf"] = session.csrfToken
        values["blocks"] = ConsoleBlocksController.banners(
            try await services.store.blocks(environment: env, flag: nil).filter { $0.flag == nil }, session: session)
        if let notice = request.consoleQuery("done").flatMap(ConsoleActionsController.notice) { values["notice"] = notice }
        if pageNumber > 1 { values["previousURL"] = pageURL(min(pageNumber - 1, pageCount)) }
        if found.nextOffset != nil { values["nextURL"] = pageURL(pageNumber + 1) }
        return pages.render(request.consoleQuery("fragment") == "results" ? "flagResults" : "flags", values)
    }

    /// `record`'s lifecycle in `env` (as the list shows it).
    static func lifecycle(_ record: FlagRecord, in env: String) -> FlagLifecycle? {
        record.lifecycle(in: env)
    }

    /// One flag in one environment: what everyone gets, every control, Try it, recent changes.
    @Sendable func flag(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let session = try context.requireConsoleSession()
        let key = try context.parameter("key")
        let environments = try await services.store.environments().map(\.key)
        let env = try ConsoleQuery.environment(request, among: environments)
        return try await page(request, session: session, key: key, env: env, pending: nil, problem: nil, input: [:])
    }

    /// The flag page; with a pending change, as that change would make the flag (the API's dry
    /// run), the change in plain language and the one form that applies it. A `problem` is shown
    /// beside its field (status 400) with what was typed (`input`) kept in the forms.
    func page(
        _ request: Request, session: ConsoleSession, key: String, env: String, pending: ConsolePendingChange?,
        problem: ConsoleEdit.Refusal?, input: [String: String], requestProblem: ConsoleRequestsController.RowProblem? = nil
    ) async throws -> Response {
        let environmentRecords = try await services.store.environments()
        let environments = environmentRecords.map(\.key)
        let current = try await services.store.flag(key)
        var record = current
        var problems: [String: String] = [:]
        if let problem { problems[problem.field] = problem.message }
        var pendingValues: [String: Any]?
        if let pending {
            let instructions = pending.instructions(naturalDefault: current.flag.naturalDefault)
            do {
                // The API's dry run: validated like the write, nothing written.
                let result = try await services.store.apply(
                    instructions, flag: key, environment: env, ifRevision: nil, dryRun: true, change: ChangeInfo(actor: session.actor))
                record = result.value.record
            } catch {
                let apiError = ErrorMapping.apiError(for: error, logger: services.logger)
                guard (400..<500).contains(apiError.status.code) else { throw error }
                if problems["apply"] == nil { problems["apply"] = apiError.message + "." }
            }
            let sentences = Describe.changes(from: current.flag, to: record.flag, environment: env)
            var values: [String: Any] = [
                "sentences": sentences, "empty": sentences.isEmpty, "encoded": pending.encoded,
                "applyURL": ConsoleQuery.flagPath(key, "/apply"), "message": input["message"] ?? "",
            ]
            values.merge(session.permissions([("Apply", .applying(instructions, in: env))])) { _, new in new }
            // What the API would warn applying it (the one rule: names it introduces or activates).
            let warnings = await services.attributeWarnings(before: current.flag, after: record.flag, environments: [env])
            values["pendingWarnings"] = warnings.map(\.message)
            // In a protected environment a change that widens exposure is not applied but
            // requested (the store would refuse it `review_required`): the page offers that instead.
            if let protection = environmentRecords.first(where: { $0.key == env })?.protection,
                Flag.exposureChange(from: current.flag, to: record.flag, in: env) == .widens
            {
                values["needsReview"] = true
                values["requestURL"] = ConsoleQuery.flagPath(key, "/request")
                values["approvalsText"] = protection.requiredApprovals == 1 ? "1 approval" : "\(protection.requiredApprovals) approvals"
                values.merge(session.permissions([("Request", .edit(environment: env))])) { _, new in new }
            }
            pendingValues = values
        }
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
        // Day or week (`usage=week`); what this server counted and has not written yet is written first.
        await services.usage.flush()
        let series = try await services.store.usageSeries(
            flag: key, environment: env, window: ConsoleUsageChart.window(request.consoleQuery("usage")), now: now)
        values.merge(ConsoleUsageChart.values(series, now: now, flagURL: ConsoleQuery.flagURL(key, env: env))) { _, new in new }
        let release = try await ConsoleReleaseCard.latest(services, flag: key, env: env)
        values.merge(ConsoleReleaseCard.values(release, flag: current.flag, env: env, session: session, input: input, now: now)) { _, new in new }
        values.merge(ConsoleFlagPage.codeReferences(try await services.store.codeReferences(flag: key), now: now)) { _, new in new }
        values["tryIt"] = ConsoleTryIt.values(request, flag: key, env: env, registry: services.registry)
        await services.attributes.flush()
        let seen = try await services.store.seenAttributes(environment: env).attributes.map(\.name)
        values.merge(ConsoleFlagPage.attributes(seen: seen, state: record.flag.state(in: env), env: env)) { _, new in new }
        let schedules = ConsoleSchedulesController.values(
            try await services.store.schedules(status: .pending, key: key), flag: current.flag, env: env)
        values["schedules"] = schedules
        values["hasSchedules"] = !schedules.isEmpty
        // Every block that stops this flag here (its own, and a freeze of the environment): who, why, until.
        values["blocks"] = ConsoleBlocksController.banners(try await services.store.blocks(environment: env, flag: key), session: session)
        values.merge(session.permissions([("Block", .block)])) { _, new in new }
        // Each change request of the flag here still to be decided or applied, with the buttons the session may use.
        values["requests"] = try await ConsoleRequestsController(services: services, pages: pages).banners(
            flag: key, env: env, session: session, problem: requestProblem)
        if let notice = request.consoleQuery("done").flatMap(ConsoleActionsController.notice) { values["notice"] = notice }
        if request.consoleQuery("done") == "requested", let id = request.consoleQuery("request").flatMap(Int64.init),
            let opened = try? await services.store.changeRequest(id), opened.flag == key
        {
            values["notice"] = ConsoleRequestsController.openedNotice(opened)
        }
        if let pendingValues {
            values["pending"] = pendingValues
            values["pendingField"] = pending?.encoded ?? ""
        }
        values["problems"] = problems
        values["input"] = input
        return pages.render("flag", values, status: requestProblem?.status ?? (problem == nil ? .ok : .badRequest))
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
