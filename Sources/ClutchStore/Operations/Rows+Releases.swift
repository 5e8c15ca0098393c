import ClutchCore
import Foundation

/// Release rows, written once for both databases; the words and decisions come from
/// ``ReleaseText`` and ``ReleaseProgress``, which reporter row a report goes to and what a turn
/// takes out of one from ``ReleaseReporters``.
///
/// Locking (PostgreSQL; SQLite's one writer holds the whole database already): a transition
/// locks its release row (``SQLDialect/forUpdate``) and a usage report reads it
/// ``SQLDialect/forShare``, so usage reported while a turn runs is added after the turn took the
/// pending counts, neither lost nor counted twice.
extension Rows {
    // MARK: Release rows

    static func release(_ row: SQLRow) throws -> Release {
        let decoder = ClutchJSONDecoder()
        return Release(
            id: try row.get("id"), flag: try row.get("flag"), environment: try row.get("environment"),
            state: ReleaseState(rawValue: try row.get("state", as: String.self)) ?? .aborted,
            policy: try decoder.decode(ReleasePolicy.self, from: Array(try row.get("policy", as: String.self).utf8)),
            progress: try decoder.decode(ReleaseProgress.self, from: Array(try row.get("progress", as: String.self).utf8)),
            reason: try row.get("reason"), message: try row.get("message"), startedBy: try row.get("started_by"),
            startedAt: try row.get("started_at"), updatedAt: try row.get("updated_at"), transitions: [],
            replaced: try row.get("replaced", as: String?.self).map { try decoder.decode(ReleaseBaseline.self, from: Array($0.utf8)) },
            abortedTo: try row.get("aborted_to", as: Double?.self))
    }

    /// The credential a release acts for and how revisions name it; `nil` for a release started
    /// before releases recorded it (the server acts for it).
    static func releaseAuthor(_ row: SQLRow) throws -> (credential: ChangeAuthor, name: String)? {
        guard let credential = try row.get("author", as: String?.self).flatMap(ChangeAuthor.init(text:)),
              let name = try row.get("author_name", as: String?.self)
        else { return nil }
        return (credential, name)
    }

    /// Makes the one who resumes `release` its author: its next steps act with their rights.
    static func setReleaseAuthor(_ session: any SQLSession, _ release: Release, change: ChangeInfo) async throws {
        try await session.execute(
            "UPDATE release SET author = \(change.author?.text), author_name = \(change.author.map { _ in change.actor }) WHERE id = \(release.id)")
    }

    /// The latest release of `flag` in `environment`, with its transitions.
    static func latestRelease(_ session: any SQLSession, flag: String, environment: String) async throws -> Release? {
        guard let row = try await session.row(
            "SELECT * FROM release WHERE flag = \(flag) AND environment = \(environment) ORDER BY id DESC LIMIT 1")
        else { return nil }
        var release = try self.release(row)
        release.transitions = try await session.rows(
            "SELECT * FROM release_transition WHERE release_id = \(release.id) ORDER BY id"
        ).map { row in
            ReleaseTransition(
                kind: ReleaseTransition.Kind(rawValue: try row.get("kind", as: String.self)) ?? .aborted, actor: try row.get("actor"),
                message: try row.get("message", as: String?.self) ?? "", revision: try row.get("revision"), at: try row.get("at"))
        }
        release.samples = try await releaseSamples(session, release.id)
        return release
    }

    /// The running or paused release of `flag` in `environment`, locked for this transaction
    /// (``SQLDialect/forUpdate``), or a 404/409 naming what is there.
    static func requireActiveRelease(_ session: any SQLSession, flag: String, environment: String) async throws -> Release {
        guard let release = try await latestRelease(session, flag: flag, environment: environment) else {
            throw StoreError.notFound("flag '\(flag)' has no release in '\(environment)'")
        }
        guard release.state.isActive else {
            throw StoreError.conflict("the release of '\(flag)' in '\(environment)' is \(release.state.rawValue); start a new one")
        }
        _ = try await session.rows("SELECT id FROM release WHERE id = \(release.id)\(raw: session.dialect.forUpdate)")
        return release
    }

    // MARK: Transitions

    /// Writes a transition of `release`: its new state, progress and reason, the transition row,
    /// its webhook event (``ReleaseTransition/webhookEvent(of:)``), and (for transitions that did
    /// not change the flag, whose revision has its own audit event) an audit event. The one place
    /// every release transition passes through, inside the transaction of the change it describes.
    static func recordTransition(_ session: any SQLSession, _ release: Release, _ transition: ReleaseTransition) async throws {
        try await session.execute(
            """
            UPDATE release SET state = \(release.state.rawValue), reason = \(release.reason), aborted_to = \(release.abortedTo),
                               updated_at = \(transition.at) WHERE id = \(release.id)
            """)
        try await saveProgress(session, release)
        try await session.execute(
            """
            INSERT INTO release_transition (release_id, kind, actor, message, revision, at)
            VALUES (\(release.id), \(transition.kind.rawValue), \(transition.actor), \(transition.message), \(transition.revision), \(transition.at))
            """)
        if let event = transition.webhookEvent(of: release) {
            try await recordEvent(session, type: event.type, data: event.data, at: transition.at)
        }
        if transition.revision == nil {
            try await audit(
                session, at: transition.at, change: ChangeInfo(actor: transition.actor, message: transition.message),
                action: "release.\(transition.kind.rawValue)", entity: "flag", key: release.flag, environment: release.environment,
                revision: nil)
        }
    }

    /// Applies the release's own instructions to its flag (one revision, one audit event, one
    /// version bump) and remembers the state it left, so that a later change by anyone else is noticed.
    static func applyReleaseChange(
        _ session: any SQLSession, _ release: Release, _ instructions: [Instruction], action: ReleaseTransition.Kind, change: ChangeInfo
    ) async throws -> Change<FlagRecord?> {
        let (old, new, _) = try await plan(session, instructions, release.flag, release.environment, nil)
        // The release's start is the change reviewed (in a protected environment it needs a
        // change request); its later steps apply what that start set out. A change that undoes
        // the release (the guard's rollback, an abort) keeps its own clearance: it passes blocks too.
        var change = change
        if action != .started && change.clearance == .none { change.clearance = .release }
        let written = try await commitFlag(session, key: release.flag, old: old, new: new, action: "release.\(action.rawValue)", change: change)
        let record = try await requireFlag(session, release.flag)
        try await session.execute(
            "UPDATE release SET expected_state = \(try Tables.json(record.flag.state(in: release.environment))) WHERE id = \(release.id)")
        return written
    }

    /// Pauses `release` (its new state and reason set here): drops the usage reported since the
    /// runner last looked, which is not the resumed step's, and records the transition.
    static func pauseRelease(_ session: any SQLSession, _ release: inout Release, reason: String, actor: String, now: Date) async throws {
        release.state = .paused
        release.reason = reason
        // Data reported while paused (or just before) is not the resumed step's.
        try await clearPendingUsage(session, release)
        try await recordTransition(
            session, release, ReleaseTransition(kind: .paused, actor: actor, message: ReleaseText.paused(release, reason: reason), revision: nil, at: now))
    }

    /// Who changed the flag's state in the release's environment since the release last did,
    /// as a sentence; `nil` when nobody did.
    static func changeByOthers(_ session: any SQLSession, _ release: Release) async throws -> String? {
        guard let expected = try await session.value(String.self, "SELECT expected_state FROM release WHERE id = \(release.id)") else {
            return nil
        }
        let record = try await flag(session, release.flag)
        switch ReleaseText.handChange(release, expected: expected, record: record) {
        case .none: return nil
        case .reason(let reason): return reason
        case .changed: break
        }
        let latest = try await session.row(
            """
            SELECT number, actor, message FROM revision WHERE entity = 'flag' AND environment = '' AND key = \(release.flag)
            ORDER BY number DESC LIMIT 1
            """)
        return ReleaseText.changedByHand(
            release, number: try latest?.get("number", as: Int64.self) ?? record?.revision ?? 0,
            actor: try latest?.get("actor", as: String.self) ?? record?.updatedBy ?? "", message: try latest?.get("message", as: String?.self))
    }

    /// Stores the release's progress, and when its step settles (for ``addReleaseUsage(_:_:at:)``).
    static func saveProgress(_ session: any SQLSession, _ release: Release) async throws {
        let settled = release.progress.stepStartedAt.timeIntervalSince1970 + release.policy.settleSeconds
        try await session.execute("UPDATE release SET progress = \(try Tables.json(release.progress)), settled_at = \(settled) WHERE id = \(release.id)")
    }

    // MARK: Samples

    /// The most samples a release keeps: beyond it, its samples are merged in pairs
    /// (``ReleaseSample/thinned(_:)``), so a release of days keeps a chart of its whole course.
    static let maxReleaseSamples = 240

    /// Records what a turn weighed (`weighed`: the counted reporters' batches) at the release's
    /// current step, in the turn's transaction; nothing when it weighed nothing. Keeps at most
    /// ``maxReleaseSamples`` per release.
    static func recordSample(_ session: any SQLSession, _ release: Release, weighed: GuardSample, at: Date) async throws {
        guard !weighed.isEmpty else { return }
        let sample = ReleaseSample(
            at: at, step: release.progress.stepIndex + 1, percent: release.policy.percent(at: release.progress.stepIndex),
            new: weighed.new, other: weighed.other)
        try await insertSample(session, release.id, sample)
        let count = try await session.value(Int64.self, "SELECT COUNT(*) FROM release_sample WHERE release_id = \(release.id)") ?? 0
        guard count > maxReleaseSamples else { return }
        let thinned = ReleaseSample.thinned(try await releaseSamples(session, release.id))
        try await session.execute("DELETE FROM release_sample WHERE release_id = \(release.id)")
        for sample in thinned { try await insertSample(session, release.id, sample) }
    }

    private static func insertSample(_ session: any SQLSession, _ releaseID: Int64, _ sample: ReleaseSample) async throws {
        try await session.execute(
            """
            INSERT INTO release_sample (release_id, at, step, percent, new_evaluations, new_errors, other_evaluations, other_errors)
            VALUES (\(releaseID), \(sample.at), \(Int64(sample.step)), \(sample.percent), \(sample.new.evaluations), \(sample.new.errors),
                    \(sample.other.evaluations), \(sample.other.errors))
            """)
    }

    /// The release's samples, oldest first.
    static func releaseSamples(_ session: any SQLSession, _ releaseID: Int64) async throws -> [ReleaseSample] {
        try await session.rows("SELECT * FROM release_sample WHERE release_id = \(releaseID) ORDER BY at, id").map { row in
            ReleaseSample(
                at: try row.get("at"), step: Int(try row.get("step", as: Int64.self)), percent: try row.get("percent"),
                new: SideCounts(evaluations: try row.get("new_evaluations"), errors: try row.get("new_errors")),
                other: SideCounts(evaluations: try row.get("other_evaluations"), errors: try row.get("other_errors")))
        }
    }

    // MARK: Usage

    /// Adds rollout-decided usage (``UsageEntry/rollout``) that arrived at its ``UsageEntry/receivedAt``
    /// (else `at`) to the pending counts of its reporter (``UsageEntry/reporter``) in the running
    /// release of the same flag and environment: the new side when the variant is the release's,
    /// the other side otherwise; into the `early_*` counts while the step settles (reports then
    /// were mostly counted before the percentage changed). Beyond ``ReporterGuard/maxReporters``
    /// per release, further instances of a key fold into ``ReporterGuard/overflowReporter(keyID:)``.
    /// Counts saturate at 2^62.
    ///
    /// The release row is read ``SQLDialect/forShare``: a turn holding it locked
    /// (``SQLDialect/forUpdate``) takes the pending counts first, and these are added after it.
    /// Entries go in one order (environment, flag, reporter), so that two batches locking the
    /// same rows cannot deadlock, and reporters beyond the limit fold the same way on every
    /// replica.
    static func addReleaseUsage(_ session: any SQLSession, _ entries: [UsageEntry], at: Date) async throws {
        guard !entries.isEmpty else { return }
        let columns = ReleaseReporters.columns + ["excess_errors"]
        let sums = columns.map { column in
            "\(column) = \(session.dialect.saturatingSum("release_reporter.\(column)", "excluded.\(column)", limit: ReleaseReporters.limit))"
        }
        var known: [Int64: Set<String>] = [:]
        for entry in entries.sorted(by: { ($0.environment, $0.flag, $0.reporter ?? "") < ($1.environment, $1.flag, $1.reporter ?? "") }) {
            guard let row = try await session.row(
                """
                SELECT id, variant, settled_at FROM release
                WHERE flag = \(entry.flag) AND environment = \(entry.environment) AND state = 'running'\(raw: session.dialect.forShare)
                """)
            else { continue }
            let id: Int64 = try row.get("id")
            if known[id] == nil {
                known[id] = Set(try await session.values(String.self, "SELECT reporter FROM release_reporter WHERE release_id = \(id)"))
            }
            let reporter = ReleaseReporters.row(for: entry.reporter, known: &known[id, default: []])
            let addends = ReleaseReporters.addends(
                of: entry, arrived: entry.time(written: at), variant: try row.get("variant"), settledAt: try row.get("settled_at"))
            try await session.execute(
                """
                INSERT INTO release_reporter (release_id, reporter, \(raw: columns.joined(separator: ", ")))
                VALUES (\(id), \(reporter), \(list: addends), \(entry.excessErrors))
                ON CONFLICT (release_id, reporter) DO UPDATE SET \(raw: sums.joined(separator: ", "))
                """)
        }
    }

    /// The usage each reporter sent the release since the runner last took it, by reporter
    /// (``ReleaseReporters/batch(sample:excess:)``), taken out (zeroed) when `take`; usage on the
    /// release row itself (written by a server of the previous schema) is
    /// ``ReporterGuard/unnamedReporter``'s.
    static func pendingUsage(_ session: any SQLSession, _ release: Release, take: Bool) async throws -> [String: ReporterBatch] {
        var batches: [String: ReporterBatch] = [:]
        if let row = try await session.row("SELECT * FROM release WHERE id = \(release.id)"),
           let batch = try ReleaseReporters.batch(sample: { try row.get($0) }, excess: 0) {
            batches[ReporterGuard.unnamedReporter] = batch
            if take { try await session.execute("UPDATE release SET \(raw: ReleaseReporters.zeroed) WHERE id = \(release.id)") }
        }
        let rows = try await session.rows(
            "SELECT * FROM release_reporter WHERE release_id = \(release.id) AND (\(raw: ReleaseReporters.anyPending))")
        for row in rows {
            let reporter: String = try row.get("reporter")
            guard let batch = try ReleaseReporters.batch(sample: { try row.get($0) }, excess: try row.get("excess_errors")) else { continue }
            batches[reporter, default: ReporterBatch(all: GuardSample(), settled: GuardSample())].merge(batch)
            if take {
                try await session.execute(
                    "UPDATE release_reporter SET \(raw: ReleaseReporters.zeroing) WHERE release_id = \(release.id) AND reporter = \(reporter)")
            }
        }
        return batches
    }

    /// The SDK keys that have served something (``SQLStore/recordKeyServed(_:at:)``).
    static func servedKeys(_ session: any SQLSession) async throws -> Set<String> {
        Set(try await session.values(String.self, "SELECT key_id FROM sdk_key_served"))
    }

    /// Drops the usage reported since the runner last looked.
    static func clearPendingUsage(_ session: any SQLSession, _ release: Release) async throws {
        try await session.execute("UPDATE release SET \(raw: ReleaseReporters.zeroed) WHERE id = \(release.id)")
        try await session.execute(
            "UPDATE release_reporter SET \(raw: ReleaseReporters.zeroed), excess_errors = 0 WHERE release_id = \(release.id)")
    }
}
