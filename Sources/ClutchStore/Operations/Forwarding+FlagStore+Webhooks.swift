import ClutchCore
import Foundation
import GRDB

/// Transition: the webhook and schedule operations written once in ``SQLStore``.
extension FlagStore {
    /// The actor of the changes the scheduler makes; the author is named in the message.
    public static let schedulerActor = ScheduleInstructions.schedulerActor

    public func createWebhook(_ request: WebhookRequest, change: ChangeInfo, now: Date = Date()) async throws -> WebhookRecord {
        try await sql.createWebhook(request, change: change, now: now)
    }
    public func webhooks() async throws -> [WebhookRecord] { try await sql.webhooks() }
    public func deleteWebhook(_ id: String, change: ChangeInfo, now: Date = Date()) async throws {
        try await sql.deleteWebhook(id, change: change, now: now)
    }
    public func deliveries(webhook id: String, limit: Int = 50) async throws -> [WebhookDelivery] {
        try await sql.deliveries(webhook: id, limit: limit)
    }
    public func dueDeliveries(now: Date, limit: Int, excluding: Set<Int64> = []) async throws -> [PendingDelivery] {
        try await sql.dueDeliveries(now: now, limit: limit, excluding: excluding)
    }
    public func claimDelivery(_ id: Int64, now: Date, lease: Duration) async throws -> PendingDelivery? {
        try await sql.claimDelivery(id, now: now, lease: lease)
    }
    public func renewDeliveryClaim(_ id: Int64, now: Date, lease: Duration) async throws -> Bool {
        try await sql.renewDeliveryClaim(id, now: now, lease: lease)
    }
    public func releaseDeliveryClaims() async throws { try await sql.releaseDeliveryClaims() }
    public func nextDeliveryDue(excluding: Set<Int64> = []) async throws -> Date? { try await sql.nextDeliveryDue(excluding: excluding) }
    public func recordAttempt(
        delivery id: Int64, at: Date, statusCode: Int?, error: String?, duration: Duration, result: DeliveryResult
    ) async throws {
        try await sql.recordAttempt(delivery: id, at: at, statusCode: statusCode, error: error, duration: duration, result: result)
    }
    public func pruneDeliveries(finishedBefore date: Date) async throws { try await sql.pruneDeliveries(finishedBefore: date) }
    public func onDeliveryQueued(_ action: @escaping @Sendable () -> Void) {
        sql.onDeliveryQueued(action)
        // Transition: deliveries queued by the GRDB code not yet written once (import, releases).
        pool.add(transactionObserver: LegacyDeliveryWatcher(action), extent: .databaseLifetime)
    }

    public func createSchedule(_ request: ScheduleRequest, change: ChangeInfo, now: Date = Date()) async throws -> ScheduleRecord {
        try await sql.createSchedule(request, change: change, now: now)
    }
    public func schedules(status: ScheduleRecord.Status? = nil, key: String? = nil, limit: Int = 500) async throws -> [ScheduleRecord] {
        try await sql.schedules(status: status, key: key, limit: limit)
    }
    public func schedule(_ id: String) async throws -> ScheduleRecord { try await sql.schedule(id) }
    public func cancelSchedule(_ id: String, change: ChangeInfo, now: Date = Date()) async throws -> ScheduleRecord {
        try await sql.cancelSchedule(id, change: change, now: now)
    }
    public func nextScheduleDue() async throws -> Date? { try await sql.nextScheduleDue() }
    public func dueSchedules(now: Date) async throws -> [String] { try await sql.dueSchedules(now: now) }
    public func runSchedule(_ id: String, now: Date = Date(), note: String? = nil) async throws -> ScheduleOutcome {
        try await sql.runSchedule(id, now: now, note: note)
    }
    public func onScheduleAdded(_ action: @escaping @Sendable () -> Void) { sql.onScheduleAdded(action) }
}
