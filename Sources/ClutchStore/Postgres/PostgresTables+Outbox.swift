import ClutchCore
import Foundation
import PostgresNIO

/// Transition: the webhook outbox for the PostgreSQL code not yet written once (``PostgresTables/commitFlag``,
/// the release guard); the shared operations call ``Rows/recordEvent(_:type:data:at:)``.
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
}
