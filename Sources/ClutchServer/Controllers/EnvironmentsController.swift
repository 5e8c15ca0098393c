import ClutchCore
import ClutchStore
import Foundation
import Hummingbird

/// `/api/v1/environments` and the SDK keys under `/api/v1/…/keys`.
struct EnvironmentsController {
    let services: ServerServices

    var routes: RouteCollection<ClutchRequestContext> {
        let routes = RouteCollection(context: ClutchRequestContext.self)
        routes.get("environments", use: list)
        routes.post("environments", use: create)
        routes.get("environments/:env", use: get)
        routes.patch("environments/:env", use: update)
        routes.post("environments/:env/keys", use: createKey)
        routes.get("keys", use: listKeys)
        routes.delete("keys/:id", use: revokeKey)
        routes.get("environments/:env/attributes", use: attributes)
        return routes
    }

    private func view(_ record: EnvironmentRecord) -> EnvironmentInfo {
        EnvironmentInfo(
            key: record.key, createdAt: record.createdAt,
            snapshotVersion: services.registry.live(record.key)?.version ?? record.version,
            streams: services.registry.streamCount(record.key), protection: record.protection)
    }

    @Sendable func list(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let environments = try await services.store.environments()
        return JSONResponse.encode(EnvironmentList(environments: environments.map(view)))
    }

    /// The attribute names the environment's contexts have carried. What this server collected
    /// and has not written yet is written first, so the answer includes every context it answered.
    @Sendable func attributes(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let environment = try context.parameter("env")
        await services.attributes.flush()
        return JSONResponse.encode(try await services.store.seenAttributes(environment: environment))
    }

    @Sendable func get(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let key = try context.parameter("env")
        guard let record = try await services.store.environments().first(where: { $0.key == key }) else {
            throw APIError.notFound("environment '\(key)' does not exist")
        }
        return JSONResponse.encode(view(record))
    }

    /// `{"protection": {"requiredApprovals": 1, "allowSelfApproval": false}}` protects the
    /// environment, `{"protection": null}` lifts it.
    @Sendable func update(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        var request = request
        let key = try context.parameter("env")
        let change = try request.changeInfo(context)
        let body = try await request.decodeJSON(EnvironmentUpdate.self)
        let record = try await services.metrics.timeWrite("update_environment") {
            try await services.store.setProtection(environment: key, body.protection, change: change)
        }
        return JSONResponse.encode(view(record))
    }

    private struct CreateBody: RequestBody {
        let key: String
        enum CodingKeys: String, CodingKey { case key }
    }

    @Sendable func create(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        var request = request
        let change = try request.changeInfo(context)
        let body = try await request.decodeJSON(CreateBody.self)
        guard KeyRule.isValid(body.key) else {
            throw APIError.validationFailed(KeyRule.message("environment", body.key), field: "key")
        }
        let record = try await services.metrics.timeWrite("create_environment") {
            try await services.store.createEnvironment(body.key, change: change)
        }
        try await services.publisher.reload(record.key)
        return JSONResponse.encode(view(record), status: .created)
    }

    @Sendable func createKey(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        var request = request
        let environment = try context.parameter("env")
        let change = try request.changeInfo(context)
        let body = try await request.decodeJSON(SDKKeyCreate.self)
        let name = body.name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= 128 else {
            throw APIError.validationFailed("name must be 1–128 characters", field: "name")
        }
        let (record, secret) = try await services.metrics.timeWrite("create_key") {
            try await services.store.createSDKKey(environment: environment, name: name, kind: body.kind ?? .server, change: change)
        }
        try await services.refreshCredentials()
        let created = SDKKeyCreated(
            id: record.id, name: record.name, environment: record.environment, kind: record.kind, createdAt: record.createdAt, key: secret)
        return JSONResponse.encode(created, status: .created)
    }

    @Sendable func listKeys(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        JSONResponse.encode(SDKKeyList(keys: try await services.store.sdkKeys()))
    }

    @Sendable func revokeKey(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let id = try context.parameter("id")
        let change = try request.changeInfo(context)
        let record = try await services.metrics.timeWrite("revoke_key") {
            try await services.store.revokeSDKKey(id: id, change: change)
        }
        // Refresh before answering: once the client sees 204 the key no longer works anywhere.
        try await services.refreshCredentials()
        services.registry.closeStreams(keyID: record.id)
        return Response(status: .noContent)
    }
}
