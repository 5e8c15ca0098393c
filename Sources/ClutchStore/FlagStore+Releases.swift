import ClutchCore
import Foundation
import GRDB

extension FlagStore {
    /// Starts a guarded release: turns the flag on in `environment` and sets its default to a
    /// rollout of the policy's variant, bucketed by the policy's attribute (one revision), and
    /// records the release as running with what the flag served before. The rollout starts from
    /// the exposure the flag already gives the variant, or from `restartFrom` (``ReleaseStart``).
    /// Refused while another release of the flag runs or is paused there.
    public func startRelease(
        flag key: String, environment: String, policy requested: ReleasePolicy, restartFrom: Double?, change: ChangeInfo,
        now: Date = Date()
    ) async throws -> Change<Release> {
        let issues = requested.issues()
        guard issues.isEmpty else { throw StoreError.invalid(ValidationError(issues)) }
        return try await pool.write { db in
            try Tables.requireEnvironment(db, environment)
            let record = try Tables.requireFlag(db, key)
            guard record.flag.variants.contains(where: { $0.key == requested.variant }) else {
                throw StoreError.invalid(ValidationError(path: "variant", "flag '\(key)' has no variant '\(requested.variant)'"))
            }
            if let active = try Tables.latestRelease(db, flag: key, environment: environment), active.state.isActive {
                throw StoreError.conflict("a release of '\(key)' is already \(active.state.rawValue) in '\(environment)'")
            }
            let (policy, baseline) = try ReleaseText.startPlan(requested, record: record, environment: environment, restartFrom: restartFrom)
            try db.execute(
                sql: """
                    INSERT INTO release (flag, environment, variant, state, policy, progress, expected_state, message,
                                         started_by, started_at, updated_at, replaced)
                    VALUES (?, ?, ?, 'running', ?, ?, '', ?, ?, ?, ?, ?)
                    """,
                arguments: [key, environment, policy.variant, try Tables.json(policy), try Tables.json(ReleaseProgress(stepStartedAt: now)),
                            change.message, change.actor, now, now, try Tables.json(baseline)])
            var release = Release(
                id: db.lastInsertedRowID, flag: key, environment: environment, state: .running, policy: policy,
                progress: ReleaseProgress(stepStartedAt: now), reason: nil, message: change.message, startedBy: change.actor,
                startedAt: now, updatedAt: now, transitions: [], replaced: baseline)
            let text = ReleaseText.started(policy, replacing: baseline, change: change)
            let written = try Tables.applyReleaseChange(
                db, release, [.turnOn, ReleaseText.rollout(release, percent: policy.percent(at: 0))], action: .started,
                change: ChangeInfo(actor: change.actor, message: text))
            try Tables.recordTransition(
                db, release, ReleaseTransition(kind: .started, actor: change.actor, message: text, revision: written.value?.revision, at: now))
            release = try Tables.latestRelease(db, flag: key, environment: environment) ?? release
            return written.with(release)
        }
    }

    /// The latest release of the flag in `environment` (any state), with its transitions.
    public func release(flag key: String, environment: String) async throws -> Release {
        try await pool.read { db in
            try Tables.requireEnvironment(db, environment)
            _ = try Tables.requireFlag(db, key)
            guard let release = try Tables.latestRelease(db, flag: key, environment: environment) else {
                throw StoreError.notFound("flag '\(key)' has no release in '\(environment)'")
            }
            return release
        }
    }

    /// Pauses a running release: it stops widening and stops collecting data until resumed.
    public func pauseRelease(flag key: String, environment: String, change: ChangeInfo, now: Date = Date()) async throws -> Change<Release> {
        try await pool.write { db in
            var release = try Tables.requireActiveRelease(db, flag: key, environment: environment)
            guard release.state == .running else { return Change(value: release, versions: [:]) }
            try Self.pause(db, &release, reason: ReleaseText.pauseReason(change), actor: change.actor, now: now)
            return Change(value: try Tables.latestRelease(db, flag: key, environment: environment) ?? release, versions: [:])
        }
    }

    /// Resumes a paused release at the step it was at: sets the rollout to that step's
    /// percentage again (undoing changes made by hand to it meanwhile) and counts the step afresh.
    public func resumeRelease(flag key: String, environment: String, change: ChangeInfo, now: Date = Date()) async throws -> Change<Release> {
        try await pool.write { db in
            var release = try Tables.requireActiveRelease(db, flag: key, environment: environment)
            guard release.state == .paused else { return Change(value: release, versions: [:]) }
            let text = ReleaseText.resumed(release, change: change)
            let written = try Tables.applyReleaseChange(
                db, release, [.turnOn, ReleaseText.rollout(release, percent: release.percent)], action: .resumed,
                change: ChangeInfo(actor: change.actor, message: text))
            release.state = .running
            release.reason = nil
            release.progress.enterStep(release.progress.stepIndex, at: now)
            try Tables.recordTransition(
                db, release, ReleaseTransition(kind: .resumed, actor: change.actor, message: text, revision: written.value?.revision, at: now))
            return written.with(try Tables.latestRelease(db, flag: key, environment: environment) ?? release)
        }
    }

    /// Aborts a running or paused release as one revision: back to what the flag served before
    /// it, or the variant to 0 % (``ReleaseAbortTarget``); the release ends.
    public func abortRelease(
        flag key: String, environment: String, to target: ReleaseAbortTarget, change: ChangeInfo, now: Date = Date()
    ) async throws -> Change<Release> {
        try await pool.write { db in
            var release = try Tables.requireActiveRelease(db, flag: key, environment: environment)
            let abort = ReleaseText.abort(release, to: target, change: change)
            let written = try Tables.applyReleaseChange(
                db, release, abort.instructions, action: .aborted, change: ChangeInfo(actor: change.actor, message: abort.text))
            release.state = .aborted
            release.abortedTo = abort.percent
            release.reason = ReleaseText.abortReason(change)
            try Tables.recordTransition(
                db, release, ReleaseTransition(kind: .aborted, actor: change.actor, message: abort.text, revision: written.value?.revision, at: now))
            return written.with(try Tables.latestRelease(db, flag: key, environment: environment) ?? release)
        }
    }

    /// One turn of the release runner: for every running release, takes the usage reported since
    /// the last turn into the guard, pauses it if someone changed the flag by hand, rolls it back
    /// when the guard finds the new variant worse, holds it on a sample-ratio mismatch, and widens
    /// it when the step has lasted long enough with a healthy verdict. Each release in its own
    /// transaction; returns the changes that moved a release.
    public func runReleases(now: Date = Date()) async throws -> [Change<Release>] {
        let running = try await pool.read { db in
            try Int64.fetchAll(db, sql: "SELECT id FROM release WHERE state = 'running' ORDER BY id")
        }
        var changes: [Change<Release>] = []
        for id in running {
            // Most turns find nothing to do: they read, and write only when there is something to write.
            guard try await pool.read({ db in try Self.needsTurn(db, release: id, now: now) }) else { continue }
            if let change = try await pool.write({ db in try Self.turn(db, release: id, now: now) }) { changes.append(change) }
        }
        return changes
    }

    /// Whether a turn of the release would write: new usage, a change by someone else, or a move due.
    private static func needsTurn(_ db: Database, release id: Int64, now: Date) throws -> Bool {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM release WHERE id = ?", arguments: [id]) else { return false }
        let release = try Tables.release(row)
        guard release.state == .running else { return false }
        if try !Tables.pendingUsage(db, release).isEmpty { return true }
        if try Tables.changeByOthers(db, release) != nil { return true }
        return release.progress.next(policy: release.policy, now: now) != .wait
    }

    /// Remembers that the SDK key `keyID` has served something (fetched the flags, opened a
    /// stream, was served an OFREP evaluation); the first time counts.
    public func recordKeyServed(_ keyID: String, at: Date) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "INSERT INTO sdk_key_served (key_id, first_at) VALUES (?, ?) ON CONFLICT (key_id) DO NOTHING", arguments: [keyID, at])
        }
    }

    /// Whether any release is running in `environment` (SDKs then report usage every few seconds).
    public func runningReleaseEnvironments() async throws -> Set<String> {
        try await pool.read { db in
            Set(try String.fetchAll(db, sql: "SELECT DISTINCT environment FROM release WHERE state = 'running'"))
        }
    }

    private static func turn(_ db: Database, release id: Int64, now: Date) throws -> Change<Release>? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM release WHERE id = ?", arguments: [id]) else { return nil }
        var release = try Tables.release(row)
        guard release.state == .running else { return nil }
        func reread() throws -> Release { try Tables.latestRelease(db, flag: release.flag, environment: release.environment) ?? release }
        if let reason = try Tables.changeByOthers(db, release) {
            try pause(db, &release, reason: reason, actor: Release.guardActor, now: now)
            return Change(value: try reread(), versions: [:])
        }
        let absorbed = try Tables.takePendingUsage(db, release)
        if !absorbed.isEmpty {
            let served = try Tables.servedKeys(db)
            release.progress.absorb(absorbed, policy: release.policy, served: served.contains)
        }
        let guardChange = ChangeInfo(actor: Release.guardActor)
        switch release.progress.next(policy: release.policy, now: now) {
        case .wait:
            if !absorbed.isEmpty { try Tables.saveProgress(db, release) }
            return nil
        case .hold:
            try pause(db, &release, reason: ReleaseText.sampleRatioMismatch(release), actor: Release.guardActor, now: now)
            return Change(value: try reread(), versions: [:])
        case .distrust(let alert):
            try pause(db, &release, reason: ReleaseText.distrust(alert), actor: Release.guardActor, now: now)
            return Change(value: try reread(), versions: [:])
        case .rollBack:
            let text = ReleaseText.rolledBack(release)
            let written = try Tables.applyReleaseChange(
                db, release, [ReleaseText.rollout(release, percent: 0)], action: .rolledBack,
                change: ChangeInfo(actor: guardChange.actor, message: text))
            release.state = .rolledBack
            release.reason = text
            try Tables.recordTransition(
                db, release, ReleaseTransition(kind: .rolledBack, actor: Release.guardActor, message: text, revision: written.value?.revision, at: now))
            return written.with(try reread())
        case .advance(let index):
            let (kind, text) = ReleaseText.advanced(release, to: index, now: now)
            let written = try Tables.applyReleaseChange(
                db, release, [ReleaseText.rollout(release, percent: release.policy.percent(at: index))], action: kind, change: ChangeInfo(actor: guardChange.actor, message: text))
            release.progress.enterStep(index, at: now)
            if kind == .completed { release.state = .completed }
            try Tables.recordTransition(
                db, release, ReleaseTransition(kind: kind, actor: Release.guardActor, message: text, revision: written.value?.revision, at: now))
            return written.with(try reread())
        }
    }

    private static func pause(_ db: Database, _ release: inout Release, reason: String, actor: String, now: Date) throws {
        release.state = .paused
        release.reason = reason
        // Data reported while paused (or just before) is not the resumed step's.
        try Tables.clearPendingUsage(db, release)
        let text = ReleaseText.paused(release, reason: reason)
        try Tables.recordTransition(db, release, ReleaseTransition(kind: .paused, actor: actor, message: text, revision: nil, at: now))
    }
}
