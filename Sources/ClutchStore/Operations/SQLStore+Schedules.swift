import ClutchCore
import Foundation

/// Scheduled changes: recorded now, applied when due by the server's scheduler, each claimed
/// and applied in one transaction (``Rows/claimAndApply(_:_:now:note:)``) so that it fires once
/// however many schedulers run.
extension SQLStore {
    /// Records a change to apply at `request.at`. The instructions are checked now against the
    /// flag or cohort as it is (a typo fails at once, not at 9 a.m.); they are checked again,
    /// and applied all or nothing, when due.
    public func createSchedule(_ request: ScheduleRequest, change: ChangeInfo, now: Date = Date()) async throws -> ScheduleRecord {
        let checked = try ScheduleInstructions.checked(request, now: now)
        let id = ScheduleInstructions.newID()
        let record = try await write { session -> ScheduleRecord in
            switch checked {
            case .flag(let instructions):
                _ = try await Rows.plan(session, instructions, request.key, request.environment, nil)
            case .cohort:
                try await Rows.requireEnvironment(session, request.environment)
                guard try await session.exists("SELECT 1 FROM cohort WHERE environment = \(request.environment) AND key = \(request.key)") else {
                    throw StoreError.notFound("cohort '\(request.key)' does not exist in environment '\(request.environment)'")
                }
            }
            try await session.execute(
                """
                INSERT INTO schedule (id, kind, key, environment, instructions, message, due_at, status, created_at, created_by, author)
                VALUES (\(id), \(request.kind.rawValue), \(request.key), \(request.environment), \(try Tables.json(request.instructions)),
                        \(request.message), \(request.at), 'pending', \(now), \(change.actor), \(change.author?.text))
                """)
            try await Rows.audit(
                session, at: now, change: ScheduleInstructions.scheduledChange(id, request, change),
                action: "schedule", entity: request.kind.rawValue, key: request.key, environment: request.environment, revision: nil)
            try await session.queue(.schedules)
            return try await Rows.requireSchedule(session, id)
        }
        logger.info("change scheduled", metadata: [
            "schedule": "\(id)", "\(request.kind.rawValue)": "\(request.key)", "environment": "\(request.environment)",
            "at": "\(Timestamp.format(request.at))", "actor": "\(change.actor)",
        ])
        return record
    }

    /// Schedules, soonest due first; only those with `status` when given, only those of flag or
    /// cohort `key` when given.
    public func schedules(status: ScheduleRecord.Status? = nil, key: String? = nil, limit: Int = 500) async throws -> [ScheduleRecord] {
        try await read { session in
            try await session.rows(
                """
                SELECT * FROM schedule
                WHERE (CAST(\(status?.rawValue) AS TEXT) IS NULL OR status = \(status?.rawValue))
                  AND (CAST(\(key) AS TEXT) IS NULL OR key = \(key))
                ORDER BY due_at, created_at LIMIT \(limit)
                """
            ).map(Rows.schedule)
        }
    }

    /// One schedule.
    public func schedule(_ id: String) async throws -> ScheduleRecord {
        try await read { session in try await Rows.requireSchedule(session, id) }
    }

    /// Cancels a pending schedule; one already applied, failed or cancelled is a conflict.
    public func cancelSchedule(_ id: String, change: ChangeInfo, now: Date = Date()) async throws -> ScheduleRecord {
        try await write { session in
            let record = try await Rows.requireSchedule(session, id)
            let cancelled = try await session.execute(
                """
                UPDATE schedule SET status = 'cancelled', finished_at = \(now), finished_by = \(change.actor)
                WHERE id = \(id) AND status = 'pending'
                """)
            guard cancelled == 1 else { throw ScheduleInstructions.notPending(record) }
            try await Rows.audit(
                session, at: now, change: ScheduleInstructions.cancelledChange(id, change),
                action: "unschedule", entity: record.kind.rawValue, key: record.key, environment: record.environment, revision: nil)
            return try await Rows.requireSchedule(session, id)
        }
    }

    /// When the next pending schedule is due, if any is pending.
    public func nextScheduleDue() async throws -> Date? {
        try await read { session in try await session.value(Date.self, "SELECT MIN(due_at) FROM schedule WHERE status = 'pending'") }
    }

    /// The pending schedules due at `now`, oldest first.
    public func dueSchedules(now: Date) async throws -> [String] {
        try await read { session in
            try await session.values(
                String.self, "SELECT id FROM schedule WHERE status = 'pending' AND due_at <= \(now) ORDER BY due_at, created_at")
        }
    }

    /// Applies the schedule `id` if it is still pending and due: its instructions through the
    /// same path as a change sent to the API, as ``ScheduleInstructions/schedulerActor`` with a
    /// message naming the author (and `note`, when it is applied late). When the instructions no
    /// longer apply (the flag was deleted, a variant or rule is gone), nothing of them is
    /// written: the schedule is marked `failed` with the reason and a `schedule.failed` event
    /// goes to the outbox. Other errors (the database is busy or full) leave the schedule
    /// pending and are thrown.
    public func runSchedule(_ id: String, now: Date = Date(), note: String? = nil) async throws -> ScheduleOutcome {
        do {
            return try await write { session in
                do {
                    return try await Rows.claimAndApply(session, id, now: now, note: note)
                } catch let error as DecodingError {
                    // A refusal, not a database failure (which is how a backend reports errors it
                    // does not know): the schedule is marked failed with it.
                    throw StoreError.badRequest(ScheduleInstructions.failure(error) ?? "\(error)")
                }
            }
        } catch {
            guard let reason = ScheduleInstructions.failure(error) else { throw error }
            return try await markFailed(id, reason: reason, now: now)
        }
    }

    /// Marks a pending schedule failed and queues its `schedule.failed` event, in one transaction.
    private func markFailed(_ id: String, reason: String, now: Date) async throws -> ScheduleOutcome {
        let record = try await write { session -> ScheduleRecord? in
            guard let row = try await session.row(
                """
                UPDATE schedule SET status = 'failed', finished_at = \(now), finished_by = \(ScheduleInstructions.schedulerActor),
                                    error = \(reason)
                WHERE id = \(id) AND status = 'pending' RETURNING *
                """)
            else { return nil }
            let record = try Rows.schedule(row)
            try await Rows.audit(
                session, at: now, change: ScheduleInstructions.failedChange(id, reason),
                action: "schedule_failed", entity: record.kind.rawValue, key: record.key, environment: record.environment, revision: nil)
            try await Rows.recordEvent(session, type: .scheduleFailed, data: ScheduleFailedData(schedule: record, error: reason), at: now)
            return record
        }
        if record != nil {
            logger.warning("scheduled change failed", metadata: ["schedule": "\(id)", "reason": "\(reason)"])
        }
        return ScheduleOutcome(schedule: record, change: Change(value: (), versions: [:]))
    }

    /// Calls `action` after every commit that added a schedule: in this process, and on
    /// PostgreSQL in every replica listening.
    public func onScheduleAdded(_ action: @escaping @Sendable () -> Void) {
        backend.onQueued(.schedules, action)
    }
}

extension SQLStore {
    /// The actor a schedule's change is recorded under (revision, audit event, webhooks).
    public static var schedulerActor: String { ScheduleInstructions.schedulerActor }
}
