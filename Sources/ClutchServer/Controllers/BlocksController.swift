import ClutchCore
import ClutchStore
import Foundation
import Hummingbird

/// `/api/v1/blocks`: anyone signed in — viewers included — may stop a flag in an environment,
/// or a whole environment, and lift their own stop; an owner may lift anyone's.
struct BlocksController {
    let services: ServerServices

    var routes: RouteCollection<ClutchRequestContext> {
        let routes = RouteCollection(context: ClutchRequestContext.self)
        routes.post("blocks", use: create)
        routes.get("blocks", use: list)
        routes.delete("blocks/:id", use: delete)
        return routes
    }

    /// `{"environment", "flag"?, "reason", "until"?}`.
    @Sendable func create(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        var request = request
        let change = try request.changeInfo(context)
        let body = try await request.decodeJSON(BlockCreate.self)
        var until: Date?
        if let text = body.until {
            guard let date = Timestamp.parse(text) else {
                throw APIError.validationFailed("must be an RFC 3339 date-time such as 2026-12-08T09:00:00Z, got '\(text)'", field: "until")
            }
            until = date
        }
        let record = try await services.metrics.timeWrite("create_block") {
            try await services.store.createBlock(
                environment: body.environment, flag: body.flag, reason: body.reason, until: until, by: try context.blocker(), change: change)
        }
        return JSONResponse.encode(record, status: .created)
    }

    /// `?environment=E&flag=K`: the blocks holding now (in E; stopping K: its own and E's).
    @Sendable func list(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        JSONResponse.encode(BlockList(blocks: try await services.store.blocks(environment: request.query("environment"), flag: request.query("flag"))))
    }

    @Sendable func delete(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let change = try request.changeInfo(context)
        let record = try await services.metrics.timeWrite("delete_block") {
            try await services.store.deleteBlock(try context.parameter("id"), by: try context.blocker(), change: change)
        }
        return JSONResponse.encode(record)
    }
}

extension Principal {
    /// The caller as a blocker: a person (by session or any of their tokens) as themselves, a
    /// service token as itself; an owner may lift anyone's block. `nil` for an SDK key.
    var blocker: Blocker? {
        guard let subject, let actor else { return nil }
        let isOwner = AccessPolicy.refusal(.administer, by: subject) == nil
        if let person { return Blocker(name: person.email, identity: "person:\(person.id)", isOwner: isOwner) }
        guard let token else { return nil }
        return Blocker(name: actor, identity: "token:\(token.id)", isOwner: isOwner)
    }
}

extension ClutchRequestContext {
    /// The caller as a blocker (401 without an admin credential).
    func blocker() throws -> Blocker {
        guard let blocker = principal?.blocker else { throw APIError.unauthorized("a token is required") }
        return blocker
    }
}
