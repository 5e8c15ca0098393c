import ClutchCore
import ClutchStore
import Hummingbird

/// `/api/v1/flags/{key}/revisions|diff|rollback`: history and restoring it.
struct RevisionsController {
    let services: ServerServices

    var routes: RouteCollection<ClutchRequestContext> {
        let routes = RouteCollection(context: ClutchRequestContext.self)
        routes.get("flags/:key/revisions", use: list)
        routes.get("flags/:key/revisions/:number", use: get)
        routes.get("flags/:key/diff", use: diff)
        routes.post("flags/:key/rollback", use: rollback)
        return routes
    }

    @Sendable func list(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let key = try context.parameter("key")
        let environment = request.query("environment")
        let revisions = try await services.store.revisions(flag: key, environment: environment)
        return JSONResponse.encode(RevisionList(revisions: revisions))
    }

    @Sendable func get(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let key = try context.parameter("key")
        guard let number = Int64(try context.parameter("number")), number > 0 else {
            throw APIError.badRequest("revision number must be a positive integer", field: "number")
        }
        return JSONResponse.encode(try await services.store.revision(flag: key, number: number))
    }

    @Sendable func diff(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let key = try context.parameter("key")
        guard let from = try request.intQuery("from", in: 1...Int64.max) else {
            throw APIError.badRequest("query parameter 'from' is required", field: "from")
        }
        let to: Int64
        if let explicit = try request.intQuery("to", in: 1...Int64.max) {
            to = explicit
        } else {
            guard let latest = try await services.store.revisions(flag: key, environment: nil).first else {
                throw APIError.notFound("flag '\(key)' has no revisions")
            }
            to = latest.number
        }
        let before = try await services.store.revision(flag: key, number: from)
        let after = try await services.store.revision(flag: key, number: to)
        let changes = FlagDiff.changes(from: before.flag, to: after.flag)
        return JSONResponse.encode(RevisionDiff(from: from, to: to, changes: changes))
    }

    @Sendable func rollback(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        var request = request
        let key = try context.parameter("key")
        let change = try request.changeInfo(context)
        let data = try await request.collectBodyData()
        let body = data.isEmpty ? RollbackRequest(revision: nil, environment: nil) : try JSONInput.decode(RollbackRequest.self, from: data)
        try context.authorize(.edit(environment: body.environment))
        // Resolve the default here so the response can say which revision was restored.
        let target: Int64
        if let revision = body.revision {
            target = revision
        } else {
            let current = try await services.store.flag(key)
            guard current.revision > 1 else {
                throw APIError.badRequest("flag '\(key)' has no earlier revision to restore", field: "revision")
            }
            target = current.revision - 1
        }
        let revision = try request.ifMatchRevision()
        let before = await services.flagBeforeChange(key)
        let (written, _) = try await services.write("rollback") {
            try await services.store.rollback(flag: key, to: target, environment: body.environment, ifRevision: revision, change: change)
        }
        // A revision that names attributes no context has carried warns as any change does.
        let record = await services.withAttributeWarnings(written.value, before: before, environments: body.environment.map { [$0] })
        var headers = HTTPFields.etag(revision: written.value.revision)
        headers[HeaderNames.restored] = String(target)
        return JSONResponse.encode(record, headers: headers)
    }
}
