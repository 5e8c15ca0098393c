import ClutchCore
import Foundation
import GRDB

extension FlagStore {
    /// Adds a webhook. The URL must be absolute http or https; `events` (every type when `nil`)
    /// must name known types; the secret (16 to 256 characters) is kept to sign deliveries and
    /// never returned again.
    public func createWebhook(_ request: WebhookRequest, change: ChangeInfo, now: Date = Date()) async throws -> WebhookRecord {
        try WebhookRules.checkURL(request.url)
        let events = try WebhookRules.events(request.events)
        try WebhookRules.checkSecret(request.secret)
        let id = "wh_" + FlagStore.randomHex(bytes: 8)
        let sealed = try secretKey.seal(request.secret, webhook: id)
        let record = try await pool.write { [secretKey] db -> WebhookRecord in
            try db.execute(
                sql: """
                    INSERT INTO webhook (id, url, events, secret, secret_key, secret_hint, description, created_at, created_by)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [id, request.url, try Tables.json(events.map(\.rawValue)), sealed, secretKey.id,
                            WebhookRules.hint(request.secret), request.description, now, change.actor])
            try Tables.audit(db, at: now, change: change, action: "create", entity: "webhook", key: id, environment: nil, revision: nil)
            return try Tables.requireWebhook(db, id)
        }
        logger.info("webhook created", metadata: ["webhook": "\(id)", "url": "\(WebhookURL.redacted(request.url))", "actor": "\(change.actor)"])
        return record
    }

    /// Every webhook, oldest first.
    public func webhooks() async throws -> [WebhookRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "\(Tables.webhookSelect) ORDER BY created_at, id").map(Tables.webhook)
        }
    }

    /// Deletes a webhook with its deliveries (pending ones are dropped).
    public func deleteWebhook(_ id: String, change: ChangeInfo, now: Date = Date()) async throws {
        try await pool.write { db in
            _ = try Tables.requireWebhook(db, id)
            try db.execute(sql: "DELETE FROM webhook WHERE id = ?", arguments: [id])
            try Tables.audit(db, at: now, change: change, action: "delete", entity: "webhook", key: id, environment: nil, revision: nil)
        }
        logger.info("webhook deleted", metadata: ["webhook": "\(id)", "actor": "\(change.actor)"])
    }

    /// The webhook's latest deliveries, newest first, each with its attempts.
    public func deliveries(webhook id: String, limit: Int = 50) async throws -> [WebhookDelivery] {
        try await pool.read { db in
            _ = try Tables.requireWebhook(db, id)
            let rows = try Row.fetchAll(
                db, sql: """
                    SELECT d.*, e.type FROM webhook_delivery d JOIN webhook_event e ON e.id = d.event
                    WHERE d.webhook = ? ORDER BY d.id DESC LIMIT ?
                    """,
                arguments: [id, limit])
            return try rows.map { row in
                let delivery: Int64 = try row.decode(Int64.self, forColumn: "id")
                let status = WebhookDelivery.Status(rawValue: try row.decode(String.self, forColumn: "status")) ?? .failed
                let attempts = try Row.fetchAll(
                    db, sql: "SELECT * FROM webhook_attempt WHERE delivery = ? ORDER BY id", arguments: [delivery]
                ).map { attempt in
                    WebhookDelivery.Attempt(
                        at: try attempt.decode(Date.self, forColumn: "at"),
                        statusCode: try attempt.decode(Int?.self, forColumn: "status_code"),
                        error: try attempt.decode(String?.self, forColumn: "error"),
                        durationMs: try attempt.decode(Int.self, forColumn: "duration_ms"))
                }
                return WebhookDelivery(
                    id: delivery, eventId: try row.decode(String.self, forColumn: "event"),
                    type: try row.decode(String.self, forColumn: "type"), status: status,
                    createdAt: try row.decode(Date.self, forColumn: "created_at"),
                    nextAttemptAt: status == .pending ? try row.decode(Date.self, forColumn: "next_attempt_at") : nil,
                    finishedAt: try row.decode(Date?.self, forColumn: "finished_at"), attempts: attempts)
            }
        }
    }

    // MARK: Dispatching

    /// Pending deliveries due at `now` and not leased, oldest first, except those in `excluding`.
    public func dueDeliveries(now: Date, limit: Int, excluding: Set<Int64> = []) async throws -> [PendingDelivery] {
        try await pool.read { [secretKey] db in
            let rows = try Row.fetchAll(
                db, sql: """
                    \(Tables.pendingDeliverySelect)
                    WHERE d.status = 'pending' AND d.next_attempt_at <= ?1 AND (d.claimed_until IS NULL OR d.claimed_until <= ?1)
                    ORDER BY d.next_attempt_at, d.id LIMIT ?2
                    """,
                arguments: [now, limit + excluding.count])
            return try rows.filter { !excluding.contains($0["id"] as Int64? ?? -1) }.prefix(limit).map {
                try Tables.pendingDelivery($0, secretKey: secretKey)
            }
        }
    }

    /// Claims delivery `id` for this store until `now + lease` (see ``WebhookStoring/claimDelivery(_:now:lease:)``).
    public func claimDelivery(_ id: Int64, now: Date, lease: Duration) async throws -> PendingDelivery? {
        try await pool.write { [claimer, secretKey] db in
            try db.execute(
                sql: """
                    UPDATE webhook_delivery SET claimed_by = ?1, claimed_until = ?2
                    WHERE id = ?3 AND status = 'pending' AND next_attempt_at <= ?4 AND (claimed_until IS NULL OR claimed_until <= ?4)
                    """,
                arguments: [claimer, WebhookOutbox.leaseEnd(now, lease), id, now])
            guard db.changesCount == 1 else { return nil }
            return try Row.fetchOne(db, sql: "\(Tables.pendingDeliverySelect) WHERE d.id = ?", arguments: [id]).map {
                try Tables.pendingDelivery($0, secretKey: secretKey)
            }
        }
    }

    /// Extends this store's lease on delivery `id` (see ``WebhookStoring/renewDeliveryClaim(_:now:lease:)``).
    public func renewDeliveryClaim(_ id: Int64, now: Date, lease: Duration) async throws -> Bool {
        try await pool.write { [claimer] db in
            try db.execute(
                sql: "UPDATE webhook_delivery SET claimed_until = ? WHERE id = ? AND status = 'pending' AND claimed_by = ?",
                arguments: [WebhookOutbox.leaseEnd(now, lease), id, claimer])
            return db.changesCount == 1
        }
    }

    /// Ends every lease this store holds (see ``WebhookStoring/releaseDeliveryClaims()``).
    public func releaseDeliveryClaims() async throws {
        try await pool.write { [claimer] db in
            try db.execute(
                sql: "UPDATE webhook_delivery SET claimed_by = NULL, claimed_until = NULL WHERE claimed_by = ?", arguments: [claimer])
        }
    }

    /// When the next pending delivery not in `excluding` is due (a leased one: when its lease ends).
    public func nextDeliveryDue(excluding: Set<Int64> = []) async throws -> Date? {
        try await pool.read { db in
            let rows = try Row.fetchAll(
                db, sql: """
                    SELECT id, MAX(next_attempt_at, COALESCE(claimed_until, next_attempt_at)) AS due FROM webhook_delivery
                    WHERE status = 'pending' ORDER BY due LIMIT ?
                    """,
                arguments: [excluding.count + 1])
            return try rows.first { !excluding.contains($0["id"] as Int64? ?? -1) }.map { try $0.decode(Date.self, forColumn: "due") }
        }
    }

    /// Records one attempt of delivery `id` and what it decided, and ends this store's lease on it.
    public func recordAttempt(
        delivery id: Int64, at: Date, statusCode: Int?, error: String?, duration: Duration, result: DeliveryResult
    ) async throws {
        try await pool.write { [claimer] db in
            try db.execute(
                sql: "INSERT INTO webhook_attempt (delivery, at, status_code, error, duration_ms) VALUES (?, ?, ?, ?, ?)",
                arguments: [id, at, statusCode, error.map { String($0.prefix(500)) }, WebhookOutbox.milliseconds(duration)])
            switch result {
            case .delivered:
                try db.execute(
                    sql: "UPDATE webhook_delivery SET status = 'delivered', attempts = attempts + 1, finished_at = ? WHERE id = ?",
                    arguments: [at, id])
            case .retry(let next):
                try db.execute(
                    sql: "UPDATE webhook_delivery SET attempts = attempts + 1, next_attempt_at = ? WHERE id = ?", arguments: [next, id])
            case .failed:
                try db.execute(
                    sql: "UPDATE webhook_delivery SET status = 'failed', attempts = attempts + 1, finished_at = ? WHERE id = ?",
                    arguments: [at, id])
            }
            try db.execute(
                sql: "UPDATE webhook_delivery SET claimed_by = NULL, claimed_until = NULL WHERE id = ? AND claimed_by = ?",
                arguments: [id, claimer])
        }
    }

    /// Deletes finished deliveries older than `date` and events no delivery refers to any more.
    public func pruneDeliveries(finishedBefore date: Date) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM webhook_delivery WHERE status != 'pending' AND finished_at < ?", arguments: [date])
            try db.execute(sql: "DELETE FROM webhook_event WHERE NOT EXISTS (SELECT 1 FROM webhook_delivery WHERE event = webhook_event.id)")
        }
    }
}

/// The rules a webhook must follow, in one place.
enum WebhookRules {
    static func checkURL(_ text: String) throws {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
        else {
            throw StoreError.invalid(ValidationError(path: "url", "must be an absolute http:// or https:// URL, got '\(text)'"))
        }
        guard text.utf8.count <= 2048 else { throw StoreError.invalid(ValidationError(path: "url", "must be at most 2048 bytes")) }
    }

    static func events(_ names: [String]?) throws -> [WebhookEventType] {
        guard let names else { return WebhookEventType.allCases }
        guard !names.isEmpty else {
            throw StoreError.invalid(ValidationError(path: "events", "name at least one event type (or leave it out for all)"))
        }
        var events: [WebhookEventType] = []
        for (index, name) in names.enumerated() {
            guard let type = WebhookEventType(rawValue: name) else {
                let known = WebhookEventType.allCases.map(\.rawValue).joined(separator: ", ")
                throw StoreError.invalid(ValidationError(path: "events[\(index)]", "unknown event type '\(name)'; one of \(known)"))
            }
            if !events.contains(type) { events.append(type) }
        }
        return events
    }

    static func checkSecret(_ secret: String) throws {
        guard (16...256).contains(secret.count), !secret.contains(where: { $0.isWhitespace || $0.isNewline }) else {
            throw StoreError.invalid(ValidationError(path: "secret", "must be 16 to 256 characters without spaces"))
        }
    }

    /// `…` and the last four characters: enough to tell two secrets apart, too little to sign.
    static func hint(_ secret: String) -> String { "…" + secret.suffix(4) }
}

extension Tables {
    static let webhookSelect = """
        SELECT w.id, w.url, w.events, w.secret_hint, w.description, w.created_at, w.created_by,
               (SELECT COUNT(*) FROM webhook_delivery d WHERE d.webhook = w.id AND d.status = 'pending') AS pending
        FROM webhook w
        """

    static func webhook(_ row: Row) throws -> WebhookRecord {
        WebhookRecord(
            id: try row.decode(String.self, forColumn: "id"),
            url: WebhookURL.redacted(try row.decode(String.self, forColumn: "url")),
            events: try decode([WebhookEventType].self, try row.decode(String.self, forColumn: "events")),
            secretHint: try row.decode(String.self, forColumn: "secret_hint"),
            description: try row.decode(String?.self, forColumn: "description"),
            createdAt: try row.decode(Date.self, forColumn: "created_at"),
            createdBy: try row.decode(String.self, forColumn: "created_by"),
            pendingDeliveries: try row.decode(Int.self, forColumn: "pending"))
    }

    static let pendingDeliverySelect = """
        SELECT d.id, d.webhook, d.attempts, d.created_at, w.url, w.secret, w.secret_key, e.id AS event, e.type, e.body
        FROM webhook_delivery d JOIN webhook w ON w.id = d.webhook JOIN webhook_event e ON e.id = d.event
        """

    static func pendingDelivery(_ row: Row, secretKey: WebhookSecretKey) throws -> PendingDelivery {
        let webhook = try row.decode(String.self, forColumn: "webhook")
        return PendingDelivery(
            id: try row.decode(Int64.self, forColumn: "id"), webhook: webhook, url: try row.decode(String.self, forColumn: "url"),
            secret: try secretKey.secret(
                stored: try row.decode(String.self, forColumn: "secret"), sealedWith: try row.decode(String?.self, forColumn: "secret_key"),
                webhook: webhook),
            eventId: try row.decode(String.self, forColumn: "event"), type: try row.decode(String.self, forColumn: "type"),
            body: try row.decode(String.self, forColumn: "body"), attempts: try row.decode(Int.self, forColumn: "attempts"),
            createdAt: try row.decode(Date.self, forColumn: "created_at"))
    }

    /// Seals every webhook secret still in plain text (written before secrets were sealed, or
    /// by a server of an earlier version during an upgrade); answers how many.
    static func sealPlainSecrets(_ db: Database, with key: WebhookSecretKey) throws -> Int {
        let plain = try Row.fetchAll(db, sql: "SELECT id, secret FROM webhook WHERE secret_key IS NULL")
        for row in plain {
            let id: String = try row.decode(String.self, forColumn: "id")
            try db.execute(
                sql: "UPDATE webhook SET secret = ?, secret_key = ? WHERE id = ?",
                arguments: [try key.seal(try row.decode(String.self, forColumn: "secret"), webhook: id), key.id, id])
        }
        return plain.count
    }

    static func requireWebhook(_ db: Database, _ id: String) throws -> WebhookRecord {
        guard let row = try Row.fetchOne(db, sql: "\(webhookSelect) WHERE w.id = ?", arguments: [id]) else {
            throw StoreError.notFound("webhook '\(id)' does not exist")
        }
        return try webhook(row)
    }
}
