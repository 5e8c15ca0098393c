import ClutchCore
import ClutchStore
import Hummingbird

/// `/api/v1/environments/{env}/cohorts…`: cohorts and their members.
struct CohortsController {
    let services: ServerServices

    var routes: RouteCollection<ClutchRequestContext> {
        let routes = RouteCollection(context: ClutchRequestContext.self)
        routes.get("environments/:env/cohorts", use: list)
        routes.post("environments/:env/cohorts", use: create)
        routes.get("environments/:env/cohorts/:key", use: get)
        routes.put("environments/:env/cohorts/:key", use: update)
        routes.delete("environments/:env/cohorts/:key", use: delete)
        routes.post("environments/:env/cohorts/:key/members", use: members)
        routes.post("environments/:env/cohorts/:key/changes", use: changes)
        return routes
    }

    @Sendable func list(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let environment = try context.parameter("env")
        let cohorts = try await services.store.cohorts(environment: environment)
        return JSONResponse.encode(CohortList(cohorts: cohorts))
    }

    @Sendable func create(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        var request = request
        let environment = try context.parameter("env")
        let change = try request.changeInfo(context)
        let cohort = try await request.decodeJSON(Cohort.self)
        let (written, _) = try await services.write("create_cohort") {
            try await services.store.createCohort(cohort, environment: environment, change: change)
        }
        return JSONResponse.encode(written.value, status: .created, headers: .etag(revision: written.value.revision))
    }

    @Sendable func get(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let record = try await services.store.cohort(try context.parameter("key"), environment: try context.parameter("env"))
        return JSONResponse.encode(record, headers: .etag(revision: record.revision))
    }

    @Sendable func update(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        var request = request
        let environment = try context.parameter("env")
        let key = try context.parameter("key")
        let change = try request.changeInfo(context)
        let revision = try request.ifMatchRevision()
        let cohort = try await request.decodeJSON(Cohort.self)
        guard cohort.key == key else {
            throw APIError.validationFailed("the body's key '\(cohort.key)' differs from the path's '\(key)'", field: "key")
        }
        let (written, _) = try await services.write("update_cohort") {
            try await services.store.updateCohort(cohort, environment: environment, ifRevision: revision, change: change)
        }
        return JSONResponse.encode(written.value, headers: .etag(revision: written.value.revision))
    }

    @Sendable func delete(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let environment = try context.parameter("env")
        let key = try context.parameter("key")
        let change = try request.changeInfo(context)
        _ = try await services.write("delete_cohort") {
            try await services.store.deleteCohort(key, environment: environment, change: change)
        }
        return Response(status: .noContent)
    }

    private struct MembersBody: RequestBody {
        let add: [String]?
        let remove: [String]?
        enum CodingKeys: String, CodingKey { case add, remove }
    }

    @Sendable func members(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        var request = request
        let environment = try context.parameter("env")
        let key = try context.parameter("key")
        let change = try request.changeInfo(context)
        let body = try await request.decodeJSON(MembersBody.self)
        let (written, _) = try await services.write("update_members") {
            try await services.store.updateMembers(
                cohort: key, environment: environment, add: body.add ?? [], remove: body.remove ?? [], change: change)
        }
        return JSONResponse.encode(written.value, headers: .etag(revision: written.value.revision))
    }

    /// `POST …/cohorts/{key}/changes`: `addMembers` / `removeMembers` instructions, the same shape
    /// as a flag's changes, applied in order as one change.
    @Sendable func changes(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        var request = request
        let environment = try context.parameter("env")
        let key = try context.parameter("key")
        var change = try request.changeInfo(context)
        let body = try await request.decodeJSON(CohortChanges.self)
        if let message = body.message, !message.isEmpty { change.message = message }
        let (written, _) = try await services.write("update_members") {
            try await services.store.applyMembers(body.instructions, cohort: key, environment: environment, change: change)
        }
        return JSONResponse.encode(written.value, headers: .etag(revision: written.value.revision))
    }
}
