import ClutchCore
import Foundation

/// Transition: the release operations written once in SQLStore.
extension PostgresStore {
    public func startRelease(
        flag key: String, environment: String, policy requested: ReleasePolicy, restartFrom: Double?, change: ChangeInfo,
        now: Date = Date()
    ) async throws -> Change<Release> {
        try await sql.startRelease(flag: key, environment: environment, policy: requested, restartFrom: restartFrom, change: change, now: now)
    }
    public func release(flag key: String, environment: String) async throws -> Release {
        try await sql.release(flag: key, environment: environment)
    }
    public func pauseRelease(flag key: String, environment: String, change: ChangeInfo, now: Date = Date()) async throws -> Change<Release> {
        try await sql.pauseRelease(flag: key, environment: environment, change: change, now: now)
    }
    public func resumeRelease(flag key: String, environment: String, change: ChangeInfo, now: Date = Date()) async throws -> Change<Release> {
        try await sql.resumeRelease(flag: key, environment: environment, change: change, now: now)
    }
    public func abortRelease(
        flag key: String, environment: String, to target: ReleaseAbortTarget, change: ChangeInfo, now: Date = Date()
    ) async throws -> Change<Release> {
        try await sql.abortRelease(flag: key, environment: environment, to: target, change: change, now: now)
    }
    public func runReleases(now: Date = Date()) async throws -> [Change<Release>] { try await sql.runReleases(now: now) }
    public func recordKeyServed(_ keyID: String, at: Date) async throws { try await sql.recordKeyServed(keyID, at: at) }
    public func runningReleaseEnvironments() async throws -> Set<String> { try await sql.runningReleaseEnvironments() }
}
