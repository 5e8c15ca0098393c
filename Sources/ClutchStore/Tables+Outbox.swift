import ClutchCore
import Foundation
import GRDB

/// The webhook outbox. Whatever changes something webhooks report calls ``recordEvent(_:type:data:at:)``
/// inside its own transaction: the event and one delivery per subscribed webhook commit with
/// the change or not at all, so a crash or restart between the change and the sending loses
/// nothing. The server's dispatcher sends what is pending.
extension Tables {
    /// Queues an event of `type` with `data` (any Encodable, written as JSON with sorted keys)
    /// for every webhook subscribed to `type`, in the caller's transaction. Returns the event's
    /// id, or `nil` when no webhook wants this type (nothing is written).
    ///
    /// This is the one function to call for every event: `flag.changed` from ``commitFlag``,
    /// `schedule.failed` from the scheduler, `release.step` and `release.rolled_back` from the
    /// release guard, each in the same transaction as the change it reports.
    @discardableResult
    static func recordEvent(_ db: Database, type: WebhookEventType, data: some Encodable, at now: Date = Date()) throws -> String? {
        let webhooks = try Row.fetchAll(db, sql: "SELECT id, events FROM webhook ORDER BY id").map { row in
            (id: try row.decode(String.self, forColumn: "id"), events: try row.decode(String.self, forColumn: "events"))
        }
        let subscribers = try WebhookOutbox.subscribers(webhooks, to: type)
        guard !subscribers.isEmpty else { return nil }
        let (id, body) = try WebhookOutbox.event(type: type, data: data, at: now)
        try db.execute(
            sql: "INSERT INTO webhook_event (id, type, body, created_at) VALUES (?, ?, ?, ?)", arguments: [id, type.rawValue, body, now])
        let insert = try db.makeStatement(sql: """
            INSERT INTO webhook_delivery (webhook, event, status, attempts, next_attempt_at, created_at)
            VALUES (?, ?, 'pending', 0, ?, ?)
            """)
        for webhook in subscribers {
            try insert.execute(arguments: [webhook, id, now, now])
        }
        return id
    }

    /// The data of a `flag.changed` event.
    struct FlagChangedData: Encodable {
        var flag: String
        var revision: Int64
        var action: String
        var actor: String
        var message: String?
        var summary: String
        /// The environments whose state changed.
        var environments: [String]
        /// Whether the flag's definition (variants, description, …) changed.
        var definitionChanged: Bool
        var deleted: Bool
    }
}

extension FlagChangePlan {
    /// The data of the `flag.changed` event this change queues as revision `revision`.
    func changedEvent(key: String, revision: Int64, action: String, change: ChangeInfo) -> Tables.FlagChangedData {
        Tables.FlagChangedData(
            flag: key, revision: revision, action: action, actor: change.actor, message: change.message, summary: summary,
            environments: changedEnvironments, definitionChanged: definitionChanged, deleted: new == nil)
    }
}
