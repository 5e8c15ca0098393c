import ClutchCore
import ClutchStore
import Foundation
import Hummingbird

/// `/api/v1/webhooks`: where events are sent, and what happened to each delivery.
struct WebhooksController {
    let services: ServerServices

    var routes: RouteCollection<ClutchRequestContext> {
        let routes = RouteCollection(context: ClutchRequestContext.self)
        routes.post("webhooks", use: create)
        routes.get("webhooks", use: list)
        routes.delete("webhooks/:webhookId", use: delete)
        routes.get("webhooks/:webhookId/deliveries", use: deliveries)
        return routes
    }

    @Sendable func create(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        var request = request
        let change = try request.changeInfo(context)
        let body = try await request.decodeJSON(WebhookCreate.self)
        // An address in the URL is refused now; a host name is checked at each attempt, as it resolves then.
        if let refusal = services.configuration.webhooks.targets.checkLiteralHost(of: body.url) {
            throw StoreError(.invalid(ValidationError(path: "url", refusal)), refusal, field: "url")
        }
        let record = try await services.metrics.timeWrite("create_webhook") {
            try await services.store.createWebhook(
                body, change: change,
                now: services.clock.now())
        }
        return JSONResponse.encode(record, status: .created)
    }

    @Sendable func list(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        JSONResponse.encode(WebhookList(webhooks: try await services.store.webhooks()))
    }

    @Sendable func delete(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let change = try request.changeInfo(context)
        try await services.metrics.timeWrite("delete_webhook") {
            try await services.store.deleteWebhook(try context.parameter("webhookId"), change: change, now: services.clock.now())
        }
        return Response(status: .noContent)
    }

    @Sendable func deliveries(_ request: Request, context: ClutchRequestContext) async throws -> Response {
        let limit = try request.intQuery("limit", in: 1...500) ?? 50
        let deliveries = try await services.store.deliveries(webhook: try context.parameter("webhookId"), limit: Int(limit))
        return JSONResponse.encode(WebhookDeliveryList(deliveries: deliveries))
    }
}
