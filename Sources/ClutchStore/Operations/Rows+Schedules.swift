import ClutchCore
import Foundation

/// Scheduled changes, row by row.
extension Rows {
    static func schedule(_ row: SQLRow) throws -> ScheduleRecord {
        ScheduleRecord(
            id: try row.get("id"), kind: ScheduleRecord.Kind(rawValue: try row.get("kind", as: String.self)) ?? .flag,
            key: try row.get("key"), environment: try row.get("environment"),
            instructions: try Tables.decode([Value].self, try row.get("instructions")), message: try row.get("message"),
            at: try row.get("due_at"), status: ScheduleRecord.Status(rawValue: try row.get("status", as: String.self)) ?? .failed,
            createdAt: try row.get("created_at"), createdBy: try row.get("created_by"), finishedAt: try row.get("finished_at"),
            finishedBy: try row.get("finished_by"), revision: try row.get("revision"), error: try row.get("error"),
            note: try row.get("note"))
    }

    static func requireSchedule(_ session: any SQLSession, _ id: String) async throws -> ScheduleRecord {
        guard let row = try await session.row("SELECT * FROM schedule WHERE id = \(id)") else {
            throw StoreError.notFound("schedule '\(id)' does not exist")
        }
        return try schedule(row)
    }

    /// Claims schedule `id` and writes its change, in the caller's transaction: both or neither.
    ///
    /// The claim is the conditional `UPDATE … WHERE status = 'pending'`: with several
    /// schedulers (replicas), the one that comes second, after the first committed, updates no
    /// row and applies nothing (SQLite's one writer and PostgreSQL's write lock order them).
    static func claimAndApply(_ session: any SQLSession, _ id: String, now: Date, note: String?) async throws -> ScheduleOutcome {
        guard let row = try await session.row(
            """
            UPDATE schedule SET status = 'applied', finished_at = \(now), finished_by = \(ScheduleInstructions.schedulerActor), note = \(note)
            WHERE id = \(id) AND status = 'pending' AND due_at <= \(now) RETURNING *
            """)
        else { return ScheduleOutcome(schedule: nil, change: Change(value: (), versions: [:])) }
        let schedule = try Self.schedule(row)
        // It acts with its author's rights as they are now: one who lost them fails it, with why.
        if let author = try row.get("author", as: String?.self).flatMap(ChangeAuthor.init(text:)) {
            try await requireRights(session, author, named: schedule.createdBy, for: .edit(environment: schedule.environment), now: now)
        }
        let change = ChangeInfo(actor: ScheduleInstructions.appliedBy(schedule), message: ScheduleInstructions.message(for: schedule, note: note))
        let written: Change<Void>
        let revision: Int64
        switch schedule.kind {
        case .flag:
            let result = try await applyInstructions(
                session, try ScheduleInstructions.flag(schedule.instructions), flag: schedule.key, environment: schedule.environment,
                ifRevision: nil, change: change)
            guard let value = result.value else { throw StoreError.notFound("flag '\(schedule.key)' does not exist") }
            written = result.with(())
            revision = value.record.revision
        case .cohort:
            let result = try await applyMembers(
                session, try ScheduleInstructions.memberChange(schedule.instructions), cohort: schedule.key,
                environment: schedule.environment, change: change)
            written = result.with(())
            revision = result.value.revision
        }
        try await session.execute("UPDATE schedule SET revision = \(revision) WHERE id = \(id)")
        return ScheduleOutcome(schedule: try await requireSchedule(session, id), change: written)
    }
}
