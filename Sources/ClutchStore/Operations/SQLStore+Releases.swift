import ClutchCore
import Foundation

/// Guarded releases: the same transitions, words (``ReleaseText``) and guard (``ReleaseProgress``)
/// on both databases. Every transition runs in a write transaction with its release row locked
/// and read again (``Rows/requireActiveRelease(_:flag:environment:)``, ``SQLDialect/forUpdate``),
/// so of several replicas running ``runReleases(now:)`` at once one moves a release and the
/// others find nothing to do.
extension SQLStore {
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
        return try await write { session in
            try await Rows.requireEnvironment(session, environment)
            let record = try await Rows.requireFlag(session, key)
            guard record.flag.variants.contains(where: { $0.key == requested.variant }) else {
                throw StoreError.invalid(ValidationError(path: "variant", "flag '\(key)' has no variant '\(requested.variant)'"))
            }
            if let active = try await Rows.latestRelease(session, flag: key, environment: environment), active.state.isActive {
                throw StoreError.conflict("a release of '\(key)' is already \(active.state.rawValue) in '\(environment)'")
            }
            let (policy, baseline) = try ReleaseText.startPlan(requested, record: record, environment: environment, restartFrom: restartFrom)
            let progress = ReleaseProgress(stepStartedAt: now)
            guard let inserted = try await session.row(
                """
                INSERT INTO release (flag, environment, variant, state, policy, progress, expected_state, message,
                                     started_by, started_at, updated_at, replaced, author, author_name)
                VALUES (\(key), \(environment), \(policy.variant), 'running', \(try Tables.json(policy)), \(try Tables.json(progress)), '',
                        \(change.message), \(change.actor), \(now), \(now), \(try Tables.json(baseline)),
                        \(change.author?.text), \(change.author.map { _ in change.actor }))
                RETURNING id
                """)
            else { throw SQLDecodingError(column: "id", type: Int64.self, reason: "the new release got no id") }
            let release = Release(
                id: try inserted.get("id"), flag: key, environment: environment, state: .running, policy: policy, progress: progress,
                reason: nil, message: change.message, startedBy: change.actor, startedAt: now, updatedAt: now, transitions: [],
                replaced: baseline)
            let text = ReleaseText.started(policy, replacing: baseline, change: change)
            let written = try await Rows.applyReleaseChange(
                session, release, [.turnOn, ReleaseText.rollout(release, percent: policy.percent(at: 0))], action: .started,
                change: ChangeInfo(actor: change.actor, message: text))
            try await Rows.recordTransition(
                session, release, ReleaseTransition(kind: .started, actor: change.actor, message: text, revision: written.value?.revision, at: now))
            return written.with(try await Rows.latestRelease(session, flag: key, environment: environment) ?? release)
        }
    }

    /// The latest release of the flag in `environment` (any state), with its transitions.
    public func release(flag key: String, environment: String) async throws -> Release {
        try await read { session in
            try await Rows.requireEnvironment(session, environment)
            _ = try await Rows.requireFlag(session, key)
            guard let release = try await Rows.latestRelease(session, flag: key, environment: environment) else {
                throw StoreError.notFound("flag '\(key)' has no release in '\(environment)'")
            }
            return release
        }
    }

    /// Pauses a running release: it stops widening and stops collecting data until resumed.
    public func pauseRelease(flag key: String, environment: String, change: ChangeInfo, now: Date = Date()) async throws -> Change<Release> {
        try await write { session in
            var release = try await Rows.requireActiveRelease(session, flag: key, environment: environment)
            guard release.state == .running else { return Change(value: release, versions: [:]) }
            try await Rows.pauseRelease(session, &release, reason: ReleaseText.pauseReason(change), actor: change.actor, now: now)
            return Change(value: try await Rows.latestRelease(session, flag: key, environment: environment) ?? release, versions: [:])
        }
    }

    /// Resumes a paused release at the step it was at: sets the rollout to that step's
    /// percentage again (undoing changes made by hand to it meanwhile) and counts the step afresh.
    /// Its next steps act for whoever resumed it (``Rows/setReleaseAuthor(_:_:change:)``): a
    /// release its author could no longer widen goes on with the rights of the one who resumes it.
    public func resumeRelease(flag key: String, environment: String, change: ChangeInfo, now: Date = Date()) async throws -> Change<Release> {
        try await write { session in
            var release = try await Rows.requireActiveRelease(session, flag: key, environment: environment)
            guard release.state == .paused else { return Change(value: release, versions: [:]) }
            let text = ReleaseText.resumed(release, change: change)
            let written = try await Rows.applyReleaseChange(
                session, release, [.turnOn, ReleaseText.rollout(release, percent: release.percent)], action: .resumed,
                change: ChangeInfo(actor: change.actor, message: text))
            release.state = .running
            release.reason = nil
            release.progress.enterStep(release.progress.stepIndex, at: now)
            try await Rows.setReleaseAuthor(session, release, change: change)
            try await Rows.recordTransition(
                session, release, ReleaseTransition(kind: .resumed, actor: change.actor, message: text, revision: written.value?.revision, at: now))
            return written.with(try await Rows.latestRelease(session, flag: key, environment: environment) ?? release)
        }
    }

    /// Aborts a running or paused release as one revision: back to what the flag served before
    /// it, or the variant to 0 % (``ReleaseAbortTarget``); the release ends.
    public func abortRelease(
        flag key: String, environment: String, to target: ReleaseAbortTarget, change: ChangeInfo, now: Date = Date()
    ) async throws -> Change<Release> {
        try await write { session in
            var release = try await Rows.requireActiveRelease(session, flag: key, environment: environment)
            let abort = ReleaseText.abort(release, to: target, change: change)
            let written = try await Rows.applyReleaseChange(
                session, release, abort.instructions, action: .aborted,
                change: ChangeInfo(actor: change.actor, message: abort.text, clearance: .undoesRelease))
            release.state = .aborted
            release.abortedTo = abort.percent
            release.reason = ReleaseText.abortReason(change)
            try await Rows.recordTransition(
                session, release,
                ReleaseTransition(kind: .aborted, actor: change.actor, message: abort.text, revision: written.value?.revision, at: now))
            return written.with(try await Rows.latestRelease(session, flag: key, environment: environment) ?? release)
        }
    }

    /// One turn of the release runner: for every running release, takes the usage reported since
    /// the last turn into the guard, pauses it if someone changed the flag by hand, rolls it back
    /// when the guard finds the new variant worse, holds it on a sample-ratio mismatch, and widens
    /// it when the step has lasted long enough with a healthy verdict. Each release in its own
    /// transaction; returns the changes that moved a release.
    ///
    /// A step refused by a block (``BlockedError``) holds the release at its step: the turn runs
    /// again with the block, taking the usage in and rolling back if the guard says so, but not
    /// widening, and the release's reason says who holds it; the first turn after the block ends widens.
    public func runReleases(now: Date = Date()) async throws -> [Change<Release>] {
        let running = try await read { session in
            try await session.values(Int64.self, "SELECT id FROM release WHERE state = 'running' ORDER BY id")
        }
        var changes: [Change<Release>] = []
        for id in running {
            // Most turns find nothing to do: they read, and write only when there is something to write.
            guard try await read({ session in try await Self.needsTurn(session, release: id, now: now) }) else { continue }
            do {
                if let change = try await write({ session in try await Self.turn(session, release: id, now: now) }) { changes.append(change) }
            } catch let blocked as BlockedError {
                if let change = try await write({ session in try await Self.turn(session, release: id, now: now, heldBy: blocked.block) }) {
                    changes.append(change)
                }
            }
        }
        return changes
    }

    /// Remembers that the SDK key `keyID` has served something (fetched the flags, opened a
    /// stream, was served an OFREP evaluation); the first time counts.
    public func recordKeyServed(_ keyID: String, at: Date) async throws {
        // Not a change to a flag: no need to wait for the write lock, and the insert is atomic.
        _ = try await unlocked { session in
            try await session.execute("INSERT INTO sdk_key_served (key_id, first_at) VALUES (\(keyID), \(at)) ON CONFLICT (key_id) DO NOTHING")
        }
    }

    /// Whether any release is running in `environment` (SDKs then report usage every few seconds).
    public func runningReleaseEnvironments() async throws -> Set<String> {
        try await read { session in
            Set(try await session.values(String.self, "SELECT DISTINCT environment FROM release WHERE state = 'running'"))
        }
    }

    /// Whether a turn of the release would write: new usage, a change by someone else, or a move due.
    private static func needsTurn(_ session: any SQLSession, release id: Int64, now: Date) async throws -> Bool {
        guard let row = try await session.row("SELECT * FROM release WHERE id = \(id)") else { return false }
        let release = try Rows.release(row)
        guard release.state == .running else { return false }
        if try await !Rows.pendingUsage(session, release, take: false).isEmpty { return true }
        if try await Rows.changeByOthers(session, release) != nil { return true }
        return release.progress.next(policy: release.policy, now: now) != .wait
    }

    /// One release's turn, in a write transaction with its row locked: everything it decides on
    /// (state, progress, pending usage) is read here, after any other replica's turn committed.
    /// `heldBy`: a block refused this turn's step a moment ago, so it holds instead of widening.
    private static func turn(_ session: any SQLSession, release id: Int64, now: Date, heldBy block: BlockRecord? = nil) async throws
        -> Change<Release>?
    {
        guard let row = try await session.row("SELECT * FROM release WHERE id = \(id)\(raw: session.dialect.forUpdate)") else { return nil }
        var release = try Rows.release(row)
        guard release.state == .running else { return nil }
        let (flag, environment) = (release.flag, release.environment)
        func reread() async throws -> Release? {
            try await Rows.latestRelease(session, flag: flag, environment: environment)
        }
        if let reason = try await Rows.changeByOthers(session, release) {
            try await Rows.pauseRelease(session, &release, reason: reason, actor: Release.guardActor, now: now)
            return Change(value: try await reread() ?? release, versions: [:])
        }
        let absorbed = try await Rows.pendingUsage(session, release, take: true)
        if !absorbed.isEmpty {
            let served = try await Rows.servedKeys(session)
            release.progress.absorb(absorbed, policy: release.policy, served: served.contains)
            // What the guard weighed: the batches of the reporters it counts.
            let weighed = absorbed.filter { release.progress.reporters[$0.key]?.status == .counted }.values
                .reduce(GuardSample()) { $0 + $1.all }
            try await Rows.recordSample(session, release, weighed: weighed, at: now)
        }
        switch release.progress.next(policy: release.policy, now: now) {
        case .wait:
            if !absorbed.isEmpty { try await Rows.saveProgress(session, release) }
            return nil
        case .hold:
            try await Rows.pauseRelease(session, &release, reason: ReleaseText.sampleRatioMismatch(release), actor: Release.guardActor, now: now)
            return Change(value: try await reread() ?? release, versions: [:])
        case .distrust(let alert):
            try await Rows.pauseRelease(session, &release, reason: ReleaseText.distrust(alert), actor: Release.guardActor, now: now)
            return Change(value: try await reread() ?? release, versions: [:])
        case .rollBack:
            let text = ReleaseText.rolledBack(release)
            let written = try await Rows.applyReleaseChange(
                session, release, [ReleaseText.rollout(release, percent: 0)], action: .rolledBack,
                change: ChangeInfo(actor: Release.guardActor, message: text, clearance: .undoesRelease))
            release.state = .rolledBack
            release.reason = text
            try await Rows.recordTransition(
                session, release,
                ReleaseTransition(kind: .rolledBack, actor: Release.guardActor, message: text, revision: written.value?.revision, at: now))
            return written.with(try await reread() ?? release)
        case .advance(let index):
            if let block {
                let held = ReleaseText.held(by: block)
                if !absorbed.isEmpty { try await Rows.saveProgress(session, release) }
                guard release.reason != held else { return nil }
                try await session.execute("UPDATE release SET reason = \(held), updated_at = \(now) WHERE id = \(release.id)")
                return Change(value: try await reread() ?? release, versions: [:])
            }
            // A step acts with its author's rights as they are now (as a scheduled change does):
            // one who lost them holds the release, with why, instead of widening it. Rolling back
            // and pausing above never wait for anyone's rights.
            let author = try Rows.releaseAuthor(row)
            if let author, let refusal = try await Rows.refusal(
                session, author.credential, named: author.name, for: .edit(environment: environment), now: now) {
                try await Rows.pauseRelease(
                    session, &release, reason: ReleaseText.authorRefused(release, to: index, refusal), actor: Release.guardActor, now: now)
                return Change(value: try await reread() ?? release, versions: [:])
            }
            let actor = ReleaseText.stepActor(for: author?.name)
            let (kind, text) = ReleaseText.advanced(release, to: index, now: now)
            let written = try await Rows.applyReleaseChange(
                session, release, [ReleaseText.rollout(release, percent: release.policy.percent(at: index))], action: kind,
                change: ChangeInfo(actor: actor, message: text, clearance: .release))
            release.progress.enterStep(index, at: now)
            release.reason = nil
            if kind == .completed { release.state = .completed }
            try await Rows.recordTransition(
                session, release, ReleaseTransition(kind: kind, actor: actor, message: text, revision: written.value?.revision, at: now))
            return written.with(try await reread() ?? release)
        }
    }
}
