import ClutchCore
import Foundation

/// Webhooks and their outbox. A delivery is sent by the store instance that leased it
/// (``claimDelivery(_:now:lease:)``): on PostgreSQL the lease is taken on a row locked with
/// `FOR UPDATE SKIP LOCKED`, so replicas racing for it never both get it and never wait on each
/// other; SQLite has one writer.
extension SQLStore {
    /// Adds a webhook. The URL must be absolute http or https; `events` (every type when `nil`)
    /// must name known types; the secret (16 to 256 characters) is kept to sign deliveries and
    /// never returned again.
    public func createWebhook(_ request: WebhookRequest, change: ChangeInfo, now: Date = Date()) async throws -> WebhookRecord {
        try WebhookRules.checkURL(request.url)
        let events = try WebhookRules.events(request.events)
        try WebhookRules.checkSecret(request.secret)
        let id = "wh_" + Secrets.randomHex(bytes: 8)
        let key = try webhookSecretKey()
        let sealed = try key.seal(request.secret, webhook: id)
        let record = try await write { session -> WebhookRecord in
            try await session.execute(
                """
                INSERT INTO webhook (id, url, events, secret, secret_key, secret_hint, description, created_at, created_by)
                VALUES (\(id), \(request.url), \(try Tables.json(events.map(\.rawValue))), \(sealed), \(key.id),
                        \(WebhookRules.hint(request.secret)), \(request.description), \(now), \(change.actor))
                """)
            try await Rows.audit(session, at: now, change: change, action: "create", entity: "webhook", key: id, environment: nil, revision: nil)
            return try await Rows.requireWebhook(session, id)
        }
        logger.info("webhook created", metadata: ["webhook": "\(id)", "url": "\(WebhookURL.redacted(request.url))", "actor": "\(change.actor)"])
        return record
    }

    /// Every webhook, oldest first.
    public func webhooks() async throws -> [WebhookRecord] {
        try await read { session in
            try await session.rows("\(Rows.webhookSelect) ORDER BY w.created_at, w.id\(raw: session.dialect.byteOrder)").map(Rows.webhook)
        }
    }

    /// Deletes a webhook with its deliveries (pending ones are dropped).
    public func deleteWebhook(_ id: String, change: ChangeInfo, now: Date = Date()) async throws {
        try await write { session in
            _ = try await Rows.requireWebhook(session, id)
            try await session.execute("DELETE FROM webhook WHERE id = \(id)")
            try await Rows.audit(session, at: now, change: change, action: "delete", entity: "webhook", key: id, environment: nil, revision: nil)
        }
        logger.info("webhook deleted", metadata: ["webhook": "\(id)", "actor": "\(change.actor)"])
    }

    /// The webhook's latest deliveries, newest first, each with its attempts.
    public func deliveries(webhook id: String, limit: Int = 50) async throws -> [WebhookDelivery] {
        try await read { session in
            _ = try await Rows.requireWebhook(session, id)
            let rows = try await session.rows(
                """
                SELECT d.*, e.type FROM webhook_delivery d JOIN webhook_event e ON e.id = d.event
                WHERE d.webhook = \(id) ORDER BY d.id DESC LIMIT \(limit)
                """)
            var deliveries: [WebhookDelivery] = []
            for row in rows {
                let delivery: Int64 = try row.get("id")
                let status = WebhookDelivery.Status(rawValue: try row.get("status", as: String.self)) ?? .failed
                deliveries.append(WebhookDelivery(
                    id: delivery, eventId: try row.get("event"), type: try row.get("type"), status: status,
                    createdAt: try row.get("created_at"), nextAttemptAt: status == .pending ? try row.get("next_attempt_at") : nil,
                    finishedAt: try row.get("finished_at"), attempts: try await Rows.attempts(session, delivery: delivery)))
            }
            return deliveries
        }
    }

    // MARK: Dispatching

    /// Pending deliveries due at `now` and not leased, oldest first, except those in `excluding`.
    public func dueDeliveries(now: Date, limit: Int, excluding: Set<Int64> = []) async throws -> [PendingDelivery] {
        let key = try webhookSecretKey()
        return try await read { session in
            try await session.rows(
                """
                \(Rows.pendingDeliverySelect)
                WHERE d.status = 'pending' AND d.next_attempt_at <= \(now) AND (d.claimed_until IS NULL OR d.claimed_until <= \(now))
                ORDER BY d.next_attempt_at, d.id LIMIT \(limit + excluding.count)
                """
            ).filter { !excluding.contains((try? $0.get("id", as: Int64.self)) ?? -1) }.prefix(limit).map {
                try Rows.pendingDelivery($0, secretKey: key)
            }
        }
    }

    /// Claims delivery `id` for this store until `now + lease` (see ``WebhookStoring/claimDelivery(_:now:lease:)``).
    public func claimDelivery(_ id: Int64, now: Date, lease: Duration) async throws -> PendingDelivery? {
        let until = WebhookOutbox.leaseEnd(now, lease)
        let claimer = self.claimer
        let key = try webhookSecretKey()
        // Not under the write lock: a lease is no change to a flag, and the row lock decides.
        return try await unlocked { session -> PendingDelivery? in
            let claimed = try await session.execute(
                """
                UPDATE webhook_delivery SET claimed_by = \(claimer), claimed_until = \(until)
                WHERE id = (
                    SELECT id FROM webhook_delivery
                    WHERE id = \(id) AND status = 'pending' AND next_attempt_at <= \(now)
                      AND (claimed_until IS NULL OR claimed_until <= \(now))\(raw: session.dialect.forUpdateSkipLocked))
                """)
            guard claimed == 1 else { return nil }
            return try await session.row("\(Rows.pendingDeliverySelect) WHERE d.id = \(id)").map {
                try Rows.pendingDelivery($0, secretKey: key)
            }
        }
    }

    /// Extends this store's lease on delivery `id` (see ``WebhookStoring/renewDeliveryClaim(_:now:lease:)``).
    public func renewDeliveryClaim(_ id: Int64, now: Date, lease: Duration) async throws -> Bool {
        let until = WebhookOutbox.leaseEnd(now, lease)
        let claimer = self.claimer
        return try await unlocked { session in
            try await session.execute(
                "UPDATE webhook_delivery SET claimed_until = \(until) WHERE id = \(id) AND status = 'pending' AND claimed_by = \(claimer)"
            ) == 1
        }
    }

    /// Ends every lease this store holds (see ``WebhookStoring/releaseDeliveryClaims()``).
    public func releaseDeliveryClaims() async throws {
        let claimer = self.claimer
        try await unlocked { session -> Void in
            try await session.execute("UPDATE webhook_delivery SET claimed_by = NULL, claimed_until = NULL WHERE claimed_by = \(claimer)")
        }
    }

    /// When the next pending delivery not in `excluding` is due (a leased one: when its lease ends).
    public func nextDeliveryDue(excluding: Set<Int64> = []) async throws -> Date? {
        try await read { session in
            let rows = try await session.rows(
                """
                SELECT id, CASE WHEN claimed_until > next_attempt_at THEN claimed_until ELSE next_attempt_at END AS due
                FROM webhook_delivery WHERE status = 'pending' ORDER BY due LIMIT \(excluding.count + 1)
                """)
            return try rows.first { !excluding.contains((try? $0.get("id", as: Int64.self)) ?? -1) }.map { try $0.get("due", as: Date.self) }
        }
    }

    /// Records one attempt of delivery `id` and what it decided, and ends this store's lease on it.
    public func recordAttempt(
        delivery id: Int64, at: Date, statusCode: Int?, error: String?, duration: Duration, result: DeliveryResult
    ) async throws {
        let claimer = self.claimer
        try await unlocked { session in
            try await session.execute(
                """
                INSERT INTO webhook_attempt (delivery, at, status_code, error, duration_ms)
                VALUES (\(id), \(at), \(statusCode), \(error.map { String($0.prefix(500)) }), \(WebhookOutbox.milliseconds(duration)))
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

    /// Deletes finished deliveries older than `date` and events no delivery refers to any more.
    public func pruneDeliveries(finishedBefore date: Date) async throws {
        try await unlocked { session in
            try await session.execute("DELETE FROM webhook_delivery WHERE status != 'pending' AND finished_at < \(date)")
            try await session.execute(
                "DELETE FROM webhook_event WHERE NOT EXISTS (SELECT 1 FROM webhook_delivery WHERE event = webhook_event.id)")
        }
    }

    /// Calls `action` after every commit that queued a webhook delivery (``Rows/recordEvent(_:type:data:at:)``):
    /// in this process, and on PostgreSQL in every replica listening.
    public func onDeliveryQueued(_ action: @escaping @Sendable () -> Void) {
        backend.onQueued(.deliveries, action)
    }
}
