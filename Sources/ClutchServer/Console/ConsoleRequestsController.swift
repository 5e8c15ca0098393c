import ClutchCore
import ClutchStore
import Foundation
import Hummingbird

/// Change requests in the console (issue 26): opened from a flag page when its pending change
/// needs review in a protected environment, listed on `/ui/requests` and on the flag page of the
/// flag and environment they change, reviewed, applied and cancelled there — through the same
/// store operations as `/api/v1/change-requests` (which write the audit and webhook events), and
/// the same policy checks: editor rights in the request's environment, a comment needs only read.
/// Buttons show only for those who may; every form is checked again here.
struct ConsoleRequestsController {
    let services: ServerServices
    let pages: ConsolePages

    func add(to group: RouterGroup<ClutchRequestContext>) {
        group.get("requests", use: list)
        group.get("requests/:requestId", use: detail)
        group.post("flags/:key/request", use: open)
        group.post("requests/:requestId/review", use: review)
        group.post("requests/:requestId/apply", use: apply)
        group.post("requests/:requestId/cancel", use: cancel)
    }

    /// The statuses the list can show: `pending` (the default: those still to be decided or
    /// applied, ``isPending(_:)``), each status, or `all`.
    static let filters = ["pending", "all"] + ChangeRequestRecord.Status.allCases.map(\.rawValue)
    static let pendingLabel = "open, approved or declined"
    /// Whether a request in `status` can still be reviewed, applied or cancelled (the store's
    /// `requirePending`: a decline stops the apply until it is withdrawn or the request edited).
    static func isPending(_ status: ChangeRequestRecord.Status) -> Bool {
        status == .open || status == .approved || status == .declined
    }
    /// The most requests one list shows.
    static let listLimit = 200

    // MARK: Pages

    @Sendable func list(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        try await listPage(request, session: try context.requireConsoleSession(), problem: nil)
    }

    @Sendable func detail(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let session = try context.requireConsoleSession()
        let record = try await services.store.changeRequest(try Self.requestID(context))
        var values = baseValues(session, title: "Change request \(record.id)")
        values["requests"] = [try await row(record, session: session, from: "request", problem: nil)]
        values["single"] = true
        if let notice = request.consoleQuery("done").flatMap(ConsoleActionsController.notice) { values["notice"] = notice }
        // Opened by the cohort page's member form in a protected environment.
        if request.consoleQuery("done") == "requested" { values["notice"] = Self.openedNotice(record) }
        return pages.render("requests", values)
    }

    /// The Requests page; a refused action is shown beside its request (status 400, or the
    /// refusal's own status) with the comment typed kept.
    func listPage(_ request: Request, session: ConsoleSession, problem: RowProblem?) async throws -> Response {
        let filter = request.consoleQuery("status") ?? "pending"
        guard Self.filters.contains(filter) else {
            throw APIError.badRequest("status must be one of \(Self.filters.joined(separator: ", "))")
        }
        let status = ChangeRequestRecord.Status(rawValue: filter)
        var records = try await services.store.changeRequests(status: status, flag: nil, limit: Self.listLimit)
        if filter == "pending" { records = records.filter { Self.isPending($0.status) } }
        var values = baseValues(session, title: "Change requests")
        var rows: [[String: Any]] = []
        let protections = try await self.protections()
        for record in records {
            rows.append(try await row(record, session: session, from: "requests", problem: problem, protections: protections))
        }
        values["requests"] = rows
        values["hasRequests"] = !rows.isEmpty
        values["requestCount"] = rows.count
        values["filters"] = Self.filters.map { ["value": $0, "label": $0 == "pending" ? Self.pendingLabel : $0, "selected": $0 == filter] }
        values["filter"] = filter == "pending" ? Self.pendingLabel : filter
        if let notice = request.consoleQuery("done").flatMap(ConsoleActionsController.notice) { values["notice"] = notice }
        return pages.render("requests", values, status: problem?.status ?? .ok)
    }

    private func baseValues(_ session: ConsoleSession, title: String) -> [String: Any] {
        ["title": title, "session": session.templateValues, "csrf": session.csrfToken]
    }

    /// A refusal said beside request `id`, with the comment that was typed.
    struct RowProblem {
        let id: Int64
        let message: String
        var comment: String = ""
        var status: HTTPResponse.Status = .badRequest
    }

    /// The requests of `flag` in `env` still pending (``isPending(_:)``), oldest first, for its flag page's banners.
    func banners(flag: String, env: String, session: ConsoleSession, problem: RowProblem?) async throws -> [[String: Any]] {
        var rows: [[String: Any]] = []
        let protections = try await self.protections()
        for record in try await services.store.changeRequests(status: nil, flag: flag, limit: Self.listLimit)
        where record.environment == env && Self.isPending(record.status) {
            rows.append(try await row(record, session: session, from: "flag", problem: problem, protections: protections))
        }
        return rows.reversed()
    }

    /// One request as the templates show it (`requestCard`): the diff its reviewers approve in
    /// plain language, its author, reviews and state, and the buttons the policy lets `session` use.
    /// Keys are the row's own (never a page key): a missing one would resolve to the page's.
    func row(
        _ record: ChangeRequestRecord, session: ConsoleSession, from: String, problem: RowProblem?,
        protections: [String: EnvironmentProtection]? = nil
    ) async throws -> [String: Any] {
        let now = services.clock.now()
        let pending = Self.isPending(record.status)
        let edit = AccessPolicy.refusal(.edit(environment: record.environment), by: session.subject)
        let isAuthor = record.createdBy == session.actor
        var protection = protections ?? [:]
        if protections == nil { protection = try await self.protections() }
        let selfApprovalRefused = isAuthor && protection[record.environment]?.allowSelfApproval != true
        let path = "/ui/requests/\(record.id)"
        var row: [String: Any] = [
            "id": record.id, "requestFlag": record.cohort.map { "cohort \($0)" } ?? record.flag, "requestEnv": record.environment,
            "requestFlagURL": record.cohort.map { ConsoleCohortsController.cohortURL($0, env: record.environment) }
                ?? ConsoleQuery.flagURL(record.flag, env: record.environment),
            "requestURL": path,
            "author": record.createdBy, "opened": ConsoleFormat.time(record.createdAt, now: now),
            "requestStatus": record.status.rawValue, "approvals": record.approvals, "required": record.requiredApprovals,
            "sentences": await sentences(record), "from": from,
            "reviewURL": path + "/review", "applyURL": path + "/apply", "cancelURL": path + "/cancel",
            "reviews": record.reviews.map { review -> [String: Any] in
                var entry: [String: Any] = [
                    "reviewer": review.reviewer, "verdict": Self.verdictText(review.verdict), "withdrawn": review.withdrawn,
                    "reviewedAt": ConsoleFormat.time(review.at, now: now),
                ]
                if let comment = review.comment, !comment.isEmpty { entry["reviewComment"] = comment }
                return entry
            },
            "hasReviews": !record.reviews.isEmpty,
            "mayReview": pending,
            "mayApprove": pending && edit == nil && !selfApprovalRefused,
            "mayDecline": pending && edit == nil,
            "mayApply": record.status == .approved && edit == nil,
            "mayCancel": pending && isAuthor && edit == nil,
        ]
        if let message = record.message, !message.isEmpty { row["requestMessage"] = message }
        if let at = record.at { row["requestAt"] = Timestamp.format(at) }
        if let reason = record.reason { row["requestReason"] = reason }
        if let revision = record.appliedRevision { row["appliedRevision"] = revision }
        if pending, let edit {
            row["whyReview"] = "Approve, decline and apply not shown: \(edit.message)."
        } else if pending, selfApprovalRefused {
            row["whyReview"] = "You opened this request: \(record.environment) needs the approval of someone else."
        }
        if let problem, problem.id == record.id {
            row["requestProblem"] = problem.message
            row["commentInput"] = problem.comment
        }
        return row
    }

    /// Each protected environment's protection.
    private func protections() async throws -> [String: EnvironmentProtection] {
        var protections: [String: EnvironmentProtection] = [:]
        for environment in try await services.store.environments() { protections[environment.key] = environment.protection }
        return protections
    }

    /// What the request changes, in plain language: its instructions applied to the flag at the
    /// revision its diff was computed against (what its reviewers approve), as
    /// ``Describe/changes(from:to:environment:)`` words it; the raw diff when that revision
    /// cannot be read.
    func sentences(_ record: ChangeRequestRecord) async -> [String] {
        if let cohort = record.cohort {
            // A cohort's request is pinned to the members it adds and removes: say them.
            return record.diff.compactMap { change -> String? in
                let names: (Value?) -> String = { value in
                    guard case .array(let members)? = value else { return "" }
                    return members.map { member in
                        if case .string(let name) = member { return name }
                        return "\(member)"
                    }.joined(separator: ", ")
                }
                switch change.path {
                case "members.added": return "\(record.environment): \(names(change.after)) join \(cohort)"
                case "members.removed": return "\(record.environment): \(names(change.before)) leave \(cohort)"
                default: return "\(change.path): \(change.beforeText) → \(change.afterText)"
                }
            }
        }
        if let base = try? await services.store.revision(flag: record.flag, number: record.baseRevision).flag,
            let after = try? base.applying(record.instructions, environment: record.environment, newRuleID: RuleID.random)
        {
            let sentences = Describe.changes(from: base, to: after, environment: record.environment)
            if !sentences.isEmpty { return sentences }
        }
        return record.diff.map { "\($0.path): \($0.beforeText) → \($0.afterText)" }
    }

    /// The notice code (``ConsoleActionsController/notice(_:)``) after a review.
    static func doneCode(_ verdict: ReviewVerdict) -> String {
        switch verdict {
        case .approve: "approved"
        case .decline: "declined"
        case .comment: "commented"
        }
    }

    static func verdictText(_ verdict: ReviewVerdict) -> String {
        switch verdict {
        case .approve: "Approved"
        case .decline: "Declined"
        case .comment: "Comment"
        }
    }

    // MARK: Actions

    /// Opens a request for the flag page's pending change (with its message and optional time)
    /// through the store operation `POST /api/v1/change-requests` uses; the flag page then says
    /// "Change request N opened: needs K approvals". A refusal comes back beside the request
    /// form with the pending change and what was typed kept.
    @Sendable func open(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let session = try context.requireConsoleSession()
        let key = try context.parameter("key")
        let fields = context.consoleForm
        let edit = ConsoleEdit(services: services, pages: pages)
        let environments = try await services.store.environments().map(\.key)
        guard let env = fields["env"], environments.contains(env) else {
            return edit.refuse("Choose an environment that exists. Nothing was requested.", key: key, env: nil, session)
        }
        let flagPage = ConsoleFlagsController(services: services, pages: pages)
        let pending: ConsolePendingChange?
        do {
            pending = try ConsolePendingChange.from(fields)
        } catch {
            return try await flagPage.page(request, session: session, key: key, env: env, pending: nil, problem: error, input: fields)
        }
        func again(_ field: String, _ message: String) async throws -> Response {
            try await flagPage.page(
                request, session: session, key: key, env: env, pending: pending,
                problem: ConsoleEdit.Refusal(field: field, message: message), input: fields)
        }
        guard let pending else { return try await again("request", "There is no pending change to request: make an edit first.") }
        if let refusal = edit.forbidden(.edit(environment: env), session, key: key, env: env) { return refusal }
        guard let change = ConsoleEdit.changeInfo(session, fields) else {
            return try await again(
                "message", "The message may have at most \(ConsoleActionsController.maxMessageLength) characters. Nothing was requested.")
        }
        let at: Date?
        do { at = try ConsoleEdit.optionalTime(fields, "at", label: "Apply at") } catch { return try await again(error.field, error.message) }
        guard let identity = session.principal.reviewIdentity else { throw APIError.unauthorized("sign in first") }
        let record = try await services.store.flag(key)
        let instructions = pending.instructions(naturalDefault: record.flag.naturalDefault)
        let opened: ChangeRequestRecord
        do {
            opened = try await services.metrics.timeWrite("open_change_request") {
                try await services.store.openChangeRequest(
                    ChangeRequestCreate(flag: key, environment: env, instructions: instructions, message: change.message, at: at),
                    identity: identity, change: change)
            }
        } catch {
            let apiError = ErrorMapping.apiError(for: error, logger: services.logger)
            guard (400..<500).contains(apiError.status.code), apiError.status.code != 404 else { throw error }
            return try await again("request", apiError.message + ". Nothing was requested.")
        }
        return ConsolePages.redirect(ConsoleQuery.flagURL(key, env: env) + "&done=requested&request=\(opened.id)")
    }

    /// Approve, decline or comment: `verdict` and `comment` as `POST /api/v1/change-requests/{id}/reviews` takes them.
    @Sendable func review(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let session = try context.requireConsoleSession()
        let record = try await services.store.changeRequest(try Self.requestID(context))
        let fields = context.consoleForm
        guard let verdict = fields["verdict"].flatMap(ReviewVerdict.init(rawValue:)) else {
            return try await refused(request, session, record, fields, "Choose approve, decline or comment. Nothing was changed.")
        }
        // A verdict counts towards applying the change: it needs the rights to make it.
        let action: AccessAction = verdict == .comment ? .read : .edit(environment: record.environment)
        if let refusal = forbidden(action, session, record) { return refusal }
        let comment = (fields["comment"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if verdict == .comment, comment.isEmpty {
            return try await refused(request, session, record, fields, "Write the comment first. Nothing was changed.")
        }
        guard comment.count <= ConsoleActionsController.maxMessageLength else {
            return try await refused(
                request, session, record, fields, "The comment may have at most \(ConsoleActionsController.maxMessageLength) characters. Nothing was changed.")
        }
        guard let identity = session.principal.reviewIdentity else { throw APIError.unauthorized("sign in first") }
        return try await step(request, session, record, fields, done: Self.doneCode(verdict)) {
            _ = try await services.metrics.timeWrite("review_change_request") {
                try await services.store.reviewChangeRequest(
                    record.id, verdict: verdict, comment: comment.isEmpty ? nil : comment, identity: identity,
                    change: ChangeInfo(actor: session.actor, author: session.principal.author))
            }
        }
    }

    /// Applies an approved request as `POST /api/v1/change-requests/{id}/apply` does (a refusal —
    /// blocked, or the diff no longer the one approved — is shown beside it).
    @Sendable func apply(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let session = try context.requireConsoleSession()
        let record = try await services.store.changeRequest(try Self.requestID(context))
        if let refusal = forbidden(.edit(environment: record.environment), session, record) { return refusal }
        return try await step(request, session, record, context.consoleForm, done: "request-applied") {
            _ = try await services.write("apply_change_request") {
                try await services.store.applyChangeRequest(record.id, change: ChangeInfo(actor: session.actor, author: session.principal.author))
            }
        }
    }

    @Sendable func cancel(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let session = try context.requireConsoleSession()
        let record = try await services.store.changeRequest(try Self.requestID(context))
        if let refusal = forbidden(.edit(environment: record.environment), session, record) { return refusal }
        return try await step(request, session, record, context.consoleForm, done: "request-cancelled") {
            _ = try await services.metrics.timeWrite("cancel_change_request") {
                try await services.store.cancelChangeRequest(record.id, change: ChangeInfo(actor: session.actor, author: session.principal.author))
            }
        }
    }

    /// Runs one step of a request and goes back to the page the form came from with notice
    /// `done`; a store refusal (4xx) is shown beside the request instead.
    private func step(
        _ request: Request, _ session: ConsoleSession, _ record: ChangeRequestRecord, _ fields: [String: String], done: String,
        _ write: () async throws -> Void
    ) async throws -> Response {
        do {
            try await write()
        } catch {
            let apiError = ErrorMapping.apiError(for: error, logger: services.logger)
            guard (400..<500).contains(apiError.status.code), apiError.status.code != 404 else { throw error }
            return try await refused(request, session, record, fields, apiError.message + ".", status: apiError.status)
        }
        return ConsolePages.redirect(back(record, from: fields["from"]) + "done=\(done)")
    }

    /// The page the form came from (`from`: `flag`, `request` or the list), ready for a query parameter.
    private func back(_ record: ChangeRequestRecord, from: String?) -> String {
        switch from {
        case "flag": ConsoleQuery.flagURL(record.flag, env: record.environment) + "&"
        case "request": "/ui/requests/\(record.id)?"
        default: "/ui/requests?"
        }
    }

    /// The page the form came from again, with `message` beside the request and the comment kept.
    private func refused(
        _ request: Request, _ session: ConsoleSession, _ record: ChangeRequestRecord, _ fields: [String: String], _ message: String,
        status: HTTPResponse.Status = .badRequest
    ) async throws -> Response {
        // As it is now: a refused apply reopens the request for review.
        let record = (try? await services.store.changeRequest(record.id)) ?? record
        let problem = RowProblem(id: record.id, message: message, comment: fields["comment"] ?? "", status: status)
        switch fields["from"] {
        case "flag":
            return try await ConsoleFlagsController(services: services, pages: pages).page(
                request, session: session, key: record.flag, env: record.environment, pending: nil, problem: nil, input: [:],
                requestProblem: problem)
        case "request":
            var values = baseValues(session, title: "Change request \(record.id)")
            values["requests"] = [try await row(record, session: session, from: "request", problem: problem)]
            values["single"] = true
            return pages.render("requests", values, status: status)
        default:
            return try await listPage(request, session: session, problem: problem)
        }
    }

    private func forbidden(_ action: AccessAction, _ session: ConsoleSession, _ record: ChangeRequestRecord) -> Response? {
        pages.forbidden(action, session, back: "/ui/requests/\(record.id)", backText: "Back to change request \(record.id)")
    }

    static func requestID(_ context: ClutchRequestContext) throws -> Int64 {
        let text = try context.parameter("requestId")
        guard let id = Int64(text), id > 0 else { throw APIError.notFound("change request '\(text)' does not exist") }
        return id
    }

    /// The flag page's notice after a request was opened: "Change request 12 opened: needs 1
    /// approval", read from the store (the redirect carries only the number).
    static func openedNotice(_ record: ChangeRequestRecord) -> String {
        let approvals = record.requiredApprovals == 1 ? "1 approval" : "\(record.requiredApprovals) approvals"
        return "Change request \(record.id) opened: needs \(approvals)."
    }
}

extension String {
    /// `nil` when only white space.
    var nilIfBlank: String? {
        let trimmed = trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }
}
