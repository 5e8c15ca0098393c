import ClutchCore
import Foundation
import GRDB

/// One page of audit events, newest first, and where the next page starts.
public struct AuditPage: Sendable, Hashable {
    public var events: [AuditEvent]
    /// The id to pass as `before` for the next (older) page; `nil` on the last page.
    public var nextBefore: Int64?
}

/// One page of a cohort's explicit members, in byte order, and where the next page starts.
public struct MemberPage: Sendable, Hashable {
    public var members: [String]
    /// The member to pass as `after` for the next page; `nil` on the last page.
    public var nextAfter: String?
    /// How many members the cohort has in all.
    public var total: Int
}

// Reads the web console needs beyond the API's: filtered, paged audit events, paged members,
// the flags that use a cohort, and a restore's preview. Pages are keyset-paged (`id < before`,
// `member > after`) so that page 500 of 100,000 members costs what page 1 costs.
extension FlagStore {
    /// Audit events newest first, filtered by flag, actor (exact) and time range, `limit` at a
    /// time; `before` continues from a previous page's ``AuditPage/nextBefore``.
    public func auditPage(
        flag: String?, actor: String?, since: Date?, until: Date?, before: Int64?, limit: Int
    ) async throws -> AuditPage {
        let limit = max(1, limit)
        return try await pool.read { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let flag {
                conditions.append("entity = 'flag' AND key = ?")
                arguments += [flag]
            }
            if let actor {
                conditions.append("actor = ?")
                arguments += [actor]
            }
            if let since {
                conditions.append("at >= ?")
                arguments += [since]
            }
            if let until {
                conditions.append("at < ?")
                arguments += [until]
            }
            if let before {
                conditions.append("id < ?")
                arguments += [before]
            }
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            arguments += [limit + 1]
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM audit_event \(filter) ORDER BY id DESC LIMIT ?", arguments: arguments)
            let events = try rows.prefix(limit).map(FlagStore.auditEvent)
            return AuditPage(events: events, nextBefore: rows.count > limit ? events.last?.id : nil)
        }
    }

    /// The actors that appear in the audit log, sorted (for the console's actor filter).
    public func auditActors() async throws -> [String] {
        try await pool.read { db in try String.fetchAll(db, sql: "SELECT DISTINCT actor FROM audit_event ORDER BY actor") }
    }

    static func auditEvent(_ row: Row) throws -> AuditEvent {
        AuditEvent(
            id: try row.decode(Int64.self, forColumn: "id"),
            at: try row.decode(Date.self, forColumn: "at"),
            actor: try row.decode(String.self, forColumn: "actor"),
            action: try row.decode(String.self, forColumn: "action"),
            entity: try row.decode(String.self, forColumn: "entity"),
            key: try row.decode(String.self, forColumn: "key"),
            environment: try row.decode(String?.self, forColumn: "environment"),
            revision: try row.decode(Int64?.self, forColumn: "revision"),
            message: try row.decode(String?.self, forColumn: "message"))
    }

    /// The cohort's definition (without members) and one page of its members after `after`
    /// (in byte order), at most `limit`; members containing `search` only, when given.
    public func memberPage(
        cohort key: String, environment: String, after: String?, search: String?, limit: Int
    ) async throws -> (record: CohortRecord, page: MemberPage) {
        let limit = max(1, limit)
        return try await pool.read { db in
            try Tables.requireEnvironment(db, environment)
            guard let record = try Tables.cohortDefinition(db, key, environment: environment) else {
                throw StoreError.notFound("cohort '\(key)' does not exist in environment '\(environment)'")
            }
            var sql = "SELECT member FROM cohort_member WHERE environment = ? AND cohort = ?"
            var arguments: StatementArguments = [environment, key]
            if let after {
                sql += " AND member > ?"
                arguments += [after]
            }
            if let search, !search.isEmpty {
                // instr, not LIKE: no wildcard in a member id can widen the search.
                sql += " AND instr(member, ?) > 0"
                arguments += [search]
            }
            sql += " ORDER BY member LIMIT ?"
            arguments += [limit + 1]
            let members = try String.fetchAll(db, sql: sql, arguments: arguments)
            let page = Array(members.prefix(limit))
            let total = try Tables.memberCount(db, key, environment: environment)
            return (record, MemberPage(members: page, nextAfter: members.count > limit ? page.last : nil, total: total))
        }
    }

    /// The cohorts of `environment` without their members, with their member counts.
    public func cohortSummaries(environment: String) async throws -> [(record: CohortRecord, size: Int)] {
        try await pool.read { db in
            try Tables.requireEnvironment(db, environment)
            return try Row.fetchAll(db, sql: "SELECT * FROM cohort WHERE environment = ? ORDER BY key", arguments: [environment])
                .map { row in (record: try Tables.cohortRecord(row), size: row["member_count"] as Int? ?? 0) }
        }
    }

    /// What restoring revision `number` (one environment, or the whole flag) would change, and
    /// the revision restored, without writing: the same computation as ``rollback(flag:to:environment:ifRevision:change:)``.
    public func rollbackPreview(flag key: String, to number: Int64?, environment: String?) async throws -> (diff: [FieldChange], target: Int64) {
        try await pool.read { db in
            let old = try Tables.requireFlag(db, key)
            let target = try FlagEdits.rollbackTarget(old, to: number)
            let (_, new, _) = try FlagStore.restored(db, key, to: target, environment: environment, ifRevision: nil)
            return (FlagDiff.changes(from: old.flag, to: new), target)
        }
    }
}
