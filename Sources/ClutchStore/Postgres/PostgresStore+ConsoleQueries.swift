import ClutchCore
import Foundation
import PostgresNIO

// The web console's reads, keyset-paged as in ``FlagStore`` so that a late page costs what the first costs.
extension PostgresStore {
    public func auditPage(
        flag: String?, actor: String?, since: Date?, until: Date?, before: Int64?, limit: Int
    ) async throws -> AuditPage {
        let limit = max(1, limit)
        return try await read { session in
            var conditions: [String] = []
            var binds = PostgresBindings()
            if let flag {
                binds.append(flag)
                conditions.append("entity = 'flag' AND key = $\(binds.count)")
            }
            if let actor {
                binds.append(actor)
                conditions.append("actor = $\(binds.count)")
            }
            if let since {
                binds.append(since)
                conditions.append("at >= $\(binds.count)")
            }
            if let until {
                binds.append(until)
                conditions.append("at < $\(binds.count)")
            }
            if let before {
                binds.append(before)
                conditions.append("id < $\(binds.count)")
            }
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            binds.append(Int64(limit + 1))
            let rows = try await session.rows(
                PostgresQuery(unsafeSQL: "SELECT * FROM audit_event \(filter) ORDER BY id DESC LIMIT $\(binds.count)", binds: binds))
            let events = try rows.prefix(limit).map(Self.auditEvent)
            return AuditPage(events: events, nextBefore: rows.count > limit ? events.last?.id : nil)
        }
    }

    public func auditActors() async throws -> [String] {
        try await read { session in try await session.values(String.self, "SELECT DISTINCT actor FROM audit_event ORDER BY actor") }
    }

    public func memberPage(
        cohort key: String, environment: String, after: String?, search: String?, limit: Int
    ) async throws -> (record: CohortRecord, page: MemberPage) {
        let limit = max(1, limit)
        return try await read { session in
            try await PostgresTables.requireEnvironment(session, environment)
            guard let record = try await PostgresTables.cohortDefinition(session, key, environment: environment) else {
                throw StoreError.notFound("cohort '\(key)' does not exist in environment '\(environment)'")
            }
            var binds = PostgresBindings()
            binds.append(environment)
            binds.append(key)
            var sql = "SELECT member FROM cohort_member WHERE environment = $1 AND cohort = $2"
            if let after {
                binds.append(after)
                sql += " AND member > $\(binds.count)"
            }
            if let search, !search.isEmpty {
                // strpos, not LIKE: no wildcard in a member id can widen the search.
                binds.append(search)
                sql += " AND strpos(member, $\(binds.count)) > 0"
            }
            binds.append(Int64(limit + 1))
            sql += " ORDER BY member LIMIT $\(binds.count)"
            let members = try await session.values(String.self, PostgresQuery(unsafeSQL: sql, binds: binds))
            let page = Array(members.prefix(limit))
            let total = try await PostgresTables.memberCount(session, key, environment: environment)
            return (record, MemberPage(members: page, nextAfter: members.count > limit ? page.last : nil, total: total))
        }
    }

    public func cohortSummaries(environment: String) async throws -> [(record: CohortRecord, size: Int)] {
        let summaries = try await read { session -> [CohortSummaryRow] in
            try await PostgresTables.requireEnvironment(session, environment)
            return try await session.rows("SELECT * FROM cohort WHERE environment = \(environment) ORDER BY key").map { row in
                CohortSummaryRow(record: try PostgresTables.cohortRecord(row), size: Int(try row.get("member_count", as: Int64.self)))
            }
        }
        return summaries.map { (record: $0.record, size: $0.size) }
    }

    public func rollbackPreview(flag key: String, to number: Int64?, environment: String?) async throws -> (diff: [FieldChange], target: Int64) {
        let preview = try await read { session -> RollbackPreview in
            let old = try await PostgresTables.requireFlag(session, key)
            let target = try FlagEdits.rollbackTarget(old, to: number)
            let (_, new, _) = try await Self.restored(session, key, to: target, environment: environment, ifRevision: nil)
            return RollbackPreview(diff: FlagDiff.changes(from: old.flag, to: new), target: target)
        }
        return (preview.diff, preview.target)
    }

    /// Sendable carriers for results that are tuples in the protocol.
    private struct CohortSummaryRow: Sendable {
        var record: CohortRecord
        var size: Int
    }

    private struct RollbackPreview: Sendable {
        var diff: [FieldChange]
        var target: Int64
    }
}
