import ClutchCore
import Foundation

/// Transition: the usage operations written once in SQLStore.
extension PostgresStore {
    public func recordUsage(environment: String, counts: [UsageCount], at: Date) async throws {
        try await sql.recordUsage(environment: environment, counts: counts, at: at)
    }
    public func recordUsage(_ entries: [UsageEntry], at: Date) async throws { try await sql.recordUsage(entries, at: at) }
    public func recentUsage(flag: String, environment: String, now: Date) async throws -> RecentUsage {
        try await sql.recentUsage(flag: flag, environment: environment, now: now)
    }
    public func usage() async throws -> [String: [String: FlagUsage]] { try await sql.usage() }
    public func staleFlags(unusedForDays days: Int, now: Date) async throws -> [StaleFlag] {
        try await sql.staleFlags(unusedForDays: days, now: now)
    }
}
