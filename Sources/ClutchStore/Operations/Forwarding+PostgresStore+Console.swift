import ClutchCore
import Foundation

/// Transition: the console session and console query operations written once in ``SQLStore``.
extension PostgresStore {
    public func createConsoleSession(hash: String, record: ConsoleSessionRecord) async throws {
        try await sql.createConsoleSession(hash: hash, record: record)
    }
    public func touchConsoleSession(hash: String, now: Date, idleLimit: TimeInterval) async throws -> ConsoleSessionRecord? {
        try await sql.touchConsoleSession(hash: hash, now: now, idleLimit: idleLimit)
    }
    public func deleteConsoleSession(hash: String) async throws { try await sql.deleteConsoleSession(hash: hash) }

    public func auditEvents(since: Date?, flag: String?, limit: Int) async throws -> [AuditEvent] {
        try await sql.auditEvents(since: since, flag: flag, limit: limit)
    }
    public func auditPage(
        flag: String?, actor: String?, since: Date?, until: Date?, before: Int64?, limit: Int
    ) async throws -> AuditPage {
        try await sql.auditPage(flag: flag, actor: actor, since: since, until: until, before: before, limit: limit)
    }
    public func auditActors() async throws -> [String] { try await sql.auditActors() }
    public func memberPage(
        cohort key: String, environment: String, after: String?, search: String?, limit: Int
    ) async throws -> (record: CohortRecord, page: MemberPage) {
        try await sql.memberPage(cohort: key, environment: environment, after: after, search: search, limit: limit)
    }
    public func cohortSummaries(environment: String) async throws -> [(record: CohortRecord, size: Int)] {
        try await sql.cohortSummaries(environment: environment)
    }
    public func rollbackPreview(flag key: String, to number: Int64?, environment: String?) async throws -> (diff: [FieldChange], target: Int64) {
        try await sql.rollbackPreview(flag: key, to: number, environment: environment)
    }
}
