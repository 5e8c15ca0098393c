import ClutchCore
import Foundation

/// What a flag's lifecycle is read from, written once for both databases: its usage and when
/// its state last changed in each environment (`flag_state_change`).
extension Rows {
    /// `records` with their usage and their lifecycle at `now` (``FlagLifecycle``); `flags` names
    /// the flags they are, to read only their rows (`nil`: every flag's).
    static func withLifecycle(
        _ session: any SQLSession, _ records: [FlagRecord], flags: [String]?, now: Date, unusedDays: Int = FlagLifecycle.unusedDays
    ) async throws -> [FlagRecord] {
        let usage = try await usage(session, flags: flags)
        let changes = try await stateChanges(session, flags: flags)
        let environments = try await environmentKeys(session)
        let members = if records.contains(where: { $0.flag.owner != nil }) { try await memberEmails(session) } else { [String: String]() }
        return records.map { record in
            var record = record
            record.usage = usage[record.flag.key]
            if let owner = record.flag.owner, members[PeopleRules.emailKey(owner)] == nil { record.ownerRemoved = true }
            record.lifecycle = FlagLifecycle.of(
                record.flag, createdAt: record.createdAt, usage: record.usage ?? [:], stateChangedAt: changes[record.flag.key] ?? [:],
                environments: environments, now: now, unusedDays: unusedDays)
            return record
        }
    }

    /// `WHERE` choosing the rows of `flags` by their column `flag` (every row when `nil`).
    static func onlyFlags(_ flags: [String]?, _ dialect: SQLDialect) -> SQL {
        guard let flags else { return "" }
        if flags.count == 1 { return "WHERE flag = \(flags[0])" }
        return "WHERE \(dialect.isElement("flag", of: flags))"
    }

    /// Notes that flag `key`'s state in `environments` changed at `at` (`flag_state_change`):
    /// the lifecycle reads how long a flag has served one variant from it.
    static func recordStateChanges(_ session: any SQLSession, key: String, _ environments: [String], at: Date) async throws {
        for environment in environments {
            try await session.execute(
                """
                INSERT INTO flag_state_change (flag, environment, changed_at) VALUES (\(key), \(environment), \(at))
                ON CONFLICT (flag, environment) DO UPDATE SET changed_at = excluded.changed_at
                """)
        }
    }

    /// When each flag's state in each environment last changed: flag key → environment → time.
    static func stateChanges(_ session: any SQLSession, flags: [String]?) async throws -> [String: [String: Date]] {
        let only = onlyFlags(flags, session.dialect)
        var out: [String: [String: Date]] = [:]
        for row in try await session.rows("SELECT * FROM flag_state_change \(only)") { out[try row.get("flag"), default: [:]][try row.get("environment")] = try row.get("changed_at") }
        return out
    }
}

extension Rows {
    /// Places the uploaded code scans (`clutch refs scan --upload`) reference each flag, in the
    /// latest scan of every repository and branch (flag key → count; a flag absent from it is
    /// referenced nowhere), or `nil` when no scan was uploaded: then nothing is known.
    static func codeReferenceCounts(_ session: any SQLSession) async throws -> [String: Int]? {
        guard try await session.exists("SELECT 1 FROM code_scan") else { return nil }
        return try await codeReferences(session, flag: nil).mapValues(\.references.count)
    }
}
