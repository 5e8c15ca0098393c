import ClutchAPI
import ClutchCore
import ClutchInterop
import ClutchProtocol
import Foundation
import Hummingbird

/// flagd's flag-definition document of an environment (``FlagdExport``): for flagd's HTTP sync
/// and in-process providers at `GET /flagd/v1/flags.json` (SDK key), and for admins at
/// `GET /api/v1/export/flagd`, which also lists what flagd cannot express.
struct FlagdController {
    let services: ServerServices

    /// Under `/flagd/v1`, with an SDK key: the key's environment.
    var routes: RouteCollection<ClutchRequestContext> {
        let routes = RouteCollection(context: ClutchRequestContext.self)
        routes.get("flags.json", use: flags)
        return routes
    }

    /// Under `/api/v1`, with an admin token.
    var adminRoutes: RouteCollection<ClutchRequestContext> {
        let routes = RouteCollection(context: ClutchRequestContext.self)
        routes.get("export/flagd", use: export)
        return routes
    }

    /// The document from the live engine's snapshot, so its `ETag` is the environment's version
    /// (`"production-42"`) and a follower that has it gets 304.
    @Sendable func flags(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let (keyID, environment) = try context.sdkKey()
        guard let live = services.registry.live(environment) else {
            throw APIError.notFound("environment '\(environment)' not found")
        }
        await services.usage.served(keyID)
        var headers: HTTPFields = [.eTag: live.etag]
        if let ifNoneMatch = request.headers[.ifNoneMatch], EntityTag.matches(ifNoneMatch, live.etag) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.cacheControl] = "no-cache"
        return JSONResponse.raw(FlagdExport.document(live.snapshot).json.jsonText, headers: headers)
    }

    /// `?environment=` (required); `strict=true` refuses (400, naming every construct) instead of
    /// leaving flags out.
    @Sendable func export(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        guard let environment = request.query("environment"), !environment.isEmpty else {
            throw APIError.badRequest("environment is required: a flagd document holds one environment's flags", field: "environment")
        }
        let strict = try request.boolQuery("strict")
        guard let live = services.registry.live(environment) else {
            throw APIError.notFound("environment '\(environment)' does not exist", field: "environment")
        }
        let document = FlagdExport.document(live.snapshot)
        if strict, !document.unexpressed.isEmpty {
            let list = document.unexpressed.map(\.description).joined(separator: "; ")
            throw APIError.validationFailed(
                "flagd cannot express \(document.unexpressed.count) construct(s) of \(environment): \(list)",
                field: document.unexpressed.first?.path)
        }
        // Written by hand around the document's own text, so that its numbers keep their form (`2.0`).
        let unexpressed = String(decoding: try ClutchJSON.encode(document.unexpressed), as: UTF8.self)
        var text = #"{"document":"#
        document.json.write(to: &text)
        text += #","environment":"#
        Value.string(environment).write(to: &text)
        text += #","unexpressed":\#(unexpressed)}"#
        return JSONResponse.raw(text)
    }
}
