import ClutchAPI
import ClutchCore
import ClutchStore
import Foundation
import Hummingbird

/// `/api/v1/change-requests`: changes to a flag, or to a cohort's members, in a protected
/// environment, applied once the environment's reviewers approved the diff they make. Who may
/// open, review, edit, cancel and apply is the policy's: editor rights in the request's
/// environment (a comment needs only read).
struct ChangeRequestsController {
    let services: ServerServices

    var routes: RouteCollection<ClutchRequestContext> {
        let routes = RouteCollection(context: ClutchRequestContext.self)
        routes.post("change-requests", use: create)
        routes.get("change-requests", use: list)
        routes.get("change-requests/:requestId", use: get)
        routes.patch("change-requests/:requestId", use: edit)
        routes.post("change-requests/:requestId/reviews", use: review)
        routes.post("change-requests/:requestId/apply", use: apply)
        routes.post("change-requests/:requestId/cancel", use: cancel)
        return routes
    }

    /// A flag's request (`flag`, `instructions`) or a cohort's (`cohort`, `memberInstructions`).
    private struct CreateBody: RequestBody {
        let flag: String?
        let environment: String
        let instructions: [Instruction]?
        let message: String?
        let at: String?
        let cohort: String?
        let memberInstructions: [MemberInstruction]?
        enum CodingKeys: String, CodingKey { case flag, environment, instructions, message, at, cohort, memberInstructions }
    }

    @Sendable func create(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        var request = request
        var change = try request.changeInfo(context)
        let body = try await request.decodeJSON(CreateBody.self)
        try context.authorize(.edit(environment: body.environment))
        var at: Date?
        if let text = body.at {
            guard let parsed = Timestamp.parse(text) else {
                throw APIError.validationFailed("must be an RFC 3339 date-time such as 2026-12-01T09:00:00Z, got '\(text)'", field: "at")
            }
            at = parsed
        }
        if let message = body.message, !message.isEmpty { change.message = message }
        var record = try await services.metrics.timeWrite("open_change_request") {
            var create = ChangeRequestCreate(
                flag: body.flag ?? "", environment: body.environment, instructions: body.instructions ?? [], message: change.message, at: at)
            create.cohort = body.cohort
            create.memberInstructions = body.memberInstructions
            return try await services.store.openChangeRequest(create, identity: try identity(context), change: change)
        }
        if let flag = body.flag, let instructions = body.instructions {
            record.warnings = await services.attributeWarnings(applying: instructions, flag: flag, environment: body.environment)
        }
        return JSONResponse.encode(record, status: .created)
    }

    @Sendable func list(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let status = try request.enumQuery("status", as: ChangeRequestRecord.Status.self)
        let requests = try await services.store.changeRequests(status: status, flag: request.query("flag"))
        return JSONResponse.encode(ChangeRequestList(requests: requests))
    }

    @Sendable func get(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        JSONResponse.encode(try await services.store.changeRequest(try requestID(context)))
    }

    @Sendable func edit(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        var request = request
        let change = try request.changeInfo(context)
        let id = try requestID(context)
        let body = try await request.decodeJSON(ChangeRequestEdit.self)
        try context.authorize(.edit(environment: try await services.store.changeRequest(id).environment))
        var record = try await services.metrics.timeWrite("edit_change_request") {
            try await services.store.editChangeRequest(id, body, change: change)
        }
        record.warnings = await services.attributeWarnings(applying: record.instructions, flag: record.flag, environment: record.environment)
        return JSONResponse.encode(record)
    }

    @Sendable func review(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        var request = request
        let change = try request.changeInfo(context)
        let id = try requestID(context)
        let body = try await request.decodeJSON(ChangeRequestReviewCreate.self)
        let environment = try await services.store.changeRequest(id).environment
        // A verdict counts towards applying the change: it needs the rights to make it.
        try context.authorize(body.verdict == .comment ? .read : .edit(environment: environment))
        if body.verdict == .comment, (body.comment ?? "").isEmpty {
            throw APIError.validationFailed("a comment needs its text", field: "comment")
        }
        let record = try await services.metrics.timeWrite("review_change_request") {
            try await services.store.reviewChangeRequest(
                id, verdict: body.verdict, comment: body.comment, identity: try identity(context), change: change)
        }
        return JSONResponse.encode(record)
    }

    @Sendable func apply(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let change = try request.changeInfo(context)
        let id = try requestID(context)
        try context.authorize(.edit(environment: try await services.store.changeRequest(id).environment))
        let (written, _) = try await services.write("apply_change_request") {
            try await services.store.applyChangeRequest(id, change: change)
        }
        return JSONResponse.encode(written.value)
    }

    @Sendable func cancel(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let change = try request.changeInfo(context)
        let id = try requestID(context)
        try context.authorize(.edit(environment: try await services.store.changeRequest(id).environment))
        let record = try await services.metrics.timeWrite("cancel_change_request") {
            try await services.store.cancelChangeRequest(id, change: change)
        }
        return JSONResponse.encode(record)
    }

    private func requestID(_ context: ClutchRequestContext) throws -> Int64 {
        let text = try context.parameter("requestId")
        guard let id = Int64(text), id > 0 else { throw APIError.notFound("change request '\(text)' does not exist") }
        return id
    }

    /// Who the caller counts as when reviewing: a person whichever of their tokens they use, a
    /// service token itself.
    private func identity(_ context: ClutchRequestContext) throws -> String {
        guard let identity = context.principal?.reviewIdentity else { throw APIError.unauthorized("a token is required") }
        return identity
    }
}

extension Principal {
    /// Who the principal counts as when reviewing a change request (and as its author, for
    /// self-approval): a person whichever of their tokens or sessions they use, a service token
    /// itself; `nil` for an SDK key. The API and the console ask this one place.
    var reviewIdentity: String? {
        if let person { return ChangeAuthor.person(id: person.id).text }
        return author?.text
    }
}
