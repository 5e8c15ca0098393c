import ClutchCore
import Foundation

/// What the server needs from a database: flags, cohorts, credentials, usage, history and the
/// snapshots the engines are built from. ``SQLStore`` implements it once over either database:
/// ``FlagStore`` keeps them in a SQLite file (the default), ``PostgresStore`` in a PostgreSQL
/// database that several replicas share.
///
/// Every implementation guarantees, for every method that changes something:
///
/// - **One change, one transaction.** The new current value, an immutable revision with the
///   whole content after the change, an audit event, and the bump of the snapshot version of each
///   environment whose view changed are written in one transaction: all of them or none.
///   `Change.versions` names exactly the environments bumped (empty when nothing changed, and
///   then nothing at all was written); `Change.touched` names what the change touched there.
/// - **Durable on return.** A change is committed before the method returns; an acknowledged
///   change survives the process being killed (SQLite: WAL with `synchronous = FULL`;
///   PostgreSQL: a committed transaction with `synchronous_commit` on).
/// - **Checks inside the transaction.** `ifRevision`, existence, conflicts and validation are
///   checked against the state the transaction reads, never against an earlier read: of two
///   concurrent changes with `ifRevision` at most one succeeds, and two without it are both kept
///   (the second applies its instructions to the result of the first).
/// - **The same rules.** Instructions are applied, definitions validated and diffs computed by
///   the shared functions of ClutchCore and ClutchStore (`Flag.applying`, `Flag.validate`,
///   `FlagDiff`, `FlagChangePlan`), never by a copy: both databases accept and refuse the same
///   changes with the same messages.
/// - **Errors as ``StoreError``.** A refusal is a ``StoreError`` naming the entity and field, and
///   nothing was changed. Any other error is a failure of the database itself (connection lost,
///   disk full), which the server answers with 503 and never as the caller's fault.
/// - **Versions only grow.** An environment's snapshot version increases by one per change that
///   changed its view, so a reader comparing versions knows whether it is current.
///
/// Reads answer from committed data only. Methods are safe to call concurrently from any task.
public protocol ClutchStoring: ConsoleQueryStoring, ReleaseStoring, ScheduleStoring, WebhookStoring, PeopleStoring, CodeReferenceStoring,
    ChangeRequestStoring, BlockStoring
{
    /// Releases the database. Calls made afterwards fail.
    func close() throws

    /// Reads the time from `now` from here on (the server's clock, so that a server on a test
    /// clock stamps revisions, audit events and outbox rows with the test's time).
    func useClock(_ now: @escaping @Sendable () -> Date)

    // MARK: Environments

    /// Every environment, sorted by key.
    func environments() async throws -> [EnvironmentRecord]
    /// Adds an environment. Existing flags are off there until someone sets their state.
    func createEnvironment(_ key: String, change: ChangeInfo) async throws -> EnvironmentRecord

    // MARK: Flags

    /// Every flag sorted by key, with usage; archived ones only when `includeArchived`.
    func flags(includeArchived: Bool) async throws -> [FlagRecord]
    /// One page of the flags `query` matches, sorted by key, with usage: filtered and paged by
    /// the database (a stage filter reads every matching flag's lifecycle first).
    func flagPage(_ query: FlagQuery) async throws -> FlagPage
    /// The flag `key` with its usage, or `notFound`.
    func flag(_ key: String) async throws -> FlagRecord
    /// Creates a flag; environments not given get `FlagState(enabled: false)`.
    func createFlag(_ flag: Flag, change: ChangeInfo) async throws -> Change<FlagRecord>
    /// Replaces the flag's definition; states of environments it leaves out stay.
    func updateFlag(_ flag: Flag, ifRevision: Int64?, change: ChangeInfo) async throws -> Change<FlagRecord>
    /// Replaces the flag's state in one environment.
    func updateState(
        flag key: String, environment: String, state: FlagState, ifRevision: Int64?, change: ChangeInfo
    ) async throws -> Change<FlagRecord>
    /// Switches the flag on or off in one environment.
    func setEnabled(
        flag key: String, environment: String, enabled: Bool, ifRevision: Int64?, change: ChangeInfo
    ) async throws -> Change<FlagRecord>
    /// Switches the flag off in `environments` (all when `nil`); never refused for validation.
    func kill(flag key: String, environments: [String]?, change: ChangeInfo) async throws -> Change<FlagRecord>
    /// Archives the flag or brings it back.
    func setArchived(flag key: String, archived: Bool, change: ChangeInfo) async throws -> Change<FlagRecord>
    /// Deletes the flag (history stays); see ``FlagStore/deleteFlag(_:ifRevision:force:now:change:)``.
    func deleteFlag(_ key: String, ifRevision: Int64?, force: Bool, now: Date, change: ChangeInfo) async throws -> Change<Void>
    /// Recreates a deleted flag from its last revision.
    func restoreFlag(_ key: String, change: ChangeInfo) async throws -> Change<FlagRecord>
    /// Applies instructions to the flag's state in `environment` as one change.
    func apply(
        _ instructions: [Instruction], flag key: String, environment: String, ifRevision: Int64?, dryRun: Bool,
        change: ChangeInfo
    ) async throws -> Change<InstructionResult>

    // MARK: Revisions

    /// The flag's revisions, newest first; with `environment`, those that changed it or the flag itself.
    func revisions(flag key: String, environment: String?) async throws -> [Revision]
    /// Revision `number` of the flag, or `notFound`.
    func revision(flag key: String, number: Int64) async throws -> Revision
    /// Restores a revision (default: the one before the latest) as a new revision.
    func rollback(
        flag key: String, to number: Int64?, environment: String?, ifRevision: Int64?, change: ChangeInfo
    ) async throws -> Change<FlagRecord>

    // MARK: Cohorts

    /// The cohorts of `environment`, sorted by key.
    func cohorts(environment: String) async throws -> [CohortRecord]
    /// The cohort `key` of `environment`, or `notFound`.
    func cohort(_ key: String, environment: String) async throws -> CohortRecord
    /// Creates a cohort in `environment`.
    func createCohort(_ cohort: Cohort, environment: String, change: ChangeInfo) async throws -> Change<CohortRecord>
    /// Replaces a cohort's definition.
    func updateCohort(_ cohort: Cohort, environment: String, ifRevision: Int64?, change: ChangeInfo) async throws -> Change<CohortRecord>
    /// Adds and removes explicit members, writing only those.
    func updateMembers(
        cohort key: String, environment: String, add: [String], remove: [String], change: ChangeInfo
    ) async throws -> Change<MembershipResult>
    /// Applies member instructions as one change.
    func applyMembers(
        _ instructions: [MemberInstruction], cohort key: String, environment: String, change: ChangeInfo
    ) async throws -> Change<MembershipResult>
    /// Deletes a cohort no flag's rule names.
    func deleteCohort(_ key: String, environment: String, change: ChangeInfo) async throws -> Change<Void>

    // MARK: Documents

    /// Imports a document as one change (all or nothing); `dryRun` writes nothing.
    func importDocument(_ document: ClutchDocument, dryRun: Bool, change: ChangeInfo) async throws -> Change<ImportResult>
    /// Every flag and cohort as one document; with `environment`, only that environment.
    func export(environment: String?) async throws -> ClutchDocument

    // MARK: Snapshots

    /// Everything an environment's engine needs, read in one transaction.
    func snapshot(environment: String) async throws -> Snapshot
    /// The current state of some flags and cohorts of `environment`, and its version.
    func delta(environment: String, flags: Set<String>, cohorts: Set<String>, members: [String: MemberChange]) async throws -> SnapshotDelta

    // MARK: Credentials

    /// Whether the first token was ever made.
    func hasAdminToken() async throws -> Bool
    /// Creates the bootstrap token, a service token with role owner (`secret` when given); the secret is returned here only.
    func createAdminToken(name: String, secret: String?) async throws -> (AdminTokenRecord, secret: String)
    /// Creates an SDK key for `environment`; the secret is returned here only.
    func createSDKKey(environment: String, name: String, kind: SDKKeyKind, change: ChangeInfo) async throws -> (SDKKeyRecord, secret: String)
    /// Every SDK key, revoked ones included, oldest first.
    func sdkKeys() async throws -> [SDKKeyRecord]
    /// Revokes an SDK key; revoking it again changes nothing.
    func revokeSDKKey(id: String, change: ChangeInfo) async throws -> SDKKeyRecord
    /// Every active token and SDK key by hash, and every member, in one read.
    func activeCredentials() async throws -> ActiveCredentials

    // MARK: Usage

    /// Adds evaluation counts an SDK of `environment` reported.
    func recordUsage(environment: String, counts: [UsageCount], at: Date) async throws
    /// Adds a batch of evaluation counts in one transaction, written at `at`. Each entry counts at
    /// its ``UsageEntry/receivedAt`` when it has one (its hourly bucket, "last evaluated", and
    /// whether it arrived before or after a running release's step settled), else at `at`: a
    /// report received before a boundary is counted before it however late the batch is written.
    func recordUsage(_ entries: [UsageEntry], at: Date) async throws
    /// Usage of every flag: flag key → environment → usage.
    func usage() async throws -> [String: [String: FlagUsage]]
    /// The evaluations of `flag` in `environment` counted in the current hour and the 23 before it.
    func recentUsage(flag: String, environment: String, now: Date) async throws -> RecentUsage
    /// `flag`'s evaluations in `environment` per variant over `window` (24 hourly points or 7
    /// daily ones), with each variant's running total and when it was last evaluated
    /// (``UsageSeries``); `notFound` for an unknown flag or environment.
    func usageSeries(flag: String, environment: String, window: UsageWindow, now: Date) async throws -> UsageSeries
    /// The stale flags (``FlagLifecycle``) at `now`, with `days` without evaluation counting as stale.
    func staleFlags(unusedForDays days: Int, now: Date) async throws -> [StaleFlag]

    // MARK: Seen attributes

    /// Records the attribute names seen in environments' contexts (environment → names), at the store's time.
    func recordSeenAttributes(_ seen: [String: [SeenAttributeName]]) async throws
    /// The attribute names seen in `environment`'s contexts, sorted by name; `notFound` for an unknown environment.
    func seenAttributes(environment: String) async throws -> SeenAttributeList

    // MARK: Lifecycle

    /// The flags to clean up: stale (in `environment`, when given) or referenced by no code scan.
    func cleanupReport(environment: String?) async throws -> CleanupReport
    /// Queues a `flag.stale` event naming the flags that became stale since the last call; returns them.
    func noticeStaleFlags(now: Date) async throws -> [StaleFlag]

    // MARK: Audit

    /// Audit events newest first.
    func auditEvents(since: Date?, flag: String?, limit: Int) async throws -> [AuditEvent]

    // MARK: Console sessions

    /// Stores a console session under the hash of its id.
    func createConsoleSession(hash: String, record: ConsoleSessionRecord) async throws
    /// The session, its last use moved to `now`, or `nil` when unknown, idle too long or older than `lifetime`.
    func touchConsoleSession(hash: String, now: Date, idleLimit: TimeInterval, lifetime: TimeInterval) async throws -> ConsoleSessionRecord?
    /// Forgets a console session.
    func deleteConsoleSession(hash: String) async throws
    /// Audits a console sign-in, or a refused one, with the client's address.
    func auditSignIn(actor: String, address: String, succeeded: Bool, detail: String) async throws
}

extension ClutchStoring {
    /// Deletes the flag without a revision check, without `force`, now.
    public func deleteFlag(_ key: String, ifRevision: Int64? = nil, force: Bool = false, change: ChangeInfo) async throws -> Change<Void> {
        try await deleteFlag(key, ifRevision: ifRevision, force: force, now: Date(), change: change)
    }

    /// Restores a revision without a revision check.
    public func rollback(flag key: String, to number: Int64?, environment: String?, change: ChangeInfo) async throws -> Change<FlagRecord> {
        try await rollback(flag: key, to: number, environment: environment, ifRevision: nil, change: change)
    }

    /// What a change touched of `environment`, without membership changes.
    public func delta(environment: String, flags: Set<String>, cohorts: Set<String>) async throws -> SnapshotDelta {
        try await delta(environment: environment, flags: flags, cohorts: cohorts, members: [:])
    }
}

extension SQLStore: ClutchStoring {}
