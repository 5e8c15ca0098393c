import ClutchCore
import Foundation

/// Transition: the schedule operations written once in ``SQLStore``.
extension FlagStore {
    /// The actor of the changes the scheduler makes; the author is named in the message.
    public static let schedulerActor = ScheduleInstructions.schedulerActor

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
