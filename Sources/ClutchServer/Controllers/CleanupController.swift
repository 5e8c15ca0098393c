import ClutchStore
import Foundation
import Hummingbird

/// `/api/v1/cleanup`: the flags whose checks can leave the code, with the next step for each.
struct CleanupController {
    let services: ServerServices

    var routes: RouteCollection<ClutchRequestContext> {
        let routes = RouteCollection(context: ClutchRequestContext.self)
        routes.get("cleanup", use: report)
        return routes
    }

    @Sendable func report(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        JSONResponse.encode(try await services.store.cleanupReport(environment: request.query("env")))
    }
}
