import ClutchCore
import Foundation
import GRDB

/// Transition: the webhook outbox for the SQLite code not yet written once (``Tables/commitFlag``:
/// import and the release guard); the shared operations call ``Rows/recordEvent(_:type:data:at:)``,
/// which also wakes the dispatchers. The event and one delivery per subscribed webhook commit
/// with the change or not at all. Deliveries queued here wake the dispatchers through
/// ``LegacyDeliveryWatcher``; both go with the last caller.
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

/// Transition: calls back after each commit that inserted a webhook delivery through the GRDB
/// code above (``Tables/recordEvent(_:type:data:at:)``), which queues no ``StoreWork``. Every
/// write goes through the store's one writer, so every such commit is seen.
final class LegacyDeliveryWatcher: TransactionObserver, @unchecked Sendable {
    private let action: @Sendable () -> Void
    // Touched only on the writer's queue (GRDB calls observers there).
    private var inserted = false

    init(_ action: @escaping @Sendable () -> Void) {
        self.action = action
    }

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool {
        if case .insert(let table) = eventKind { return table == "webhook_delivery" }
        return false
    }

    func databaseDidChange(with event: DatabaseEvent) {
        inserted = true
        stopObservingDatabaseChangesUntilNextTransaction()
    }

    func databaseDidCommit(_ db: Database) {
        guard inserted else { return }
        inserted = false
        action()
    }

    func databaseDidRollback(_ db: Database) {
        inserted = false
    }
}
