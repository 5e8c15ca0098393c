import ClutchCore
import ClutchStore
import Foundation
import Hummingbird

/// `/ui/cohorts`: the cohorts of an environment, one cohort's members (paged in the database, so
/// a cohort of 100,000 members costs one page to show), adding and removing members as
/// `MemberInstruction`s through `FlagStore.applyMembers`, its conditions, and the flags that use it.
struct ConsoleCohortsController {
    let services: ServerServices
    let pages: ConsolePages

    /// Members per page.
    static let pageSize = 100
    /// The most members one form may name.
    static let maxMembersPerChange = 10_000

    func add(to group: RouterGroup<ClutchRequestContext>) {
        group.get("cohorts", use: list)
        group.post("cohorts", use: create)
        group.get("cohorts/:key", use: cohort)
        group.post("cohorts/:key/members", use: members)
    }

    static func cohortURL(_ key: String, env: String) -> String { "/ui/cohorts/\(ConsoleQuery.encode(key))?env=\(ConsoleQuery.encode(env))" }

    /// For each cohort of `env`, the flags whose rules there name it.
    func users(env: String) async throws -> [String: [String]] {
        var users: [String: [String]] = [:]
        for record in try await services.store.flags(includeArchived: true) {
            let names = Set(record.flag.state(in: env).rules.flatMap { $0.clauses.compactMap(\.cohort) })
            for name in names { users[name, default: []].append(record.flag.key) }
        }
        return users
    }

    @Sendable func list(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let session = try context.requireConsoleSession()
        let environments = try await services.store.environments().map(\.key)
        let env = try ConsoleQuery.environment(request, among: environments)
        let cohorts = try await services.store.cohortSummaries(environment: env)
        let users = try await users(env: env)
        var values: [String: Any] = [
            "title": "Cohorts", "session": session.templateValues, "csrf": session.csrfToken, "env": env,
            "needsConfirm": ConsoleConfirmation.isProtected(env),
            "environments": environments.map { ["key": $0, "url": "/ui/cohorts?env=\(ConsoleQuery.encode($0))", "current": $0 == env] },
            "cohorts": cohorts.map { summary -> [String: Any] in
                let cohort = summary.record.cohort
                let flags = users[cohort.key] ?? []
                var row: [String: Any] = [
                    "key": cohort.key, "url": Self.cohortURL(cohort.key, env: env), "size": summary.size,
                    "attribute": cohort.attribute, "clauses": cohort.clauses.isEmpty ? "" : Describe.clauses(cohort.clauses),
                    "flags": flags.map { ["key": $0, "url": ConsoleQuery.flagURL($0, env: env)] }, "unused": flags.isEmpty,
                ]
                if !cohort.description.isEmpty { row["description"] = cohort.description }
                return row
            },
        ]
        if let notice = request.consoleQuery("done").flatMap(Self.notice) { values["notice"] = notice }
        values.merge(session.permissions([("Edit", .edit(environment: env))])) { _, new in new }
        return pages.render("cohorts", values)
    }

    static func notice(_ code: String) -> String? {
        switch code {
        case "created": return "Cohort created."
        case "added": return "Members added."
        case "removed": return "Members removed."
        case "same": return "Nothing to change."
        default: return nil
        }
    }

    /// One cohort: its definition, which flags use it, and one page of members.
    @Sendable func cohort(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let session = try context.requireConsoleSession()
        let key = try context.parameter("key")
        let environments = try await services.store.environments().map(\.key)
        let env = try ConsoleQuery.environment(request, among: environments)
        let after = request.consoleQuery("after").flatMap { $0.isEmpty ? nil : $0 }
        let search = (request.consoleQuery("q") ?? "").trimmingCharacters(in: .whitespaces)
        let (record, page) = try await services.store.memberPage(
            cohort: key, environment: env, after: after, search: search.isEmpty ? nil : search, limit: Self.pageSize)
        let cohort = record.cohort
        let flags = try await users(env: env)[key] ?? []
        let base = Self.cohortURL(key, env: env) + (search.isEmpty ? "" : "&q=\(ConsoleQuery.encode(search))")
        var values: [String: Any] = [
            "title": "Cohort \(key)", "session": session.templateValues, "csrf": session.csrfToken,
            "key": key, "env": env, "attribute": cohort.attribute, "revision": record.revision,
            "needsConfirm": ConsoleConfirmation.isProtected(env),
            "listURL": "/ui/cohorts?env=\(ConsoleQuery.encode(env))",
            "membersURL": "/ui/cohorts/\(ConsoleQuery.encode(key))/members",
            "pageURL": Self.cohortURL(key, env: env),
            "updatedAt": ConsoleFormat.time(record.updatedAt, now: services.clock.now()), "updatedBy": record.updatedBy,
            "clauses": cohort.clauses.map { ["text": Describe.clause($0)] }, "hasClauses": !cohort.clauses.isEmpty,
            "flags": flags.map { ["key": $0, "url": ConsoleQuery.flagURL($0, env: env)] },
            "total": page.total, "q": search, "searching": !search.isEmpty,
            "members": page.members, "hasMembers": !page.members.isEmpty, "shown": page.members.count,
        ]
        if !cohort.description.isEmpty { values["description"] = cohort.description }
        if let next = page.nextAfter { values["nextURL"] = base + "&after=\(ConsoleQuery.encode(next))" }
        if after != nil { values["firstURL"] = base }
        if let notice = request.consoleQuery("done").flatMap(Self.notice) { values["notice"] = notice }
        values.merge(session.permissions([("Edit", .edit(environment: env))])) { _, new in new }
        return pages.render("cohort", values)
    }

    /// Adds or removes the members named (commas or new lines), as one change.
    @Sendable func members(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let session = try context.requireConsoleSession()
        let key = try context.parameter("key")
        let form = context.consoleForm
        let environments = try await services.store.environments().map(\.key)
        guard let env = form["env"], environments.contains(env) else {
            return refuse("Choose an environment that exists.", session)
        }
        let back = Self.cohortURL(key, env: env)
        if let refusal = pages.forbidden(.edit(environment: env), session, back: back, backText: "Back") { return refusal }
        if let refusal = ConsoleConfirmation.refusal(form, scope: .environment(env)) {
            return refuse(refusal, session, back: back)
        }
        guard let change = ConsoleEdit.changeInfo(session, form) else {
            return refuse("The message may have at most \(ConsoleActionsController.maxMessageLength) characters.", session, back: back)
        }
        let names = ConsoleEdit.list(form["members"])
        guard !names.isEmpty, names.count <= Self.maxMembersPerChange else {
            return refuse("Members: name between 1 and \(Self.maxMembersPerChange) member ids, separated by commas or new lines.", session, back: back)
        }
        let remove = form["do"] == "remove"
        let instructions: [MemberInstruction] = [remove ? .removeMembers(names) : .addMembers(names)]
        do {
            let (result, _) = try await services.write("console_members") {
                try await services.store.applyMembers(instructions, cohort: key, environment: env, change: change)
            }
            let done = result.versions.isEmpty ? "same" : (remove ? "removed" : "added")
            return ConsolePages.redirect(back + "&done=\(done)")
        } catch let error as StoreError where error.kind == .reviewRequired {
            // A protected environment where a flag uses this cohort: the change waits for review,
            // as `clutch cohorts add` makes it — the same request the API opens.
            guard let identity = session.principal.reviewIdentity else { throw APIError.unauthorized("sign in first") }
            let opened = try await services.metrics.timeWrite("open_change_request") {
                try await services.store.openChangeRequest(
                    ChangeRequestCreate(cohort: key, environment: env, memberInstructions: instructions, message: change.message),
                    identity: identity, change: change)
            }
            return ConsolePages.redirect("/ui/requests/\(opened.id)?done=requested")
        }
    }

    /// Creates an empty cohort of explicit members (`customerId` unless another attribute is named).
    @Sendable func create(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let session = try context.requireConsoleSession()
        let form = context.consoleForm
        let environments = try await services.store.environments().map(\.key)
        guard let env = form["env"], environments.contains(env) else {
            return refuse("Choose an environment that exists.", session)
        }
        let back = "/ui/cohorts?env=\(ConsoleQuery.encode(env))"
        if let refusal = pages.forbidden(.edit(environment: env), session, back: back, backText: "Back") { return refusal }
        if let refusal = ConsoleConfirmation.refusal(form, scope: .environment(env)) {
            return refuse(refusal, session, back: back)
        }
        guard let change = ConsoleEdit.changeInfo(session, form) else {
            return refuse("The message may have at most \(ConsoleActionsController.maxMessageLength) characters.", session, back: back)
        }
        let key = (form["key"] ?? "").trimmingCharacters(in: .whitespaces)
        let members = ConsoleEdit.list(form["members"])
        let attribute = (form["attribute"] ?? "").trimmingCharacters(in: .whitespaces)
        let cohort = Cohort(
            key: key, description: (form["description"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines),
            attribute: attribute.isEmpty ? "customerId" : attribute, members: members)
        _ = try await services.write("console_cohort_create") {
            try await services.store.createCohort(cohort, environment: env, change: change)
        }
        return ConsolePages.redirect(Self.cohortURL(key, env: env) + "&done=created")
    }

    private func refuse(_ message: String, _ session: ConsoleSession, back: String = "/ui/cohorts") -> Response {
        pages.error(
            status: .badRequest, heading: "Not changed", message: message + " Nothing was changed.", back: back,
            backText: "Back", session: session.templateValues)
    }
}
