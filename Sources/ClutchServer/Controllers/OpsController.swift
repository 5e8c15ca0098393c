import Hummingbird

/// `/healthz`, `/readyz` and `/openapi.json`: no credential needed (`/metrics` is ``MetricsController``).
struct OpsController {
    let services: ServerServices
    let isReady: @Sendable () -> Bool
    /// After SIGTERM, for the drain period: not ready, so a proxy stops sending requests here.
    let isDraining: @Sendable () -> Bool
    /// On a shared database: whether this replica hears the others' changes.
    let isListening: @Sendable () -> Bool

    var routes: RouteCollection<ClutchRequestContext> {
        let routes = RouteCollection(context: ClutchRequestContext.self)
        routes.get("healthz") { _, _ in JSONResponse.raw(#"{"status":"ok"}"#) }
        routes.get("readyz", use: ready)
        routes.get("openapi.json") { _, _ in JSONResponse.raw(OpenAPIDocument.json) }
        return routes
    }

    @Sendable func ready(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        guard isReady() else {
            return JSONResponse.raw(#"{"status":"starting"}"#, status: .serviceUnavailable)
        }
        guard !isDraining() else {
            return JSONResponse.raw(#"{"status":"draining"}"#, status: .serviceUnavailable)
        }
        guard isListening() else {
            return JSONResponse.raw(#"{"status":"not listening for changes"}"#, status: .serviceUnavailable)
        }
        do {
            let environments = try await services.store.environments()
            let loaded = environments.allSatisfy { services.registry.live($0.key) != nil }
            guard loaded else { return JSONResponse.raw(#"{"status":"loading snapshots"}"#, status: .serviceUnavailable) }
        } catch {
            return JSONResponse.raw(#"{"status":"database unavailable"}"#, status: .serviceUnavailable)
        }
        return JSONResponse.raw(#"{"status":"ready"}"#)
    }
}
