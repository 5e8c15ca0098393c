import ClutchCore
import Foundation
import PostgresNIO

/// Webhooks and their outbox, as ``FlagStore`` keeps them (FlagStore+Webhooks.swift), checked by
/// the same ``WebhookRules``. A delivery is sent by the replica that leased it
/// (``claimDelivery(_:now:lease:)``): the lease is taken on a row locked with
/// `FOR UPDATE SKIP LOCKED`, so replicas racing for it never both get it, and never wait on each other.
extension PostgresStore {
    public func createWebhook(_ request: WebhookRequest, change: ChangeInfo, now: Date) async throws -> WebhookRecord {
        try WebhookRules.checkURL(request.url)
        let events = try WebhookRules.events(request.events)
        try WebhookRules.checkSecret(request.secret)
        let id = "wh_" + FlagStore.randomHex(bytes: 8)
        let key = try secretKey()
        let sealed = try key.seal(request.secret, webhook: id)
        let record = try await write { session -> WebhookRecord in
            try await session.execute(
                """
                INSERT INTO webhook (id, url, events, secret, secret_key, secret_hint, description, created_at, created_by)
                VALUES (\(id), \(request.url), \(try Tables.json(events.map(\.rawValue))), \(sealed), \(key.id),
                        \(WebhookRules.hint(request.secret)), \(request.description), \(now), \(change.actor))
                """)
            try await PostgresTables.audit(session, at: now, change: change, action: "create", entity: "webhook", key: id, environment: nil, revision: nil)
            return try await Self.requireWebhook(session, id)
        }
        logger.info("webhook created", metadata: ["webhook": "\(id)", "url": "\(WebhookURL.redacted(request.url))", "actor": "\(change.actor)"])
        return record
    }

    public func webhooks() async throws -> [WebhookRecord] {
        try await read { session in
            try await session.rows(PostgresQuery(unsafeSQL: "\(Tables.webhookSelect) ORDER BY w.created_at, w.id")).map(Self.webhook)
        }
    }

    public func deleteWebhook(_ id: String, change: ChangeInfo, now: Date) async throws {
        try await write { session in
            _ = try await Self.requireWebhook(session, id)
            try await session.execute("DELETE FROM webhook WHERE id = \(id)")
            try await PostgresTables.audit(session, at: now, change: change, action: "delete", entity: "webhook", key: id, environment: nil, revision: nil)
        }
        logger.info("webhook deleted", metadata: ["webhook": "\(id)", "actor": "\(change.actor)"])
    }

    public func deliveries(webhook id: String, limit: Int) async throws -> [WebhookDelivery] {
        try await read { session in
            _ = try await Self.requireWebhook(session, id)
            let rows = try await session.rows(
                """
                SELECT d.*, e.type FROM webhook_delivery d JOIN webhook_event e ON e.id = d.event
                WHERE d.webhook = \(id) ORDER BY d.id DESC LIMIT \(limit)
                """)
            var deliveries: [WebhookDelivery] = []
            for row in rows {
                let delivery: Int64 = try row.get("id")
                let status = WebhookDelivery.Status(rawValue: try row.get("status", as: String.self)) ?? .failed
                let attempts = try await session.rows("SELECT * FROM webhook_attempt WHERE delivery = \(delivery) ORDER BY id").map { attempt in
                    WebhookDelivery.Attempt(
                        at: try attempt.get("at"), statusCode: try attempt.get("status_code", as: Int32?.self).map(Int.init),
                        error: try attempt.get("error"), durationMs: Int(try attempt.get("duration_ms", as: Int64.self)))
                }
                deliveries.append(WebhookDelivery(
                    id: delivery, eventId: try row.get("event"), type: try row.get("type"), status: status,
                    createdAt: try row.get("created_at"), nextAttemptAt: status == .pending ? try row.get("next_attempt_at") : nil,
                    finishedAt: try row.get("finished_at"), attempts: attempts))
            }
            return deliveries
        }
    }

    // MARK: Dispatching

    public func dueDeliveries(now: Date, limit: Int, excluding: Set<Int64>) async throws -> [PendingDelivery] {
        let key = try secretKey()
        return try await read { session in
            try await session.rows(
                """
                \(unescaped: Tables.pendingDeliverySelect)
                WHERE d.status = 'pending' AND d.next_attempt_at <= \(now) AND (d.claimed_until IS NULL OR d.claimed_until <= \(now))
                ORDER BY d.next_attempt_at, d.id LIMIT \(limit + excluding.count)
                """
            ).filter { !excluding.contains((try? $0.get("id", as: Int64.self)) ?? -1) }.prefix(limit).map {
                try Self.pendingDelivery($0, secretKey: key)
            }
        }
    }

    public func claimDelivery(_ id: Int64, now: Date, lease: Duration) async throws -> PendingDelivery? {
        let until = WebhookOutbox.leaseEnd(now, lease)
        let claimer = self.claimer
        let key = try secretKey()
        // Not under the write lock: a lease is no change to a flag, and the row lock decides.
        return try await unlocked { session -> PendingDelivery? in
            guard try await session.row(
                """
                UPDATE webhook_delivery SET claimed_by = \(claimer), claimed_until = \(until)
                WHERE id = (
                    SELECT id FROM webhook_delivery
                    WHERE id = \(id) AND status = 'pending' AND next_attempt_at <= \(now)
                      AND (claimed_until IS NULL OR claimed_until <= \(now))
                    FOR UPDATE SKIP LOCKED)
                RETURNING id
                """) != nil
            else { return nil }
            return try await session.row("\(unescaped: Tables.pendingDeliverySelect) WHERE d.id = \(id)").map {
                try Self.pendingDelivery($0, secretKey: key)
            }
        }
    }

    public func renewDeliveryClaim(_ id: Int64, now: Date, lease: Duration) async throws -> Bool {
        let until = WebhookOutbox.leaseEnd(now, lease)
        let claimer = self.claimer
        return try await unlocked { session -> Bool in
            try await session.row(
                """
                UPDATE webhook_delivery SET claimed_until = \(until)
                WHERE id = \(id) AND status = 'pending' AND claimed_by = \(claimer) RETURNING id
                """) != nil
        }
    }

    public func releaseDeliveryClaims() async throws {
        let claimer = self.claimer
        try await unlocked { session in
            try await session.execute("UPDATE webhook_delivery SET claimed_by = NULL, claimed_until = NULL WHERE claimed_by = \(claimer)")
        }
    }

    public func nextDeliveryDue(excluding: Set<Int64>) async throws -> Date? {
        try await read { session in
            let rows = try await session.rows(
                """
                SELECT id, GREATEST(next_attempt_at, COALESCE(claimed_until, next_attempt_at)) AS due FROM webhook_delivery
                WHERE status = 'pending' ORDER BY due LIMIT \(excluding.count + 1)
                """)
            return try rows.first { !excluding.contains((try? $0.get("id", as: Int64.self)) ?? -1) }.map { try $0.get("due", as: Date.self) }
        }
    }

    public func recordAttempt(
        delivery id: Int64, at: Date, statusCode: Int?, error: String?, duration: Duration, result: DeliveryResult
    ) async throws {
        let claimer = self.claimer
        try await unlocked { session in
            try await session.execute(
                """
                INSERT INTO webhook_attempt (delivery, at, status_code, error, duration_ms)
                VALUES (\(id), \(at), \(statusCode.map(Int32.init(clamping:))), \(error.map { String($0.prefix(500)) }),
                        \(Int64(WebhookOutbox.milliseconds(duration))))
                """)
            switch result {
            case .delivered:
                try await session.execute(
                    "UPDATE webhook_delivery SET status = 'delivered', attempts = attempts + 1, finished_at = \(at) WHERE id = \(id)")
            case .retry(let next):
                try await session.execute("UPDATE webhook_delivery SET attempts = attempts + 1, next_attempt_at = \(next) WHERE id = \(id)")
            case .failed:
                try await session.execute(
                    "UPDATE webhook_delivery SET status = 'failed', attempts = attempts + 1, finished_at = \(at) WHERE id = \(id)")
            }
            try await session.execute(
                "UPDATE webhook_delivery SET claimed_by = NULL, claimed_until = NULL WHERE id = \(id) AND claimed_by = \(claimer)")
        }
    }

    public func pruneDeliveries(finishedBefore date: Date) async throws {
        try await unlocked { session in
            try await session.execute("DELETE FROM webhook_delivery WHERE status != 'pending' AND finished_at < \(date)")
            try await session.execute(
                "DELETE FROM webhook_event WHERE NOT EXISTS (SELECT 1 FROM webhook_delivery WHERE event = webhook_event.id)")
        }
    }

    public func onDeliveryQueued(_ action: @escaping @Sendable () -> Void) {
        wakeups.add(.deliveries, action)
    }

    // MARK: Rows (the queries are SQLite's: `Tables.webhookSelect`, `Tables.pendingDeliverySelect`)

    static func webhook(_ row: PostgresRandomAccessRow) throws -> WebhookRecord {
        WebhookRecord(
            id: try row.get("id"), url: WebhookURL.redacted(try row.get("url")), events: try Tables.decode([WebhookEventType].self, try row.get("events")),
            secretHint: try row.get("secret_hint"), description: try row.get("description"), createdAt: try row.get("created_at"),
            createdBy: try row.get("created_by"), pendingDeliveries: Int(try row.get("pending", as: Int64.self)))
    }

    static func requireWebhook(_ session: PostgresSession, _ id: String) async throws -> WebhookRecord {
        guard let row = try await session.row("\(unescaped: Tables.webhookSelect) WHERE w.id = \(id)") else {
            throw StoreError.notFound("webhook '\(id)' does not exist")
        }
        return try webhook(row)
    }

    static func pendingDelivery(_ row: PostgresRandomAccessRow, secretKey: WebhookSecretKey) throws -> PendingDelivery {
        let webhook: String = try row.get("webhook")
        return PendingDelivery(
            id: try row.get("id"), webhook: webhook, url: try row.get("url"),
            secret: try secretKey.secret(stored: try row.get("secret"), sealedWith: try row.get("secret_key"), webhook: webhook),
            eventId: try row.get("event"), type: try row.get("type"), body: try row.get("body"),
            attempts: Int(try row.get("attempts", as: Int32.self)), createdAt: try row.get("created_at"))
    }
}
