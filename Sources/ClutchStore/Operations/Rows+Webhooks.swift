import ClutchCore
import Foundation

/// Webhooks and their deliveries, row by row (the outbox itself: ``Rows/recordEvent(_:type:data:at:)``).
extension Rows {
    /// A webhook with the number of its pending deliveries; the secret is never read here.
    static let webhookSelect: SQL = """
        SELECT w.id, w.url, w.events, w.secret_hint, w.description, w.created_at, w.created_by,
               (SELECT COUNT(*) FROM webhook_delivery d WHERE d.webhook = w.id AND d.status = 'pending') AS pending
        FROM webhook w
        """

    static func webhook(_ row: SQLRow) throws -> WebhookRecord {
        WebhookRecord(
            id: try row.get("id"), url: WebhookURL.redacted(try row.get("url")),
            events: try Tables.decode([WebhookEventType].self, try row.get("events")), secretHint: try row.get("secret_hint"),
            description: try row.get("description"), createdAt: try row.get("created_at"), createdBy: try row.get("created_by"),
            pendingDeliveries: try row.get("pending"))
    }

    static func requireWebhook(_ session: any SQLSession, _ id: String) async throws -> WebhookRecord {
        guard let row = try await session.row("\(webhookSelect) WHERE w.id = \(id)") else {
            throw StoreError.notFound("webhook '\(id)' does not exist")
        }
        return try webhook(row)
    }

    /// A delivery with what sending it takes: its webhook's URL and sealed secret, its event's body.
    static let pendingDeliverySelect: SQL = """
        SELECT d.id, d.webhook, d.attempts, d.created_at, w.url, w.secret, w.secret_key, e.id AS event, e.type, e.body
        FROM webhook_delivery d JOIN webhook w ON w.id = d.webhook JOIN webhook_event e ON e.id = d.event
        """

    /// A delivery as the dispatcher sends it, its webhook's secret opened with `secretKey`.
    static func pendingDelivery(_ row: SQLRow, secretKey: WebhookSecretKey) throws -> PendingDelivery {
        let webhook: String = try row.get("webhook")
        return PendingDelivery(
            id: try row.get("id"), webhook: webhook, url: try row.get("url"),
            secret: try secretKey.secret(stored: try row.get("secret"), sealedWith: try row.get("secret_key"), webhook: webhook),
            eventId: try row.get("event"), type: try row.get("type"), body: try row.get("body"), attempts: try row.get("attempts"),
            createdAt: try row.get("created_at"))
    }

    /// The delivery's attempts, oldest first.
    static func attempts(_ session: any SQLSession, delivery: Int64) async throws -> [WebhookDelivery.Attempt] {
        try await session.rows("SELECT * FROM webhook_attempt WHERE delivery = \(delivery) ORDER BY id").map { attempt in
            WebhookDelivery.Attempt(
                at: try attempt.get("at"), statusCode: try attempt.get("status_code"), error: try attempt.get("error"),
                durationMs: try attempt.get("duration_ms"))
        }
    }

    /// Seals every webhook secret still in plain text (written before secrets were sealed, or
    /// by a server of an earlier version during an upgrade); answers how many. Each update
    /// applies only to a row still in plain text, so replicas starting together seal it once.
    static func sealPlainSecrets(_ session: any SQLSession, with key: WebhookSecretKey) async throws -> Int {
        let plain = try await session.rows("SELECT id, secret FROM webhook WHERE secret_key IS NULL")
        for row in plain {
            let id: String = try row.get("id")
            let sealed = try key.seal(try row.get("secret", as: String.self), webhook: id)
            try await session.execute("UPDATE webhook SET secret = \(sealed), secret_key = \(key.id) WHERE id = \(id) AND secret_key IS NULL")
        }
        return plain.count
    }
}
