import ClutchCore
import Foundation

/// Transition: the webhook operations written once in ``SQLStore``.
extension PostgresStore {
    public func createWebhook(_ request: WebhookRequest, change: ChangeInfo, now: Date) async throws -> WebhookRecord {
        try await sql.createWebhook(request, change: change, now: now)
    }
    public func webhooks() async throws -> [WebhookRecord] { try await sql.webhooks() }
    public func deleteWebhook(_ id: String, change: ChangeInfo, now: Date) async throws {
        try await sql.deleteWebhook(id, change: change, now: now)
    }
    public func deliveries(webhook id: String, limit: Int) async throws -> [WebhookDelivery] {
        try await sql.deliveries(webhook: id, limit: limit)
    }
    public func dueDeliveries(now: Date, limit: Int, excluding: Set<Int64>) async throws -> [PendingDelivery] {
        try await sql.dueDeliveries(now: now, limit: limit, excluding: excluding)
    }
    public func claimDelivery(_ id: Int64, now: Date, lease: Duration) async throws -> PendingDelivery? {
        try await sql.claimDelivery(id, now: now, lease: lease)
    }
    public func renewDeliveryClaim(_ id: Int64, now: Date, lease: Duration) async throws -> Bool {
        try await sql.renewDeliveryClaim(id, now: now, lease: lease)
    }
    public func releaseDeliveryClaims() async throws { try await sql.releaseDeliveryClaims() }
    public func nextDeliveryDue(excluding: Set<Int64>) async throws -> Date? { try await sql.nextDeliveryDue(excluding: excluding) }
    public func recordAttempt(
        delivery id: Int64, at: Date, statusCode: Int?, error: String?, duration: Duration, result: DeliveryResult
    ) async throws {
        try await sql.recordAttempt(delivery: id, at: at, statusCode: statusCode, error: error, duration: duration, result: result)
    }
    public func pruneDeliveries(finishedBefore date: Date) async throws { try await sql.pruneDeliveries(finishedBefore: date) }
    public func onDeliveryQueued(_ action: @escaping @Sendable () -> Void) {
        sql.onDeliveryQueued(action)
    }
}
