import ClutchCore
import Foundation

// Guarded releases, scheduled changes and webhooks are not kept in PostgreSQL yet (issue 14):
// creating one is refused with a message saying so, and since none can exist, the reads the
// server's runners make find none. Nothing is silently dropped: no change made on PostgreSQL
// is promised a release step, a schedule or a webhook delivery.
extension PostgresStore {
    /// The refusal of a feature PostgreSQL does not hold yet.
    static func notOnPostgres(_ feature: String) -> StoreError {
        StoreError.badRequest("\(feature) are not available on a PostgreSQL database yet; use a SQLite database for them")
    }

    // MARK: Releases

    public func startRelease(flag key: String, environment: String, policy: ReleasePolicy, change: ChangeInfo, now: Date) async throws -> Change<Release> {
        throw Self.notOnPostgres("guarded releases")
    }

    public func release(flag key: String, environment: String) async throws -> Release {
        throw StoreError.notFound("flag '\(key)' has no release in environment '\(environment)'")
    }

    public func pauseRelease(flag key: String, environment: String, change: ChangeInfo, now: Date) async throws -> Change<Release> {
        throw StoreError.notFound("flag '\(key)' has no release in environment '\(environment)'")
    }

    public func resumeRelease(flag key: String, environment: String, change: ChangeInfo, now: Date) async throws -> Change<Release> {
        throw StoreError.notFound("flag '\(key)' has no release in environment '\(environment)'")
    }

    public func abortRelease(flag key: String, environment: String, change: ChangeInfo, now: Date) async throws -> Change<Release> {
        throw StoreError.notFound("flag '\(key)' has no release in environment '\(environment)'")
    }

    public func runReleases(now: Date) async throws -> [Change<Release>] { [] }

    public func runningReleaseEnvironments() async throws -> Set<String> { [] }

    // MARK: Schedules

    public func createSchedule(_ request: ScheduleRequest, change: ChangeInfo, now: Date) async throws -> ScheduleRecord {
        throw Self.notOnPostgres("scheduled changes")
    }

    public func schedules(status: ScheduleRecord.Status?, key: String?, limit: Int) async throws -> [ScheduleRecord] { [] }

    public func schedule(_ id: String) async throws -> ScheduleRecord {
        throw StoreError.notFound("schedule '\(id)' does not exist")
    }

    public func cancelSchedule(_ id: String, change: ChangeInfo, now: Date) async throws -> ScheduleRecord {
        throw StoreError.notFound("schedule '\(id)' does not exist")
    }

    public func nextScheduleDue() async throws -> Date? { nil }

    public func dueSchedules(now: Date) async throws -> [String] { [] }

    public func runSchedule(_ id: String, now: Date, note: String?) async throws -> ScheduleOutcome {
        throw StoreError.notFound("schedule '\(id)' does not exist")
    }

    public func onScheduleAdded(_ action: @escaping @Sendable () -> Void) {}

    // MARK: Webhooks

    public func createWebhook(_ request: WebhookRequest, change: ChangeInfo, now: Date) async throws -> WebhookRecord {
        throw Self.notOnPostgres("webhooks")
    }

    public func webhooks() async throws -> [WebhookRecord] { [] }

    public func deleteWebhook(_ id: String, change: ChangeInfo, now: Date) async throws {
        throw StoreError.notFound("webhook '\(id)' does not exist")
    }

    public func deliveries(webhook id: String, limit: Int) async throws -> [WebhookDelivery] {
        throw StoreError.notFound("webhook '\(id)' does not exist")
    }

    public func dueDeliveries(now: Date, limit: Int, excluding: Set<Int64>) async throws -> [PendingDelivery] { [] }

    public func nextDeliveryDue(excluding: Set<Int64>) async throws -> Date? { nil }

    public func recordAttempt(
        delivery id: Int64, at: Date, statusCode: Int?, error: String?, duration: Duration, result: DeliveryResult
    ) async throws {
        throw StoreError.notFound("delivery \(id) does not exist")
    }

    public func pruneDeliveries(finishedBefore date: Date) async throws {}

    public func onDeliveryQueued(_ action: @escaping @Sendable () -> Void) {}
}
