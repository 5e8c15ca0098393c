import ClutchCore
import Foundation
import PostgresNIO

/// The webhook outbox in PostgreSQL, as ``Tables/recordEvent(_:type:data:at:)`` keeps it in SQLite.
extension PostgresTables {
    /// Queues an event of `type` for every webhook subscribed to it, in the caller's transaction;
    /// the replicas' dispatchers are woken once it commits. Returns the event's id, or `nil` when
    /// no webhook wants this type (nothing is written).
    @discardableResult
    static func recordEvent(_ session: PostgresSession, type: WebhookEventType, data: some Encodable, at now: Date = Date()) async throws -> String? {
        let webhooks = try await session.rows("SELECT id, events FROM webhook ORDER BY id").map { row in
            (id: try row.get("id", as: String.self), events: try row.get("events", as: String.self))
        }
        let subscribers = try WebhookOutbox.subscribers(webhooks, to: type)
        guard !subscribers.isEmpty else { return nil }
        let (id, body) = try WebhookOutbox.event(type: type, data: data, at: now)
        try await session.execute("INSERT INTO webhook_event (id, type, body, created_at) VALUES (\(id), \(type.rawValue), \(body), \(now))")
        for webhook in subscribers {
            try await session.execute(
                """
                INSERT INTO webhook_delivery (webhook, event, status, attempts, next_attempt_at, created_at)
                VALUES (\(webhook), \(id), 'pending', 0, \(now), \(now))
                """)
        }
        try await session.queued(.deliveries)
        return id
    }

    /// Seals every webhook secret still in plain text, as ``Tables/sealPlainSecrets(_:with:)``
    /// does in SQLite; answers how many. Replicas starting together may both seal a row: each
    /// update applies only to a row still in plain text, so it is sealed once.
    static func sealPlainSecrets(_ session: PostgresSession, with key: WebhookSecretKey) async throws -> Int {
        let plain = try await session.rows("SELECT id, secret FROM webhook WHERE secret_key IS NULL")
        for row in plain {
            let id: String = try row.get("id")
            let sealed = try key.seal(try row.get("secret", as: String.self), webhook: id)
            try await session.execute("UPDATE webhook SET secret = \(sealed), secret_key = \(key.id) WHERE id = \(id) AND secret_key IS NULL")
        }
        return plain.count
    }
}
