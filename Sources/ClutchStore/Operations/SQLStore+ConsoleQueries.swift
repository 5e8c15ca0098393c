import ClutchCore
import Foundation

// Reads the web console needs beyond the API's: filtered, paged audit events, paged members,
// the flags that use a cohort, and a restore's preview. Pages are keyset-paged (`id < before`,
// `member > after`) so that page 500 of 100,000 members costs what page 1 costs.
extension SQLStore {
    // MARK: Audit

    /// Audit events newest first: at or after `since`, about flag `flag` when given, at most `limit`.
    public func auditEvents(since: Date?, flag: String?, limit: Int) async throws -> [AuditEvent] {
        // The console's filtered page, with no actor, end or cursor: one query for both.
        guard limit > 0 else { return [] }
        return try await auditPage(flag: flag, actor: nil, since: since, until: nil, before: nil, limit: limit).events
    }

    /// Audit events newest first, filtered by flag, actor (exact) and time range, `limit` at a
    /// time; `before` continues from a previous page's ``AuditPage/nextBefore``.
    public func auditPage(
        flag: String?, actor: String?, since: Date?, until: Date?, before: Int64?, limit: Int
    ) async throws -> AuditPage {
        let limit = max(1, limit)
        var conditions: [SQL] = []
        if let flag { conditions.append("entity = 'flag' AND key = \(flag)") }
        if let actor { conditions.append("actor = \(actor)") }
        if let since { conditions.append("at >= \(since)") }
        if let until { conditions.append("at < \(until)") }
        if let before { conditions.append("id < \(before)") }
        var query: SQL = "SELECT * FROM audit_event"
        for (index, condition) in conditions.enumerated() {
            query = "\(query)\(raw: index == 0 ? " WHERE " : " AND ")\(condition)"
        }
        let statement: SQL = "\(query) ORDER BY id DESC LIMIT \(limit + 1)"
        return try await read { session in
            let rows = try await session.rows(statement)
            let events = try rows.prefix(limit).map(Rows.auditEvent)
            return AuditPage(events: events, nextBefore: rows.count > limit ? events.last?.id : nil)
        }
    }

    /// The actors that appear in the audit log, sorted by their bytes (for the console's actor filter).
    public func auditActors() async throws -> [String] {
        try await read { session in
            // The collation goes on the selected column: PostgreSQL orders a DISTINCT only by what it selects.
            try await session.values(
                String.self, "SELECT DISTINCT actor\(raw: session.dialect.byteOrder) AS actor FROM audit_event ORDER BY actor")
        }
    }

    // MARK: Cohorts

    /// The cohort's definition (without members) and one page of its members after `after`
    /// (in byte order), at most `limit`; members containing `search` only, when given.
    public func memberPage(
        cohort key: String, environment: String, after: String?, search: String?, limit: Int
    ) async throws -> (record: CohortRecord, page: MemberPage) {
        let limit = max(1, limit)
        var selection: SQL = "SELECT member FROM cohort_member WHERE environment = \(environment) AND cohort = \(key)"
        if let after { selection = "\(selection) AND member > \(after)" }
        if let search, !search.isEmpty {
            // A position, not LIKE: no wildcard in a member id can widen the search.
            selection = "\(selection) AND \(raw: backend.dialect.position)(member, \(search)) > 0"
        }
        // Byte order on both databases (PostgreSQL: the column's collation is "C").
        let statement: SQL = "\(selection) ORDER BY member LIMIT \(limit + 1)"
        let found = try await read { session -> MemberPageRead in
            try await Rows.requireEnvironment(session, environment)
            guard let record = try await Rows.cohortDefinition(session, key, environment: environment) else {
                throw StoreError.notFound("cohort '\(key)' does not exist in environment '\(environment)'")
            }
            let members = try await session.values(String.self, statement)
            let page = Array(members.prefix(limit))
            let total = try await Rows.memberCount(session, key, environment: environment)
            return MemberPageRead(record: record, page: MemberPage(members: page, nextAfter: members.count > limit ? page.last : nil, total: total))
        }
        return (found.record, found.page)
    }

    /// The cohorts of `environment` without their members, with their member counts, sorted by key.
    public func cohortSummaries(environment: String) async throws -> [(record: CohortRecord, size: Int)] {
        let summaries = try await read { session -> [CohortSummary] in
            try await Rows.requireEnvironment(session, environment)
            return try await session.rows(
                "SELECT * FROM cohort WHERE environment = \(environment) ORDER BY key\(raw: session.dialect.byteOrder)"
            ).map { row in
                CohortSummary(record: try Rows.cohortRecord(row), size: try row.get("member_count", as: Int?.self) ?? 0)
            }
        }
        return summaries.map { (record: $0.record, size: $0.size) }
    }

    // MARK: Rollback

    /// What restoring revision `number` (one environment, or the whole flag) would change, and
    /// the revision restored, without writing: the same computation as ``rollback(flag:to:environment:ifRevision:change:)``.
    public func rollbackPreview(
        flag key: String, to number: Int64?, environment: String?
    ) async throws -> (diff: [FieldChange], target: Int64, before: Flag, after: Flag) {
        let preview = try await read { session -> RollbackPreview in
            let old = try await Rows.requireFlag(session, key)
            let target = try FlagEdits.rollbackTarget(old, to: number)
            let (_, new, _) = try await Rows.restored(session, key, to: target, environment: environment, ifRevision: nil)
            return RollbackPreview(diff: FlagDiff.changes(from: old.flag, to: new), target: target, before: old.flag, after: new)
        }
        return (preview.diff, preview.target, preview.before, preview.after)
    }
}

/// Sendable carriers for results that are tuples in the protocol (a transaction's result must be Sendable).
private struct MemberPageRead: Sendable {
    var record: CohortRecord
    var page: MemberPage
}

private struct CohortSummary: Sendable {
    var record: CohortRecord
    var size: Int
}

private struct RollbackPreview: Sendable {
    var diff: [FieldChange]
    var target: Int64
    var before: Flag
    var after: Flag
}
