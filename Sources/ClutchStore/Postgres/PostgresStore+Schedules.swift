import ClutchCore
import Foundation
import PostgresNIO

/// Scheduled changes, as ``FlagStore`` keeps them (FlagStore+Schedules.swift), with the same
/// checks and words (``ScheduleInstructions``). A due schedule is claimed by the conditional
/// `UPDATE … WHERE status = 'pending' … RETURNING` in the transaction that applies it: however
/// many replicas run it at once, one applies it and the others find it no longer pending.
extension PostgresStore {
    public func createSchedule(_ request: ScheduleRequest, change: ChangeInfo, now: Date) async throws -> ScheduleRecord {
        let checked = try ScheduleInstructions.checked(request, now: now)
        let id = ScheduleInstructions.newID()
        let record = try await write { session -> ScheduleRecord in
            switch checked {
            case .flag(let instructions):
                _ = try await PostgresTables.plan(session, instructions, request.key, request.environment, nil)
            case .cohort:
                try await PostgresTables.requireEnvironment(session, request.environment)
                guard try await PostgresTables.cohortDefinition(session, request.key, environment: request.environment) != nil else {
                    throw StoreError.notFound("cohort '\(request.key)' does not exist in environment '\(request.environment)'")
                }
            }
            try await session.execute(
                """
                INSERT INTO schedule (id, kind, key, environment, instructions, message, due_at, status, created_at, created_by)
                VALUES (\(id), \(request.kind.rawValue), \(request.key), \(request.environment), \(try Tables.json(request.instructions)),
                        \(request.message), \(request.at), 'pending', \(now), \(change.actor))
                """)
            try await PostgresTables.audit(
                session, at: now, change: ScheduleInstructions.scheduledChange(id, request, change),
                action: "schedule", entity: request.kind.rawValue, key: request.key, environment: request.environment, revision: nil)
            try await session.queued(.schedules)
            return try await Self.requireSchedule(session, id)
        }
        logger.info("change scheduled", metadata: [
            "schedule": "\(id)", "\(request.kind.rawValue)": "\(request.key)", "environment": "\(request.environment)",
            "at": "\(Timestamp.format(request.at))", "actor": "\(change.actor)",
        ])
        return record
    }

    public func schedules(status: ScheduleRecord.Status?, key: String?, limit: Int) async throws -> [ScheduleRecord] {
        try await read { session in
            try await session.rows(
                """
                SELECT * FROM schedule WHERE (\(status?.rawValue)::TEXT IS NULL OR status = \(status?.rawValue))
                  AND (\(key)::TEXT IS NULL OR key = \(key))
                ORDER BY due_at, created_at LIMIT \(limit)
                """
            ).map(Self.schedule)
        }
    }

    public func schedule(_ id: String) async throws -> ScheduleRecord {
        try await read { session in try await Self.requireSchedule(session, id) }
    }

    public func cancelSchedule(_ id: String, change: ChangeInfo, now: Date) async throws -> ScheduleRecord {
        try await write { session in
            let record = try await Self.requireSchedule(session, id)
            guard try await session.row(
                """
                UPDATE schedule SET status = 'cancelled', finished_at = \(now), finished_by = \(change.actor)
                WHERE id = \(id) AND status = 'pending' RETURNING id
                """) != nil
            else { throw ScheduleInstructions.notPending(record) }
            try await PostgresTables.audit(
                session, at: now, change: ScheduleInstructions.cancelledChange(id, change),
                action: "unschedule", entity: record.kind.rawValue, key: record.key, environment: record.environment, revision: nil)
            return try await Self.requireSchedule(session, id)
        }
    }

    public func nextScheduleDue() async throws -> Date? {
        try await read { session in try await session.value(Date.self, "SELECT MIN(due_at) FROM schedule WHERE status = 'pending'") }
    }

    public func dueSchedules(now: Date) async throws -> [String] {
        try await read { session in
            try await session.values(
                String.self, "SELECT id FROM schedule WHERE status = 'pending' AND due_at <= \(now) ORDER BY due_at, created_at")
        }
    }

    public func runSchedule(_ id: String, now: Date, note: String?) async throws -> ScheduleOutcome {
        do {
            return try await write { session in
                do {
                    return try await Self.claimAndApply(session, id, now: now, note: note)
                } catch let error as DecodingError {
                    // A refusal, not a database failure: the schedule is marked failed with it.
                    throw StoreError.badRequest(ScheduleInstructions.failure(error) ?? "\(error)")
                }
            }
        } catch {
            guard let reason = ScheduleInstructions.failure(error) else { throw error }
            return try await markFailed(id, reason: reason, now: now)
        }
    }

    public func onScheduleAdded(_ action: @escaping @Sendable () -> Void) {
        wakeups.add(.schedules, action)
    }

    /// One transaction: claim the schedule and write its change, or neither. The claim is the
    /// conditional update; a replica that comes second (after the first committed) updates no row.
    private static func claimAndApply(_ session: PostgresSession, _ id: String, now: Date, note: String?) async throws -> ScheduleOutcome {
        let none = ScheduleOutcome(schedule: nil, change: Change(value: (), versions: [:]))
        guard let row = try await session.row(
            """
            UPDATE schedule SET status = 'applied', finished_at = \(now), finished_by = \(FlagStore.schedulerActor), note = \(note)
            WHERE id = \(id) AND status = 'pending' AND due_at <= \(now) RETURNING *
            """)
        else { return none }
        let schedule = try Self.schedule(row)
        let change = ChangeInfo(actor: FlagStore.schedulerActor, message: FlagStore.message(for: schedule, note: note))
        let written: Change<Void>
        let revision: Int64
        switch schedule.kind {
        case .flag:
            let result = try await PostgresTables.applyInstructions(
                session, try ScheduleInstructions.flag(schedule.instructions), flag: schedule.key, environment: schedule.environment,
                ifRevision: nil, change: change)
            guard let value = result.value else { throw StoreError.notFound("flag '\(schedule.key)' does not exist") }
            written = result.with(())
            revision = value.record.revision
        case .cohort:
            let result = try await PostgresTables.applyMembers(
                session, try ScheduleInstructions.memberChange(schedule.instructions), cohort: schedule.key,
                environment: schedule.environment, change: change)
            written = result.with(())
            revision = result.value.revision
        }
        try await session.execute("UPDATE schedule SET revision = \(revision) WHERE id = \(id)")
        return ScheduleOutcome(schedule: try await requireSchedule(session, id), change: written)
    }

    /// Marks a pending schedule failed and queues its `schedule.failed` event, in one transaction.
    private func markFailed(_ id: String, reason: String, now: Date) async throws -> ScheduleOutcome {
        let record = try await write { session -> ScheduleRecord? in
            guard let row = try await session.row(
                """
                UPDATE schedule SET status = 'failed', finished_at = \(now), finished_by = \(FlagStore.schedulerActor), error = \(reason)
                WHERE id = \(id) AND status = 'pending' RETURNING *
                """)
            else { return nil }
            let record = try Self.schedule(row)
            try await PostgresTables.audit(
                session, at: now, change: ScheduleInstructions.failedChange(id, reason),
                action: "schedule_failed", entity: record.kind.rawValue, key: record.key, environment: record.environment, revision: nil)
            try await PostgresTables.recordEvent(session, type: .scheduleFailed, data: ScheduleFailedData(schedule: record, error: reason), at: now)
            return record
        }
        if record != nil {
            logger.warning("scheduled change failed", metadata: ["schedule": "\(id)", "reason": "\(reason)"])
        }
        return ScheduleOutcome(schedule: record, change: Change(value: (), versions: [:]))
    }

    static func schedule(_ row: PostgresRandomAccessRow) throws -> ScheduleRecord {
        ScheduleRecord(
            id: try row.get("id"), kind: ScheduleRecord.Kind(rawValue: try row.get("kind", as: String.self)) ?? .flag,
            key: try row.get("key"), environment: try row.get("environment"),
            instructions: try Tables.decode([Value].self, try row.get("instructions")), message: try row.get("message"),
            at: try row.get("due_at"), status: ScheduleRecord.Status(rawValue: try row.get("status", as: String.self)) ?? .failed,
            createdAt: try row.get("created_at"), createdBy: try row.get("created_by"), finishedAt: try row.get("finished_at"),
            finishedBy: try row.get("finished_by"), revision: try row.get("revision"), error: try row.get("error"), note: try row.get("note"))
    }

    static func requireSchedule(_ session: PostgresSession, _ id: String) async throws -> ScheduleRecord {
        guard let row = try await session.row("SELECT * FROM schedule WHERE id = \(id)") else {
            throw StoreError.notFound("schedule '\(id)' does not exist")
        }
        return try schedule(row)
    }
}
