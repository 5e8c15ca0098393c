import ClutchCore
import ClutchStore
import Foundation
import Hummingbird

/// `/api/v1/code-refs`: scans uploaded by `clutch refs scan --upload`, one per repository and
/// branch, and where each flag is referenced (`/api/v1/flags/{key}/code-refs`).
struct CodeReferencesController {
    let services: ServerServices

    var routes: RouteCollection<ClutchRequestContext> {
        let routes = RouteCollection(context: ClutchRequestContext.self)
        routes.post("code-refs", use: upload)
        routes.get("code-refs", use: scans)
        routes.get("flags/:key/code-refs", use: flag)
        return routes
    }

    /// Replaces the branch's scan. A monorepo's scan can pass 1 MiB: it may be as large as an import.
    @Sendable func upload(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        var request = request
        let data = try await request.collectBodyData(limit: services.configuration.limits.maxImportBytes)
        let upload = try JSONInput.decode(CodeScanUpload.self, from: data)
        let result = try await services.metrics.timeWrite("upload_code_refs") { try await services.store.replaceCodeReferences(upload) }
        return JSONResponse.encode(result)
    }

    @Sendable func scans(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        JSONResponse.encode(CodeScanList(scans: try await services.store.codeScans()))
    }

    @Sendable func flag(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        JSONResponse.encode(try await services.store.codeReferences(flag: try context.parameter("key")))
    }
}
