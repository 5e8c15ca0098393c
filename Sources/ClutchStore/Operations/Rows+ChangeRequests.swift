import ClutchCore
import Foundation

/// Change requests, row by row.
extension Rows {
    /// A request with its reviews and the approvals that count now.
    static func requireChangeRequest(_ session: any SQLSession, _ id: Int64) async throws -> ChangeRequestRecord {
        guard let row = try await session.row("SELECT * FROM change_request WHERE id = \(id)") else {
            throw StoreError.notFound("change request \(id) does not exist")
        }
        return try await changeRequest(session, row)
    }

    static func changeRequest(_ session: any SQLSession, _ row: SQLRow) async throws -> ChangeRequestRecord {
        let id = try row.get("id", as: Int64.self)
        let environment = try row.get("environment", as: String.self)
        let members: String? = try row.get("member_instructions")
        let reviews = try await reviewRows(session, id)
        return ChangeRequestRecord(
            id: id, flag: try row.get("flag"), environment: environment,
            instructions: try Tables.decode([Instruction].self, try row.get("instructions")), message: try row.get("message"),
            at: try row.get("due_at"),
            status: ChangeRequestRecord.Status(rawValue: try row.get("status", as: String.self)) ?? .failed, reason: try row.get("reason"),
            baseRevision: try row.get("base_revision"), diff: try Tables.decode([FieldChange].self, try row.get("diff")),
            createdAt: try row.get("created_at"), createdBy: try row.get("created_by"), updatedAt: try row.get("updated_at"),
            appliedRevision: try row.get("applied_revision"),
            approvals: ReviewTally(reviews.map(\.tallied)).approvals,
            requiredApprovals: try await protection(session, of: environment)?.requiredApprovals ?? 0,
            reviews: reviews.map(\.review), cohort: try row.get("cohort"),
            memberInstructions: try members.map { try Tables.decode([MemberInstruction].self, $0) })
    }

    /// What a request is pinned to now: the revision of its flag or cohort and the diff its
    /// instructions make to it — a flag's fields, or a cohort's `members.added` and
    /// `members.removed` (the members named that are not yet in, and those named that are).
    static func pin(
        _ session: any SQLSession, flag: String, _ instructions: [Instruction], cohort: String?, _ members: [MemberInstruction]?,
        environment: String
    ) async throws -> (base: Int64, diff: [FieldChange]) {
        guard let cohort else {
            let (old, _, diff) = try await plan(session, instructions, flag, environment, nil)
            return (old.revision, try Tables.decode([FieldChange].self, try Tables.json(diff)))
        }
        try await requireEnvironment(session, environment, field: "environment")
        guard let record = try await cohortDefinition(session, cohort, environment: environment) else {
            throw StoreError.notFound("cohort '\(cohort)' does not exist in environment '\(environment)'", field: "cohort")
        }
        let requested = try memberChange(members ?? [])
        let named = requested.added + requested.removed
        let present = named.isEmpty ? [] : Set(try await session.values(
            String.self,
            """
            SELECT member FROM cohort_member
            WHERE environment = \(environment) AND cohort = \(cohort) AND \(session.dialect.isElement("member", of: named))
            """).map { Array($0.utf8) })
        let added = requested.added.filter { !present.contains(Array($0.utf8)) }
        let removed = requested.removed.filter { present.contains(Array($0.utf8)) }
        var diff: [FieldChange] = []
        if !added.isEmpty { diff.append(FieldChange(path: "members.added", before: nil, after: .array(added.map(Value.string)))) }
        if !removed.isEmpty { diff.append(FieldChange(path: "members.removed", before: .array(removed.map(Value.string)), after: nil)) }
        return (record.revision, diff)
    }

    /// Every review of request `id`, oldest first, with the identity each counts as.
    static func reviewRows(_ session: any SQLSession, _ id: Int64) async throws -> [(review: ChangeRequestReview, tallied: ReviewTally.Entry)] {
        try await session.rows("SELECT * FROM change_request_review WHERE request_id = \(id) ORDER BY id").map { row in
            let review = ChangeRequestReview(
                reviewer: try row.get("reviewer"), verdict: ReviewVerdict(rawValue: try row.get("verdict", as: String.self)) ?? .comment,
                comment: try row.get("comment"), at: try row.get("at"), withdrawn: try row.get("withdrawn"))
            return (review, ReviewTally.Entry(identity: try row.get("reviewer_identity"), verdict: review.verdict, withdrawn: review.withdrawn))
        }
    }

    /// Sets an open, approved or declined request's status from its reviews, as ``ReviewTally``
    /// says; returns the status it had before.
    @discardableResult
    static func settleReviews(_ session: any SQLSession, _ id: Int64, reason: String? = nil, now: Date) async throws -> (before: ChangeRequestRecord, after: ChangeRequestRecord) {
        let before = try await requireChangeRequest(session, id)
        let tally = ReviewTally(try await reviewRows(session, id).map(\.tallied))
        let status = tally.status(required: before.requiredApprovals)
        try await session.execute(
            "UPDATE change_request SET status = \(status.rawValue), reason = \(reason), updated_at = \(now) WHERE id = \(id)")
        return (before, try await requireChangeRequest(session, id))
    }

    /// The net change of a cohort request's member instructions (invalid ones refused, naming
    /// `memberInstructions[i]…`).
    static func memberChange(_ instructions: [MemberInstruction]) throws -> MemberChange {
        do {
            return try MemberInstruction.netChange(instructions)
        } catch {
            throw StoreError.invalid(error, prefix: "memberInstructions")
        }
    }

    /// Writes the audit event and the webhook event of one step of request `record`.
    static func recordRequestStep(
        _ session: any SQLSession, _ record: ChangeRequestRecord, action: String, event: WebhookEventType?, change: ChangeInfo, now: Date
    ) async throws {
        var described = change
        described.message = change.message ?? "change request \(record.id)"
        try await audit(
            session, at: now, change: described, action: "change_request.\(action)", entity: record.cohort == nil ? "flag" : "cohort",
            key: record.cohort ?? record.flag, environment: record.environment, revision: record.appliedRevision)
        if let event { try await recordEvent(session, type: event, data: record, at: now) }
    }

    /// Applies approved `record` in the caller's transaction: its instructions to the flag as it
    /// is now, when they make the diff approved (then the request is `applied`); otherwise
    /// nothing of them, the request's reviews are withdrawn and the refusal, naming the
    /// difference, is returned with the reopened request (and `change_request.failed` queued).
    static func applyApproved(
        _ session: any SQLSession, _ record: ChangeRequestRecord, change: ChangeInfo, now: Date
    ) async throws -> (Change<ChangeRequestRecord>, refusal: String?) {
        let id = record.id
        try requirePending(record)
        guard record.status == .approved else {
            let standing = record.status == .declined
                ? "it was declined" : "it has \(record.approvals) of the \(record.requiredApprovals) approvals it needs"
            throw StoreError.conflict("change request \(id) is not approved: \(standing)")
        }
        let refusal: String
        do {
            let (_, made) = try await pin(
                session, flag: record.flag, record.instructions, cohort: record.cohort, record.memberInstructions, environment: record.environment)
            if made == record.diff {
                var cleared = change
                cleared.clearance = .changeRequest(id: id)
                if cleared.message == nil { cleared.message = record.message ?? "change request \(id)" }
                let written: Change<Int64?>
                if let cohort = record.cohort {
                    let members = try await applyMembers(
                        session, try memberChange(record.memberInstructions ?? []), cohort: cohort,
                        environment: record.environment, change: cleared)
                    written = members.with(Optional(members.value.revision))
                } else {
                    let (old, new, _) = try await plan(session, record.instructions, record.flag, record.environment, nil)
                    let flag = try await commitFlag(session, key: record.flag, old: old, new: new, action: "change", change: cleared, now: now)
                    written = flag.with(flag.value?.revision)
                }
                let revision = written.value
                try await session.execute(
                    """
                    UPDATE change_request SET status = 'applied', reason = NULL, applied_revision = \(revision), updated_at = \(now)
                    WHERE id = \(id)
                    """)
                let applied = try await requireChangeRequest(session, id)
                try await recordRequestStep(session, applied, action: "apply", event: .changeRequestApplied, change: change, now: now)
                return (written.with(applied), nil)
            }
            refusal = "the \(record.cohort == nil ? "flag" : "cohort") changed since change request \(id) was approved: it would now change "
                + describe(made) + " instead of the approved " + describe(record.diff)
        } catch let error as StoreError {
            refusal = "change request \(id) no longer applies: \(error.description)"
        }
        try await session.execute("UPDATE change_request_review SET withdrawn = \(true) WHERE request_id = \(id)")
        let (_, reopened) = try await settleReviews(session, id, reason: refusal, now: now)
        var described = change
        described.message = refusal
        try await recordRequestStep(session, reopened, action: "refuse", event: .changeRequestFailed, change: described, now: now)
        return (Change(value: reopened, versions: [:]), refusal)
    }

    /// A diff in one line: `environments.production.enabled: false → true, …`.
    static func describe(_ diff: [FieldChange]) -> String {
        diff.isEmpty ? "nothing" : diff.map { "\($0.path): \($0.beforeText) → \($0.afterText)" }.joined(separator: ", ")
    }

    /// Whether `record` may still change (reviews, edits, cancel, apply).
    static func requirePending(_ record: ChangeRequestRecord) throws {
        guard [.open, .approved, .declined].contains(record.status) else {
            throw StoreError.conflict("change request \(record.id) is \(record.status.rawValue): it can no longer change")
        }
    }
}

/// What a request's reviews add up to: each reviewer counts once, by their latest approve or
/// decline that an edit did not withdraw (a comment changes no verdict); one standing decline
/// blocks the request until its reviewer approves or the request is edited.
struct ReviewTally: Sendable {
    struct Entry: Sendable {
        /// `person:<id>` (all of one person's tokens are that person) or `token:<id>`.
        var identity: String
        var verdict: ReviewVerdict
        var withdrawn: Bool
    }

    /// Reviewer identity → standing verdict.
    var verdicts: [String: ReviewVerdict] = [:]

    init(_ entries: [Entry]) {
        for entry in entries where !entry.withdrawn && entry.verdict != .comment {
            verdicts[entry.identity] = entry.verdict
        }
    }

    var approvals: Int { verdicts.values.count { $0 == .approve } }
    var declined: Bool { verdicts.values.contains(.decline) }

    func status(required: Int) -> ChangeRequestRecord.Status {
        if declined { return .declined }
        return approvals >= required ? .approved : .open
    }
}
