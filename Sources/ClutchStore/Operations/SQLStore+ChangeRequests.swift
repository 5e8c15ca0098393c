import ClutchCore
import Foundation

/// Protected environments and change requests: in a protected environment a change that widens
/// exposure is applied only through a request its reviewers approved, pinned to the diff they
/// saw (``Rows/checkProtection(_:key:widening:change:)`` refuses it otherwise).
extension SQLStore {
    /// Protects `environment` (`protection`) or lifts its protection (`nil`).
    public func setProtection(environment: String, _ protection: EnvironmentProtection?, change: ChangeInfo) async throws -> EnvironmentRecord {
        if let protection, !(1...20).contains(protection.requiredApprovals) {
            throw StoreError.invalid(ValidationError(path: "protection.requiredApprovals", "give 1 to 20 approvals"))
        }
        return try await write { session in
            try await Rows.requireEnvironment(session, environment)
            let now = self.now()
            try await session.execute(
                """
                UPDATE environment SET required_approvals = \(Int64(protection?.requiredApprovals ?? 0)),
                                       allow_self_approval = \(protection?.allowSelfApproval ?? false)
                WHERE key = \(environment)
                """)
            try await Rows.audit(
                session, at: now, change: change, action: protection == nil ? "unprotect" : "protect", entity: "environment",
                key: environment, environment: environment, revision: nil)
            guard let record = try await Rows.environments(session).first(where: { $0.key == environment }) else {
                throw StoreError.notFound("environment '\(environment)' does not exist")
            }
            return record
        }
    }

    /// Opens a request to apply `request.instructions` to the flag's state in
    /// `request.environment`, pinned to the flag's revision now and the diff they make to it.
    /// `identity` is who the author counts as for self-approval (`person:<id>` or `token:<id>`).
    /// A cohort's request (`request.cohort`) is pinned likewise to the cohort's revision and the
    /// members its `memberInstructions` add and remove.
    public func openChangeRequest(_ request: ChangeRequestCreate, identity: String, change: ChangeInfo) async throws -> ChangeRequestRecord {
        try ChangeRequestShape.check(
            flag: request.flag, request.instructions, cohort: request.cohort, request.memberInstructions)
        return try await write { session in
            let (base, diff) = try await Rows.pin(
                session, flag: request.flag, request.instructions, cohort: request.cohort, request.memberInstructions,
                environment: request.environment)
            guard !diff.isEmpty else {
                throw StoreError.badRequest(
                    "the instructions change nothing in '\(request.cohort ?? request.flag)'",
                    field: request.cohort == nil ? "instructions" : "memberInstructions")
            }
            let now = self.now()
            let message = request.message ?? change.message
            let members = try request.memberInstructions.map(Tables.json)
            guard let row = try await session.row(
                """
                INSERT INTO change_request (flag, environment, instructions, message, due_at, status, base_revision, diff,
                                            created_at, created_by, author, author_identity, updated_at, cohort, member_instructions)
                VALUES (\(request.flag), \(request.environment), \(try Tables.json(request.instructions)), \(message), \(request.at),
                        'open', \(base), \(try Tables.json(diff)), \(now), \(change.actor), \(change.author?.text), \(identity), \(now),
                        \(request.cohort), \(members))
                RETURNING id
                """)
            else { throw SQLDecodingError(column: "id", type: Int64.self, reason: "the new change request got no id") }
            let (_, record) = try await Rows.settleReviews(session, try row.get("id"), now: now)
            try await Rows.recordRequestStep(session, record, action: "open", event: .changeRequestOpened, change: change, now: now)
            return record
        }
    }

    /// Requests, newest first; only those with `status`, of `flag`, when given.
    public func changeRequests(status: ChangeRequestRecord.Status? = nil, flag: String? = nil, limit: Int = 500) async throws -> [ChangeRequestRecord] {
        try await read { session in
            var records: [ChangeRequestRecord] = []
            for row in try await session.rows(
                """
                SELECT * FROM change_request
                WHERE (CAST(\(status?.rawValue) AS TEXT) IS NULL OR status = \(status?.rawValue))
                  AND (CAST(\(flag) AS TEXT) IS NULL OR flag = \(flag))
                ORDER BY id DESC LIMIT \(limit)
                """)
            {
                records.append(try await Rows.changeRequest(session, row))
            }
            return records
        }
    }

    /// One request.
    public func changeRequest(_ id: Int64) async throws -> ChangeRequestRecord {
        try await read { session in try await Rows.requireChangeRequest(session, id) }
    }

    /// Records a review by `identity`. The author's own approval is refused unless the
    /// environment allows it; whoever may approve is the caller's to check (editor rights there).
    public func reviewChangeRequest(
        _ id: Int64, verdict: ReviewVerdict, comment: String?, identity: String, change: ChangeInfo
    ) async throws -> ChangeRequestRecord {
        try await write { session in
            let record = try await Rows.requireChangeRequest(session, id)
            try Rows.requirePending(record)
            if verdict == .approve,
               try await session.exists("SELECT 1 FROM change_request WHERE id = \(id) AND author_identity = \(identity)"),
               try await Rows.protection(session, of: record.environment)?.allowSelfApproval != true
            {
                throw StoreError.conflict(
                    "\(change.actor) opened change request \(id): \(record.environment) needs the approval of someone else", field: "verdict")
            }
            let now = self.now()
            try await session.execute(
                """
                INSERT INTO change_request_review (request_id, reviewer, reviewer_identity, verdict, comment, at, withdrawn)
                VALUES (\(id), \(change.actor), \(identity), \(verdict.rawValue), \(comment), \(now), \(false))
                """)
            let (before, after) = try await Rows.settleReviews(session, id, now: now)
            var described = change
            if let comment, !comment.isEmpty { described.message = comment }
            let event: WebhookEventType? = switch after.status {
            case .approved where before.status != .approved: .changeRequestApproved
            case .declined where before.status != .declined: .changeRequestDeclined
            default: nil
            }
            try await Rows.recordRequestStep(session, after, action: verdict.rawValue, event: event, change: described, now: now)
            // An approved request with a time: the scheduler looks again (on every replica).
            if after.status == .approved, after.at != nil { try await session.queue(.schedules) }
            return after
        }
    }

    /// Replaces a pending request's instructions, pinned anew to the flag as it is now: every
    /// review is withdrawn (its reviewers approved another diff).
    public func editChangeRequest(_ id: Int64, _ edit: ChangeRequestEdit, change: ChangeInfo) async throws -> ChangeRequestRecord {
        try await write { session in
            let record = try await Rows.requireChangeRequest(session, id)
            try ChangeRequestShape.check(
                flag: record.flag, edit.instructions, cohort: record.cohort, edit.memberInstructions)
            try Rows.requirePending(record)
            let (base, diff) = try await Rows.pin(
                session, flag: record.flag, edit.instructions, cohort: record.cohort, edit.memberInstructions, environment: record.environment)
            guard !diff.isEmpty else {
                throw StoreError.badRequest(
                    "the instructions change nothing in '\(record.cohort ?? record.flag)'",
                    field: record.cohort == nil ? "instructions" : "memberInstructions")
            }
            let now = self.now()
            try await session.execute(
                """
                UPDATE change_request SET instructions = \(try Tables.json(edit.instructions)), diff = \(try Tables.json(diff)),
                       member_instructions = \(try edit.memberInstructions.map(Tables.json)),
                       base_revision = \(base), message = \(edit.message ?? record.message)
                WHERE id = \(id)
                """)
            try await session.execute("UPDATE change_request_review SET withdrawn = \(true) WHERE request_id = \(id)")
            let (_, after) = try await Rows.settleReviews(session, id, now: now)
            try await Rows.recordRequestStep(session, after, action: "edit", event: nil, change: change, now: now)
            return after
        }
    }

    /// Cancels a pending request.
    public func cancelChangeRequest(_ id: Int64, change: ChangeInfo) async throws -> ChangeRequestRecord {
        try await write { session in
            let record = try await Rows.requireChangeRequest(session, id)
            try Rows.requirePending(record)
            let now = self.now()
            try await session.execute("UPDATE change_request SET status = 'cancelled', updated_at = \(now) WHERE id = \(id)")
            let after = try await Rows.requireChangeRequest(session, id)
            try await Rows.recordRequestStep(session, after, action: "cancel", event: nil, change: change, now: now)
            return after
        }
    }

    /// Applies an approved request's instructions to the flag as it is now, in one transaction
    /// with the request's state change. When the diff they make now is not the one approved, or
    /// an instruction no longer applies, nothing is applied, the request needs review again
    /// (its approvals are withdrawn) and the refusal (conflict) names the difference.
    public func applyChangeRequest(_ id: Int64, change: ChangeInfo) async throws -> Change<ChangeRequestRecord> {
        let (result, refusal) = try await write { session in
            try await Rows.applyApproved(session, try await Rows.requireChangeRequest(session, id), change: change, now: self.now())
        }
        if let refusal { throw StoreError.conflict(refusal + "; it needs review again") }
        return result
    }

    /// When the next approved request with a time (`at`) is due, if any is.
    public func nextChangeRequestDue() async throws -> Date? {
        try await read { session in
            try await session.value(Date.self, "SELECT MIN(due_at) FROM change_request WHERE status = 'approved' AND due_at IS NOT NULL")
        }
    }

    /// The approved requests due at `now`, oldest first.
    public func dueChangeRequests(now: Date) async throws -> [Int64] {
        try await read { session in
            try await session.values(
                Int64.self, "SELECT id FROM change_request WHERE status = 'approved' AND due_at <= \(now) ORDER BY due_at, id")
        }
    }

    /// Applies approved request `id` if it is due, as the scheduler for its author, with the
    /// author's rights as they are now (the schedule's check): one whose author lost them, or
    /// whose change no longer applies, is marked `failed` with the reason (`change_request.failed`);
    /// one whose diff changed needs review again, as with ``applyChangeRequest(_:change:)``.
    public func runChangeRequest(_ id: Int64, now: Date) async throws -> Change<ChangeRequestRecord?> {
        do {
            return try await write { session -> Change<ChangeRequestRecord?> in
                let record = try await Rows.requireChangeRequest(session, id)
                guard record.status == .approved, let at = record.at, at <= now else { return Change(value: nil, versions: [:]) }
                if let author = try await session.value(String.self, "SELECT author FROM change_request WHERE id = \(id)")
                    .flatMap(ChangeAuthor.init(text:))
                {
                    try await Rows.requireRights(session, author, named: record.createdBy, for: .edit(environment: record.environment), now: now)
                }
                let change = ChangeInfo(actor: "\(ScheduleInstructions.schedulerActor) for \(record.createdBy)", message: record.message)
                let (result, _) = try await Rows.applyApproved(session, record, change: change, now: now)
                return result.with(Optional(result.value))
            }
        } catch let error as StoreError {
            return try await write { session in
                let reason = "change request \(id) could not be applied: \(error.message)"
                try await session.execute(
                    "UPDATE change_request SET status = 'failed', reason = \(reason), updated_at = \(now) WHERE id = \(id) AND status = 'approved'")
                let failed = try await Rows.requireChangeRequest(session, id)
                try await Rows.recordRequestStep(
                    session, failed, action: "fail", event: .changeRequestFailed,
                    change: ChangeInfo(actor: ScheduleInstructions.schedulerActor, message: reason), now: now)
                return Change(value: failed, versions: [:])
            }
        }
    }
}

/// The two shapes of a request, checked before anything is read: a flag with `instructions`, or
/// a cohort with `memberInstructions` — one of them, with at least one instruction.
enum ChangeRequestShape {
    static func check(
        flag: String, _ instructions: [Instruction], cohort: String?, _ members: [MemberInstruction]?
    ) throws {
        if cohort != nil {
            guard flag.isEmpty, instructions.isEmpty else {
                throw StoreError.badRequest("a request changes a flag (flag, instructions) or a cohort (cohort, memberInstructions), not both", field: "cohort")
            }
            guard let members, !members.isEmpty else {
                throw StoreError.invalid(ValidationError(path: "memberInstructions", "give at least one member instruction"))
            }
            return
        }
        guard members == nil else {
            throw StoreError.badRequest("memberInstructions change a cohort: name it with cohort, not flag", field: "memberInstructions")
        }
        guard !flag.isEmpty else { throw StoreError.badRequest("name the flag (or the cohort) the request changes", field: "flag") }
        guard !instructions.isEmpty else {
            throw StoreError.invalid(ValidationError(path: "instructions", "give at least one instruction"))
        }
    }
}
