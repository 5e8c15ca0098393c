import ClutchAPI
import ClutchCore
import ClutchInterop
import Foundation
import Hummingbird
import Synchronization

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
        try await SDKController.document(request, context: context, services: services) { live in
            services.flagdDocuments.document(for: live).text
        }
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
        let document = services.flagdDocuments.document(for: live)
        if strict, !document.unexpressed.isEmpty {
            let list = document.unexpressed.map(\.description).joined(separator: "; ")
            throw APIError.validationFailed(
                "flagd cannot express \(document.unexpressed.count) construct(s) of \(environment): \(list)",
                field: document.unexpressed.first?.path)
        }
        // Written by hand around the document's own text, so that its numbers keep their form (`2.0`).
        let unexpressed = String(decoding: try ClutchJSON.encode(document.unexpressed), as: UTF8.self)
        var text = #"{"document":"#
        text += String(buffer: document.text)
        text += #","environment":"#
        Value.string(environment).write(to: &text)
        text += #","unexpressed":\#(unexpressed)}"#
        return JSONResponse.raw(text)
    }
}

/// The flagd document of each environment's live version, kept until the next version: a flagd
/// following Clutch fetches it every few seconds, and it changes only when the environment does.
final class FlagdDocuments: Sendable {
    struct Document: Sendable {
        let version: Int64
        /// The document as sorted-key JSON.
        let text: ByteBuffer
        let unexpressed: [ConversionIssue]
    }

    private let documents = Mutex<[String: Document]>([:])

    func document(for live: LiveEnvironment) -> Document {
        let environment = live.snapshot.environment
        if let cached = documents.withLock({ $0[environment] }), cached.version == live.version { return cached }
        let made = FlagdExport.document(live.snapshot)
        let document = Document(version: live.version, text: ByteBuffer(string: made.json.jsonText), unexpressed: made.unexpressed)
        documents.withLock { documents in
            // A slower request may bring an older version: keep the newest.
            if (documents[environment]?.version ?? .min) < document.version { documents[environment] = document }
        }
        return document
    }
}
