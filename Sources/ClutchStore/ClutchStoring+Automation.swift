import ClutchCore
import Foundation

/// The web console's reads beyond the API's: keyset-paged audit events and members, cohorts
/// with their sizes, and a restore's preview. Part of ``ClutchStoring``.
public protocol ConsoleQueryStoring: Sendable {
    /// Audit events newest first, filtered by flag, actor (exact) and time range (`since` ≤ at <
    /// `until`), at most `limit` (at least 1); `before` continues from ``AuditPage/nextBefore``.
    func auditPage(flag: String?, actor: String?, since: Date?, until: Date?, before: Int64?, limit: Int) async throws -> AuditPage
    /// The actors that appear in the audit log, sorted.
    func auditActors() async throws -> [String]
    /// The cohort's definition (without members) and one page of at most `limit` members after
    /// `after` in byte order; only members containing `search` (literally) when given.
    func memberPage(
        cohort key: String, environment: String, after: String?, search: String?, limit: Int
    ) async throws -> (record: CohortRecord, page: MemberPage)
    /// The cohorts of `environment` without their members, with their member counts, sorted by key.
    func cohortSummaries(environment: String) async throws -> [(record: CohortRecord, size: Int)]
    /// What ``ClutchStoring/rollback(flag:to:environment:ifRevision:change:)`` to revision
    /// `number` would change, computed the same way, and the revision it would restore; writes nothing.
    func rollbackPreview(flag key: String, to number: Int64?, environment: String?) async throws -> (diff: [FieldChange], target: Int64, before: Flag, after: Flag)
}

/// Guarded releases: their state and transitions, moved on by the server's release runner.
/// Part of ``ClutchStoring``.
///
/// Every implementation guarantees:
///
/// - **A transition is one change.** A transition that changes the flag is one flag change
///   (revision, audit event, version bump, `flag.changed` event) and is recorded, with its
///   `release.step` / `release.rolled_back` webhook event, in the same transaction; one that
///   does not (a pause) has its own audit event.
/// - **A release moves once.** However many runners call ``runReleases(now:)`` at once (server
///   replicas on one database), each transition happens once: the release is locked for its
///   turn and its state, progress and pending usage are read again inside that transaction, so
///   a runner that comes second finds the step already taken and does nothing (SQLite: one
///   writer at a time; PostgreSQL: the write lock and `SELECT … FOR UPDATE` on the release row).
/// - **Usage is counted once.** Rollout usage reported while a turn runs is added after the turn
///   has taken the pending counts, never lost and never counted twice.
/// - **Reporters are kept apart.** Rollout usage is pending per reporter (``UsageEntry/reporter``),
///   and a turn takes each reporter's batch into its own evidence (``ReleaseProgress/absorb(_:policy:served:)``);
///   a reporter the guard distrusts pauses the release naming it, with a `release.paused` event.
/// - **A change by hand pauses it.** When anyone else changes the flag's state in the release's
///   environment (or archives or deletes the flag), the next turn pauses the release naming
///   who did, rather than overwriting their change.
public protocol ReleaseStoring: Sendable {
    /// Starts a guarded release of the flag in `environment` (refused while one runs or is paused
    /// there) from the exposure the flag already gives the variant, or from `restartFrom`
    /// (``ReleaseStart``: 409 with field `restartFrom` when the current exposure cannot be
    /// continued), recording what the flag served before.
    func startRelease(
        flag key: String, environment: String, policy: ReleasePolicy, restartFrom: Double?, change: ChangeInfo, now: Date
    ) async throws -> Change<Release>
    /// The latest release of the flag in `environment`, with its transitions.
    func release(flag key: String, environment: String) async throws -> Release
    /// Pauses a running release.
    func pauseRelease(flag key: String, environment: String, change: ChangeInfo, now: Date) async throws -> Change<Release>
    /// Resumes a paused release at the step it was at.
    func resumeRelease(flag key: String, environment: String, change: ChangeInfo, now: Date) async throws -> Change<Release>
    /// Aborts a running or paused release as one revision: back to what the flag served before it,
    /// or the variant to 0 % (``ReleaseAbortTarget``).
    func abortRelease(flag key: String, environment: String, to target: ReleaseAbortTarget, change: ChangeInfo, now: Date) async throws -> Change<Release>
    /// One turn of the release runner over every running release, each in its own transaction;
    /// returns the changes that moved a release. Safe to run on several replicas at once: a
    /// release is advanced by one of them at a time.
    func runReleases(now: Date) async throws -> [Change<Release>]
    /// The environments where a release is running.
    func runningReleaseEnvironments() async throws -> Set<String>
    /// Remembers that an SDK key has served something (fetched the flags, opened a stream, was
    /// served an OFREP evaluation): the release guard does not count reporters of a key that
    /// has not (``ReporterStatus/unverified``). Idempotent.
    func recordKeyServed(_ keyID: String, at: Date) async throws
}

/// Scheduled changes. Part of ``ClutchStoring``.
///
/// Every implementation guarantees:
///
/// - **Fired once.** A due schedule is claimed (`UPDATE … WHERE status = 'pending'`, which must
///   change its row) and applied in one transaction: however many schedulers (replicas) call
///   ``runSchedule(_:now:note:)`` for it at once, one applies it (one revision, one audit event)
///   and the others find it no longer pending.
/// - **All or nothing.** Instructions that no longer apply write nothing of them: the schedule is
///   marked failed, with its `schedule.failed` event, in one transaction.
/// - **Never missed.** ``onScheduleAdded(_:)`` is called after a commit that added a schedule,
///   on this process and (on a shared database) on every other replica listening, so their
///   schedulers look again; a scheduler that missed the call finds it on its next look.
public protocol ScheduleStoring: Sendable {
    /// Records a change to apply at `request.at` (instructions checked now and again when due).
    func createSchedule(_ request: ScheduleRequest, change: ChangeInfo, now: Date) async throws -> ScheduleRecord
    /// Schedules, soonest due first, filtered by status and flag or cohort key when given.
    func schedules(status: ScheduleRecord.Status?, key: String?, limit: Int) async throws -> [ScheduleRecord]
    /// One schedule, or `notFound`.
    func schedule(_ id: String) async throws -> ScheduleRecord
    /// Cancels a pending schedule (anything else is a conflict).
    func cancelSchedule(_ id: String, change: ChangeInfo, now: Date) async throws -> ScheduleRecord
    /// When the next pending schedule is due.
    func nextScheduleDue() async throws -> Date?
    /// The pending schedules due at `now`, oldest first.
    func dueSchedules(now: Date) async throws -> [String]
    /// Applies schedule `id` if still pending and due (else reports it was not); instructions
    /// that no longer apply mark it failed and queue `schedule.failed`, in the same transaction.
    func runSchedule(_ id: String, now: Date, note: String?) async throws -> ScheduleOutcome
    /// Calls `action` when a schedule may have been added (the scheduler then looks again).
    func onScheduleAdded(_ action: @escaping @Sendable () -> Void)
}

/// Webhooks and their outbox: the server's dispatcher sends what is due and records each
/// attempt. Part of ``ClutchStoring``.
///
/// Every implementation guarantees:
///
/// - **Queued with the change.** An event and one delivery per subscribed webhook are written
///   in the transaction of the change they report: committed with it or not at all.
/// - **Sent by one dispatcher.** A delivery is sent only by the dispatcher that claimed it
///   (``claimDelivery(_:now:lease:)``): the claim is a lease held by this store instance until
///   it records the attempt or the lease ends, taken atomically (PostgreSQL: `FOR UPDATE SKIP
///   LOCKED`), so of several replicas racing for a due delivery exactly one gets it.
/// - **At least once across crashes.** A lease that ends without an attempt recorded (its
///   dispatcher died) can be claimed again, so the delivery is still sent; receivers deduplicate
///   by the event's `id`. Without crashes, each due attempt is made once. Leases are short (the
///   server's dispatcher takes a few seconds) and renewed (``renewDeliveryClaim(_:now:lease:)``)
///   while an attempt runs, so a delivery a dead replica held is sent again within seconds.
/// - **Never missed.** ``onDeliveryQueued(_:)`` is called after a commit that queued a delivery,
///   here and (on a shared database) on the other replicas listening.
public protocol WebhookStoring: Sendable {
    /// Adds a webhook (URL, event types and signing secret checked by `WebhookRules`).
    func createWebhook(_ request: WebhookRequest, change: ChangeInfo, now: Date) async throws -> WebhookRecord
    /// Every webhook, oldest first.
    func webhooks() async throws -> [WebhookRecord]
    /// Deletes a webhook with its deliveries.
    func deleteWebhook(_ id: String, change: ChangeInfo, now: Date) async throws
    /// The webhook's latest deliveries, newest first, with their attempts.
    func deliveries(webhook id: String, limit: Int) async throws -> [WebhookDelivery]
    /// Pending deliveries due at `now` and not leased (a lease that has ended does not count),
    /// oldest first, except those in `excluding`. Reading them claims nothing: claim each one
    /// before sending it.
    func dueDeliveries(now: Date, limit: Int, excluding: Set<Int64>) async throws -> [PendingDelivery]
    /// Claims delivery `id` for this store instance until `now + lease`, when it is pending, due
    /// at `now` and not leased to anyone (or that lease has ended); answers it as it is now, or
    /// `nil` when someone else has it or it is no longer due. Make `lease` longer than an attempt can
    /// take, or renew it while the attempt runs.
    func claimDelivery(_ id: Int64, now: Date, lease: Duration) async throws -> PendingDelivery?
    /// Extends this store instance's lease on delivery `id` to `now + lease` while its attempt is
    /// in flight; `false` when the lease is not this instance's any more (it ended and another
    /// dispatcher claimed the delivery, or the attempt was recorded).
    func renewDeliveryClaim(_ id: Int64, now: Date, lease: Duration) async throws -> Bool
    /// Ends every lease this store instance holds (its dispatcher is stopping): another replica,
    /// or this server once restarted, sends those deliveries without waiting for the leases to end.
    func releaseDeliveryClaims() async throws
    /// When the next pending delivery not in `excluding` is due (a leased one: when its lease ends).
    func nextDeliveryDue(excluding: Set<Int64>) async throws -> Date?
    /// Records one attempt of delivery `id` and what it decided, and ends this instance's lease on it.
    func recordAttempt(delivery id: Int64, at: Date, statusCode: Int?, error: String?, duration: Duration, result: DeliveryResult) async throws
    /// Deletes finished deliveries older than `date` and events no delivery refers to any more.
    func pruneDeliveries(finishedBefore date: Date) async throws
    /// Calls `action` when a delivery may have been queued (the dispatcher then looks again).
    func onDeliveryQueued(_ action: @escaping @Sendable () -> Void)
}

// The forms the server calls, with the current time and the usual limits.
extension ReleaseStoring {
    public func startRelease(
        flag key: String, environment: String, policy: ReleasePolicy, restartFrom: Double? = nil, change: ChangeInfo
    ) async throws -> Change<Release> {
        try await startRelease(flag: key, environment: environment, policy: policy, restartFrom: restartFrom, change: change, now: Date())
    }
    /// A release continuing the current exposure (no `restartFrom`).
    public func startRelease(flag key: String, environment: String, policy: ReleasePolicy, change: ChangeInfo, now: Date) async throws -> Change<Release> {
        try await startRelease(flag: key, environment: environment, policy: policy, restartFrom: nil, change: change, now: now)
    }
    public func pauseRelease(flag key: String, environment: String, change: ChangeInfo) async throws -> Change<Release> {
        try await pauseRelease(flag: key, environment: environment, change: change, now: Date())
    }
    public func resumeRelease(flag key: String, environment: String, change: ChangeInfo) async throws -> Change<Release> {
        try await resumeRelease(flag: key, environment: environment, change: change, now: Date())
    }
    public func abortRelease(
        flag key: String, environment: String, to target: ReleaseAbortTarget = .before, change: ChangeInfo
    ) async throws -> Change<Release> {
        try await abortRelease(flag: key, environment: environment, to: target, change: change, now: Date())
    }
    /// An abort back to what the flag served before the release.
    public func abortRelease(flag key: String, environment: String, change: ChangeInfo, now: Date) async throws -> Change<Release> {
        try await abortRelease(flag: key, environment: environment, to: .before, change: change, now: now)
    }
    public func runReleases() async throws -> [Change<Release>] { try await runReleases(now: Date()) }
}

extension ScheduleStoring {
    public func createSchedule(_ request: ScheduleRequest, change: ChangeInfo) async throws -> ScheduleRecord {
        try await createSchedule(request, change: change, now: Date())
    }
    public func schedules(status: ScheduleRecord.Status? = nil, key: String? = nil) async throws -> [ScheduleRecord] {
        try await schedules(status: status, key: key, limit: 500)
    }
    public func cancelSchedule(_ id: String, change: ChangeInfo) async throws -> ScheduleRecord {
        try await cancelSchedule(id, change: change, now: Date())
    }
    public func runSchedule(_ id: String, now: Date) async throws -> ScheduleOutcome { try await runSchedule(id, now: now, note: nil) }
}

extension WebhookStoring {
    public func createWebhook(_ request: WebhookRequest, change: ChangeInfo) async throws -> WebhookRecord {
        try await createWebhook(request, change: change, now: Date())
    }
    public func deleteWebhook(_ id: String, change: ChangeInfo) async throws { try await deleteWebhook(id, change: change, now: Date()) }
    public func deliveries(webhook id: String) async throws -> [WebhookDelivery] { try await deliveries(webhook: id, limit: 50) }
    public func dueDeliveries(now: Date, limit: Int) async throws -> [PendingDelivery] {
        try await dueDeliveries(now: now, limit: limit, excluding: [])
    }
    public func nextDeliveryDue() async throws -> Date? { try await nextDeliveryDue(excluding: []) }
}
