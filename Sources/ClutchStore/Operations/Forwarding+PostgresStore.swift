import ClutchCore
import Foundation

/// Transition: the operations written once in ``SQLStore``.
extension PostgresStore {
    public func environments() async throws -> [EnvironmentRecord] { try await sql.environments() }
    public func createEnvironment(_ key: String, change: ChangeInfo) async throws -> EnvironmentRecord {
        try await sql.createEnvironment(key, change: change)
    }
    public func flags(includeArchived: Bool) async throws -> [FlagRecord] { try await sql.flags(includeArchived: includeArchived) }
    public func flag(_ key: String) async throws -> FlagRecord { try await sql.flag(key) }
    public func createFlag(_ flag: Flag, change: ChangeInfo) async throws -> Change<FlagRecord> { try await sql.createFlag(flag, change: change) }
    public func updateFlag(_ flag: Flag, ifRevision: Int64?, change: ChangeInfo) async throws -> Change<FlagRecord> {
        try await sql.updateFlag(flag, ifRevision: ifRevision, change: change)
    }
    public func updateState(
        flag key: String, environment: String, state: FlagState, ifRevision: Int64?, change: ChangeInfo
    ) async throws -> Change<FlagRecord> {
        try await sql.updateState(flag: key, environment: environment, state: state, ifRevision: ifRevision, change: change)
    }
    public func setEnabled(
        flag key: String, environment: String, enabled: Bool, ifRevision: Int64?, change: ChangeInfo
    ) async throws -> Change<FlagRecord> {
        try await sql.setEnabled(flag: key, environment: environment, enabled: enabled, ifRevision: ifRevision, change: change)
    }
    public func kill(flag key: String, environments: [String]?, change: ChangeInfo) async throws -> Change<FlagRecord> {
        try await sql.kill(flag: key, environments: environments, change: change)
    }
    public func setArchived(flag key: String, archived: Bool, change: ChangeInfo) async throws -> Change<FlagRecord> {
        try await sql.setArchived(flag: key, archived: archived, change: change)
    }
    public func deleteFlag(
        _ key: String, ifRevision: Int64? = nil, force: Bool = false, now: Date = Date(), change: ChangeInfo
    ) async throws -> Change<Void> {
        try await sql.deleteFlag(key, ifRevision: ifRevision, force: force, now: now, change: change)
    }
    public func restoreFlag(_ key: String, change: ChangeInfo) async throws -> Change<FlagRecord> { try await sql.restoreFlag(key, change: change) }
    public func apply(
        _ instructions: [Instruction], flag key: String, environment: String, ifRevision: Int64?, dryRun: Bool,
        change: ChangeInfo
    ) async throws -> Change<InstructionResult> {
        try await sql.apply(instructions, flag: key, environment: environment, ifRevision: ifRevision, dryRun: dryRun, change: change)
    }
    public func revisions(flag key: String, environment: String?) async throws -> [Revision] {
        try await sql.revisions(flag: key, environment: environment)
    }
    public func revision(flag key: String, number: Int64) async throws -> Revision { try await sql.revision(flag: key, number: number) }
    public func rollback(
        flag key: String, to number: Int64?, environment: String?, ifRevision: Int64? = nil, change: ChangeInfo
    ) async throws -> Change<FlagRecord> {
        try await sql.rollback(flag: key, to: number, environment: environment, ifRevision: ifRevision, change: change)
    }
}
