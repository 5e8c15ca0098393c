import ClutchCore
import Foundation
import GRDB

extension FlagStore {
    /// The actor of the changes the scheduler makes; the author is named in the message.
    public static let schedulerActor = "clutch-scheduler"

    /// Records a change to apply at `request.at`. The instructions are checked now against the
    /// flag or cohort as it is (a typo fails at once, not at 9 a.m.); they are checked again,
    /// and applied all or nothing, when due.
    public func createSchedule(_ request: ScheduleRequest, change: ChangeInfo, now: Date = Date()) async throws -> ScheduleRecord {
        let checked = try ScheduleInstructions.checked(request, now: now)
        let id = ScheduleInstructions.newID()
        let record = try await pool.write { db -> ScheduleRecord in
            switch checked {
            case .flag(let instructions):
                _ = try Self.plan(db, instructions, request.key, request.environment, nil)
            case .cohort:
                try Tables.requireEnvironment(db, request.environment)
                guard try Tables.cohortDefinition(db, request.key, environment: request.environment) != nil else {
                    throw StoreError.notFound("cohort '\(request.key)' does not exist in environment '\(request.environment)'")
                }
            }
            try db.execute(
                sql: """
                    INSERT INTO schedule (id, kind, key, environment, instructions, message, due_at, status, created_at, created_by)
                    VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)
                    """,
                arguments: [id, request.kind.rawValue, request.key, request.environment, try Tables.json(request.instructions),
                            request.message, request.at, now, change.actor])
            try Tables.audit(
                db, at: now, change: ScheduleInstructions.scheduledChange(id, request, change),
                action: "schedule", entity: request.kind.rawValue, key: request.key, environment: request.environment, revision: nil)
            return try Tables.requireSchedule(db, id)
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
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: """
                    SELECT * FROM schedule WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR key = ?2)
                    ORDER BY due_at, created_at LIMIT ?3
                    """,
                arguments: [status?.rawValue, key, limit]
            ).map(Tables.schedule)
        }
    }

    /// One schedule.
    public func schedule(_ id: String) async throws -> ScheduleRecord {
        try await pool.read { db in try Tables.requireSchedule(db, id) }
    }

    /// Cancels a pending schedule; one already applied, failed or cancelled is a conflict.
    public func cancelSchedule(_ id: String, change: ChangeInfo, now: Date = Date()) async throws -> ScheduleRecord {
        try await pool.write { db in
            let record = try Tables.requireSchedule(db, id)
            try db.execute(
                sql: "UPDATE schedule SET status = 'cancelled', finished_at = ?, finished_by = ? WHERE id = ? AND status = 'pending'",
                arguments: [now, change.actor, id])
            guard db.changesCount == 1 else { throw ScheduleInstructions.notPending(record) }
            try Tables.audit(
                db, at: now, change: ScheduleInstructions.cancelledChange(id, change),
                action: "unschedule", entity: record.kind.rawValue, key: record.key, environment: record.environment, revision: nil)
            return try Tables.requireSchedule(db, id)
        }
    }

    /// When the next pending schedule is due, if any is pending.
    public func nextScheduleDue() async throws -> Date? {
        try await pool.read { db in
            try Date.fetchOne(db, sql: "SELECT MIN(due_at) FROM schedule WHERE status = 'pending'")
        }
    }

    /// The pending schedules due at `now`, oldest first.
    public func dueSchedules(now: Date) async throws -> [String] {
        try await pool.read { db in
            try String.fetchAll(
                db, sql: "SELECT id FROM schedule WHERE status = 'pending' AND due_at <= ? ORDER BY due_at, created_at", arguments: [now])
        }
    }

    /// Applies the schedule `id` if it is still pending and due: its instructions through the
    /// same path as a change sent to the API, as ``schedulerActor`` with a message naming the
    /// author (and `note`, when it is applied late). When the instructions no longer apply
    /// (the flag was deleted, a variant or rule is gone), nothing of them is written: the
    /// schedule is marked `failed` with the reason and a `schedule.failed` event goes to the outbox.
    /// Other errors (the database is busy or full) leave the schedule pending and are thrown.
    public func runSchedule(_ id: String, now: Date = Date(), note: String? = nil) async throws -> ScheduleOutcome {
        do {
            return try await pool.write { db in try Self.claimAndApply(db, id, now: now, note: note) }
        } catch {
            guard let reason = ScheduleInstructions.failure(error) else { throw error }
            return try await markFailed(id, reason: reason, now: now)
        }
    }

    /// One transaction: claim the schedule and write its change, or neither.
    ///
    /// The claim (`UPDATE … WHERE status = 'pending'`, which must change exactly one row) and
    /// the change commit together, so a schedule fires once even with several schedulers: in
    /// SQLite writes are serialized; a PostgreSQL store must keep the same shape — claim with
    /// `SELECT … FOR UPDATE SKIP LOCKED` (or the conditional UPDATE) inside the transaction
    /// that applies the instructions, so a replica that loses the race sees no pending row.
    private static func claimAndApply(_ db: Database, _ id: String, now: Date, note: String?) throws -> ScheduleOutcome {
        guard let schedule = try Tables.schedule(db, id), schedule.status == .pending, schedule.at <= now else {
            return ScheduleOutcome(schedule: nil, change: Change(value: (), versions: [:]))
        }
        try db.execute(
            sql: "UPDATE schedule SET status = 'applied', finished_at = ?, finished_by = ?, note = ? WHERE id = ? AND status = 'pending'",
            arguments: [now, schedulerActor, note, id])
        guard db.changesCount == 1 else { return ScheduleOutcome(schedule: nil, change: Change(value: (), versions: [:])) }
        let change = ChangeInfo(actor: schedulerActor, message: message(for: schedule, note: note))
        let written: Change<Void>
        let revision: Int64
        switch schedule.kind {
        case .flag:
            let instructions = try ScheduleInstructions.flag(schedule.instructions)
            let result = try applyInstructions(
                db, instructions, flag: schedule.key, environment: schedule.environment, ifRevision: nil, change: change)
            guard let value = result.value else { throw StoreError.notFound("flag '\(schedule.key)' does not exist") }
            written = result.with(())
            revision = value.record.revision
        case .cohort:
            let requested = try ScheduleInstructions.memberChange(schedule.instructions)
            let result = try commitMembers(db, requested, cohort: schedule.key, environment: schedule.environment, change: change)
            written = result.with(())
            revision = result.value.revision
        }
        try db.execute(sql: "UPDATE schedule SET revision = ? WHERE id = ?", arguments: [revision, id])
        return ScheduleOutcome(schedule: try Tables.schedule(db, id), change: written)
    }

    /// Marks a pending schedule failed and queues its `schedule.failed` event, in one transaction.
    private func markFailed(_ id: String, reason: String, now: Date) async throws -> ScheduleOutcome {
        let record = try await pool.write { db -> ScheduleRecord? in
            try db.execute(
                sql: "UPDATE schedule SET status = 'failed', finished_at = ?, finished_by = ?, error = ? WHERE id = ? AND status = 'pending'",
                arguments: [now, Self.schedulerActor, reason, id])
            guard db.changesCount == 1, let record = try Tables.schedule(db, id) else { return nil }
            try Tables.audit(
                db, at: now, change: ScheduleInstructions.failedChange(id, reason),
                action: "schedule_failed", entity: record.kind.rawValue, key: record.key, environment: record.environment, revision: nil)
            try Tables.recordEvent(db, type: .scheduleFailed, data: ScheduleFailedData(schedule: record, error: reason), at: now)
            return record
        }
        if record != nil {
            logger.warning("scheduled change failed", metadata: ["schedule": "\(id)", "reason": "\(reason)"])
        }
        return ScheduleOutcome(schedule: record, change: Change(value: (), versions: [:]))
    }

    /// The message of a scheduled change: its author, the schedule, the author's message and a note.
    static func message(for schedule: ScheduleRecord, note: String?) -> String {
        var text = "scheduled by \(schedule.createdBy) (\(schedule.id), due \(Timestamp.format(schedule.at)))"
        if let message = schedule.message, !message.isEmpty { text += ": \(message)" }
        if let note { text += " [\(note)]" }
        return text
    }
}

/// The data of a `schedule.failed` event.
struct ScheduleFailedData: Encodable {
    var schedule: ScheduleRecord
    var error: String
}

/// Stored instructions as typed instructions; an instruction that does not decode is refused
/// naming its place (`instructions[1].variant`).
enum ScheduleInstructions {
    /// A request's instructions, typed.
    enum Checked {
        case flag([Instruction])
        case cohort([MemberInstruction])
    }

    /// The checks of a new schedule that need no database: due in the future, instructions that
    /// decode, at least one of them.
    static func checked(_ request: ScheduleRequest, now: Date) throws -> Checked {
        guard request.at > now else {
            throw StoreError.invalid(ValidationError(path: "at", "must be in the future (it is \(Timestamp.format(now)) now)"))
        }
        let checked: Checked
        let count: Int
        switch request.kind {
        case .flag:
            let instructions = try flag(request.instructions)
            (checked, count) = (.flag(instructions), instructions.count)
        case .cohort:
            let instructions = try members(request.instructions)
            (checked, count) = (.cohort(instructions), instructions.count)
        }
        guard count > 0 else { throw StoreError.invalid(ValidationError(path: "instructions", "give at least one instruction")) }
        return checked
    }

    /// `sch_` + random characters.
    static func newID() -> String { "sch_" + FlagStore.randomHex(bytes: 8) }

    /// The net member change of a cohort schedule's stored instructions.
    static func memberChange(_ values: [Value]) throws -> MemberChange {
        do {
            return try MemberInstruction.netChange(try members(values))
        } catch let error as ValidationError {
            throw StoreError.invalid(error)
        }
    }

    /// Why running a schedule failed in a way that marks it failed (its instructions no longer
    /// apply, or do not decode); `nil` for other errors (the database), which leave it pending.
    static func failure(_ error: any Error) -> String? {
        switch error {
        case let error as StoreError: error.description
        case let error as DecodingError: "the stored instructions do not decode: \(error)"
        default: nil
        }
    }

    /// The audit entries of a schedule's life.
    static func scheduledChange(_ id: String, _ request: ScheduleRequest, _ change: ChangeInfo) -> ChangeInfo {
        ChangeInfo(actor: change.actor, message: "schedule \(id) for \(Timestamp.format(request.at))")
    }

    static func cancelledChange(_ id: String, _ change: ChangeInfo) -> ChangeInfo {
        ChangeInfo(actor: change.actor, message: change.message ?? "cancelled schedule \(id)")
    }

    static func failedChange(_ id: String, _ reason: String) -> ChangeInfo {
        ChangeInfo(actor: FlagStore.schedulerActor, message: "schedule \(id) failed: \(reason)")
    }

    /// The refusal to cancel a schedule that is no longer pending.
    static func notPending(_ record: ScheduleRecord) -> StoreError {
        StoreError.conflict("schedule \(record.id) is \(record.status.rawValue), not pending: only a pending schedule can be cancelled")
    }

    static func flag(_ values: [Value]) throws -> [Instruction] {
        try decode([Instruction].self, values)
    }

    static func members(_ values: [Value]) throws -> [MemberInstruction] {
        try decode([MemberInstruction].self, values)
    }

    private static func decode<T: Decodable>(_ type: T.Type, _ values: [Value]) throws -> T {
        do {
            return try ClutchJSON.decode(type, from: try ClutchJSON.encode(values))
        } catch let error as DecodingError {
            let (path, message) = describe(error)
            throw StoreError.invalid(ValidationError(path: path, message))
        }
    }

    private static func describe(_ error: DecodingError) -> (String, String) {
        func path(_ keys: [any CodingKey]) -> String {
            keys.reduce("instructions") { path, key in
                key.intValue.map { "\(path)[\($0)]" } ?? "\(path).\(key.stringValue)"
            }
        }
        switch error {
        case .dataCorrupted(let context): return (path(context.codingPath), context.debugDescription)
        case .keyNotFound(let key, let context): return (path(context.codingPath + [key]), "is required")
        case .typeMismatch(_, let context), .valueNotFound(_, let context): return (path(context.codingPath), context.debugDescription)
        @unknown default: return ("instructions", "\(error)")
        }
    }
}

extension Tables {
    static func schedule(_ row: Row) throws -> ScheduleRecord {
        ScheduleRecord(
            id: try row.decode(String.self, forColumn: "id"),
            kind: ScheduleRecord.Kind(rawValue: try row.decode(String.self, forColumn: "kind")) ?? .flag,
            key: try row.decode(String.self, forColumn: "key"),
            environment: try row.decode(String.self, forColumn: "environment"),
            instructions: try decode([Value].self, try row.decode(String.self, forColumn: "instructions")),
            message: try row.decode(String?.self, forColumn: "message"),
            at: try row.decode(Date.self, forColumn: "due_at"),
            status: ScheduleRecord.Status(rawValue: try row.decode(String.self, forColumn: "status")) ?? .failed,
            createdAt: try row.decode(Date.self, forColumn: "created_at"),
            createdBy: try row.decode(String.self, forColumn: "created_by"),
            finishedAt: try row.decode(Date?.self, forColumn: "finished_at"),
            finishedBy: try row.decode(String?.self, forColumn: "finished_by"),
            revision: try row.decode(Int64?.self, forColumn: "revision"),
            error: try row.decode(String?.self, forColumn: "error"),
            note: try row.decode(String?.self, forColumn: "note"))
    }

    static func schedule(_ db: Database, _ id: String) throws -> ScheduleRecord? {
        try Row.fetchOne(db, sql: "SELECT * FROM schedule WHERE id = ?", arguments: [id]).map(schedule)
    }

    static func requireSchedule(_ db: Database, _ id: String) throws -> ScheduleRecord {
        guard let record = try schedule(db, id) else { throw StoreError.notFound("schedule '\(id)' does not exist") }
        return record
    }
}
