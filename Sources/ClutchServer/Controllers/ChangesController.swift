import ClutchCore
import ClutchStore
import Foundation
import Hummingbird

/// `POST /api/v1/flags/{key}/environments/{env}/changes`: a change as a list of instructions,
/// applied by the store in one transaction against the flag as it is then. Every client that
/// edits a flag (CLI, console, schedules, guards) sends its edit this way.
struct ChangesController {
    let services: ServerServices

    var routes: RouteCollection<ClutchRequestContext> {
        let routes = RouteCollection(context: ClutchRequestContext.self)
        routes.post("flags/:key/environments/:env/changes", use: apply)
        return routes
    }

    @Sendable func apply(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        var request = request
        let key = try context.parameter("key")
        let environment = try context.parameter("env")
        var change = try request.changeInfo(context)
        let revision = try request.ifMatchRevision()
        let dryRun = try request.boolQuery("dryRun")
        let body = try await request.decodeJSON(FlagChanges.self)
        try context.authorize(.applying(body.instructions, in: environment))
        if let message = body.message, !message.isEmpty { change.message = message }
        let before = await services.flagBeforeChange(key)
        let (written, _) = try await services.write(dryRun ? "changes_dry_run" : "changes") {
            try await services.store.apply(
                body.instructions, flag: key, environment: environment, ifRevision: revision, dryRun: dryRun, change: change)
        }
        let result = written.value
        // A preview warns as the change would.
        let record = await services.withAttributeWarnings(result.record, before: before, environments: [environment])
        if dryRun {
            // The revision the preview was made on: sent back as If-Match, it applies exactly
            // what was shown or nothing.
            return JSONResponse.encode(ChangesDryRun(record: record, diff: result.diff), headers: .etag(revision: result.record.revision))
        }
        return JSONResponse.encode(record, headers: .etag(revision: result.record.revision))
    }
}
