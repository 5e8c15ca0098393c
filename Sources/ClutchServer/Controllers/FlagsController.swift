import ClutchCore
import ClutchStore
import Foundation
import Hummingbird

/// `/api/v1/flags…`: flags, their state per environment, archive, kill and staleness (the lifecycle).
struct FlagsController {
    let services: ServerServices

    var routes: RouteCollection<ClutchRequestContext> {
        let routes = RouteCollection(context: ClutchRequestContext.self)
        routes.get("flags", use: list)
        routes.post("flags", use: create)
        routes.get("flags/stale", use: stale)
        routes.get("flags/:key", use: get)
        routes.get("flags/:key/usage", use: usage)
        routes.put("flags/:key", use: update)
        routes.delete("flags/:key", use: delete)
        routes.post("flags/:key/restore", use: restore)
        routes.post("flags/:key/archive") { request, context in try await setArchived(request, context, true) }
        routes.post("flags/:key/unarchive") { request, context in try await setArchived(request, context, false) }
        routes.put("flags/:key/environments/:env", use: updateState)
        routes.post("flags/:key/environments/:env/on") { request, context in try await setEnabled(request, context, true) }
        routes.post("flags/:key/environments/:env/off") { request, context in try await setEnabled(request, context, false) }
        routes.post("flags/:key/kill", use: kill)
        return routes
    }

    /// Every flag, or with `limit`, `offset` or `q` one page of them, filtered and paged by the
    /// store (``ClutchStoring/flagPage(_:)``) with `matched` and `nextOffset` in the answer.
    @Sendable func list(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let archived = try request.boolQuery("archived")
        var stage: FlagStage?
        if let raw = request.query("stage") {
            guard let known = FlagStage(rawValue: raw) else {
                throw APIError.badRequest("query parameter 'stage' must be one of \(FlagStage.names), got '\(raw)'", field: "stage")
            }
            stage = known
        }
        // `env`: the stage in that environment; otherwise the flag's overall stage.
        let env = request.query("env")
        if stage != nil, let env, try await !services.store.environments().contains(where: { $0.key == env }) {
            throw APIError.badRequest("query parameter 'env' names no environment: '\(env)'", field: "env")
        }
        let limit = try request.intQuery("limit", in: 1...1_000)
        let offset = try request.intQuery("offset", in: 0...Int64(Int32.max))
        let search = request.query("q")
        guard limit != nil || offset != nil || search != nil else {
            // Unpaged, as before paging existed: every flag.
            var flags = try await services.store.flags(includeArchived: archived)
            if let stage { flags = flags.filter { $0.lifecycle(in: env)?.stage == stage } }
            return JSONResponse.encode(FlagList(flags: flags))
        }
        let page = try await services.store.flagPage(
            FlagQuery(
                search: search ?? "", stage: stage, environment: env, includeArchived: archived, offset: Int(offset ?? 0),
                limit: Int(limit ?? 100)))
        return JSONResponse.encode(FlagList(flags: page.flags, matched: page.matched, nextOffset: page.nextOffset))
    }

    @Sendable func create(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        var request = request
        let change = try request.changeInfo(context)
        let flag = try await request.decodeJSON(Flag.self)
        let (written, _) = try await services.write("create_flag") { try await services.store.createFlag(flag, change: change) }
        let record = await services.withAttributeWarnings(written.value, before: nil)
        return JSONResponse.encode(record, status: .created, headers: .etag(revision: written.value.revision))
    }

    @Sendable func get(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let record = try await services.store.flag(try context.parameter("key"))
        return JSONResponse.encode(record, headers: .etag(revision: record.revision))
    }

    @Sendable func update(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        var request = request
        let key = try context.parameter("key")
        let change = try request.changeInfo(context)
        let revision = try request.ifMatchRevision()
        let flag = try await request.decodeJSON(Flag.self)
        guard flag.key == key else {
            throw APIError.validationFailed("the body's key '\(flag.key)' differs from the path's '\(key)'", field: "key")
        }
        let before = await services.flagBeforeChange(key)
        let (written, _) = try await services.write("update_flag") {
            try await services.store.updateFlag(flag, ifRevision: revision, change: change)
        }
        let record = await services.withAttributeWarnings(written.value, before: before)
        return JSONResponse.encode(record, headers: .etag(revision: written.value.revision))
    }

    @Sendable func delete(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let key = try context.parameter("key")
        let change = try request.changeInfo(context)
        let revision = try request.ifMatchRevision()
        let force = try request.boolQuery("force")
        _ = try await services.write("delete_flag") {
            try await services.store.deleteFlag(key, ifRevision: revision, force: force, now: services.clock.now(), change: change)
        }
        return Response(status: .noContent)
    }

    @Sendable func restore(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let key = try context.parameter("key")
        let change = try request.changeInfo(context)
        let (written, _) = try await services.write("restore_flag") { try await services.store.restoreFlag(key, change: change) }
        // A deleted flag comes back: whatever it uses counts as new.
        let record = await services.withAttributeWarnings(written.value, before: nil)
        return JSONResponse.encode(record, status: .created, headers: .etag(revision: written.value.revision))
    }

    private func setArchived(_ request: Request, _ context: ClutchRequestContext, _ archived: Bool) async throws -> Response {
        let key = try context.parameter("key")
        let change = try request.changeInfo(context)
        let (written, _) = try await services.write(archived ? "archive_flag" : "unarchive_flag") {
            try await services.store.setArchived(flag: key, archived: archived, change: change)
        }
        return JSONResponse.encode(written.value, headers: .etag(revision: written.value.revision))
    }

    @Sendable func updateState(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        var request = request
        let key = try context.parameter("key")
        let environment = try context.parameter("env")
        let change = try request.changeInfo(context)
        let revision = try request.ifMatchRevision()
        let state = try await request.decodeJSON(FlagState.self)
        let before = await services.flagBeforeChange(key)
        let (written, _) = try await services.write("update_state") {
            try await services.store.updateState(
                flag: key, environment: environment, state: state, ifRevision: revision, change: change)
        }
        let record = await services.withAttributeWarnings(written.value, before: before, environments: [environment])
        return JSONResponse.encode(record, headers: .etag(revision: written.value.revision))
    }

    private func setEnabled(_ request: Request, _ context: ClutchRequestContext, _ enabled: Bool) async throws -> Response {
        let key = try context.parameter("key")
        let environment = try context.parameter("env")
        let change = try request.changeInfo(context)
        let revision = try request.ifMatchRevision()
        // Turning on activates the rules the state has: ``AttributeWarnings`` says which names count
        // (none when turning off).
        let before = enabled ? await services.flagBeforeChange(key) : nil
        let (written, _) = try await services.write(enabled ? "flag_on" : "flag_off") {
            try await services.store.setEnabled(
                flag: key, environment: environment, enabled: enabled, ifRevision: revision, change: change)
        }
        var record = written.value
        if enabled { record = await services.withAttributeWarnings(record, before: before, environments: [environment]) }
        return JSONResponse.encode(record, headers: .etag(revision: written.value.revision))
    }

    @Sendable func kill(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        var request = request
        let key = try context.parameter("key")
        let change = try request.changeInfo(context)
        let data = try await request.collectBodyData()
        let body = data.isEmpty ? KillRequest(environments: nil) : try JSONInput.decode(KillRequest.self, from: data)
        let (written, notified) = try await services.write("kill") {
            try await services.store.kill(flag: key, environments: body.environments, change: change)
        }
        let result = KillResult(flag: written.value, environments: written.versions.keys.sorted(), notifiedStreams: notified)
        return JSONResponse.encode(result, headers: .etag(revision: written.value.revision))
    }

    /// `?environment=E&window=day|week`: the flag's evaluations in `E` per variant over the last
    /// day (24 hourly points, the default) or week (7 daily points, UTC), and when each variant was
    /// last evaluated (``UsageSeries``). What this server counted and has not written yet is written first.
    @Sendable func usage(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let key = try context.parameter("key")
        guard let environment = request.query("environment") else {
            throw APIError.badRequest("query parameter 'environment' is required", field: "environment")
        }
        let raw = request.query("window") ?? UsageWindow.day.rawValue
        guard let window = UsageWindow(rawValue: raw) else {
            throw APIError.badRequest("query parameter 'window' must be one of \(UsageWindow.names), got '\(raw)'", field: "window")
        }
        await services.usage.flush()
        return JSONResponse.encode(
            try await services.store.usageSeries(flag: key, environment: environment, window: window, now: services.clock.now()))
    }

    @Sendable func stale(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let days = try request.intQuery("days", in: 0...36500) ?? 30
        let flags = try await services.store.staleFlags(unusedForDays: Int(days), now: services.clock.now())
        return JSONResponse.encode(StaleFlagList(flags: flags))
    }
}
