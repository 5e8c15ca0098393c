import ClutchCore
import Foundation

/// What both stores' outboxes decide alike: who receives an event, what its body is, and how
/// long a claimed delivery is leased.
enum WebhookOutbox {
    /// The event envelope every delivery carries: `{"id", "type", "createdAt", "data"}`.
    struct EventEnvelope<Data: Encodable>: Encodable {
        var id: String
        var type: String
        var createdAt: String
        var data: Data
    }

    /// The ids of the webhooks (id, their event types as stored JSON) subscribed to `type`.
    static func subscribers(_ webhooks: [(id: String, events: String)], to type: WebhookEventType) throws -> [String] {
        try webhooks.compactMap { webhook in
            try Tables.decode([WebhookEventType].self, webhook.events).contains(type) ? webhook.id : nil
        }
    }

    /// A new event's id (`evt_` + random) and its body: JSON with sorted keys, byte for byte what
    /// every attempt of every delivery sends.
    static func event(type: WebhookEventType, data: some Encodable, at now: Date) throws -> (id: String, body: String) {
        let id = "evt_" + Secrets.randomHex(bytes: 12)
        return (id, try Tables.json(EventEnvelope(id: id, type: type.rawValue, createdAt: Timestamp.format(now), data: data)))
    }

    /// When a lease of `lease` taken at `now` ends.
    static func leaseEnd(_ now: Date, _ lease: Duration) -> Date {
        now.addingTimeInterval(Double(lease.components.seconds) + Double(lease.components.attoseconds) / 1e18)
    }

    /// The duration in whole milliseconds, as attempts record it.
    static func milliseconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
    }
}
