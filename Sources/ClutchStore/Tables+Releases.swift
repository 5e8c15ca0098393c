import ClutchCore
import Foundation
import GRDB

extension Tables {
    // MARK: Release rows

    static func release(_ row: Row) throws -> Release {
        let decoder = ClutchJSONDecoder()
        return Release(
            id: row["id"], flag: row["flag"], environment: row["environment"],
            state: ReleaseState(rawValue: row["state"] as String) ?? .aborted,
            policy: try decoder.decode(ReleasePolicy.self, from: Array((row["policy"] as String).utf8)),
            progress: try decoder.decode(ReleaseProgress.self, from: Array((row["progress"] as String).utf8)),
            reason: row["reason"], message: row["message"], startedBy: row["started_by"],
            startedAt: row["started_at"], updatedAt: row["updated_at"], transitions: [],
            replaced: try (row["replaced"] as String?).map { try decoder.decode(ReleaseBaseline.self, from: Array($0.utf8)) },
            abortedTo: row["aborted_to"])
    }

    /// The latest release of `flag` in `environment`, with its transitions.
    static func latestRelease(_ db: Database, flag: String, environment: String) throws -> Release? {
        guard let row = try Row.fetchOne(
            db, sql: "SELECT * FROM release WHERE flag = ? AND environment = ? ORDER BY id DESC LIMIT 1",
            arguments: [flag, environment])
        else { return nil }
        var release = try self.release(row)
        release.transitions = try Row.fetchAll(
            db, sql: "SELECT * FROM release_transition WHERE release_id = ? ORDER BY id", arguments: [release.id]
        ).map { row in
            ReleaseTransition(
                kind: ReleaseTransition.Kind(rawValue: row["kind"] as String) ?? .aborted, actor: row["actor"], message: (row["message"] as String?) ?? "",
                revision: row["revision"], at: row["at"])
        }
        return release
    }

    /// The running or paused release of `flag` in `environment`, or a 404/409 naming what is there.
    static func requireActiveRelease(_ db: Database, flag: String, environment: String) throws -> Release {
        guard let release = try latestRelease(db, flag: flag, environment: environment) else {
            throw StoreError.notFound("flag '\(flag)' has no release in '\(environment)'")
        }
        guard release.state.isActive else {
            throw StoreError.conflict("the release of '\(flag)' in '\(environment)' is \(release.state.rawValue); start a new one")
        }
        return release
    }

    /// Writes a transition of `release`: its new state, progress and reason, the transition row,
    /// and (for transitions that did not change the flag, whose revision has its own audit event)
    /// an audit event. The one place every release transition passes through, inside the
    /// transaction of the change it describes.
    static func recordTransition(_ db: Database, _ release: Release, _ transition: ReleaseTransition) throws {
        try db.execute(
            sql: "UPDATE release SET state = ?, reason = ?, aborted_to = ?, updated_at = ? WHERE id = ?",
            arguments: [release.state.rawValue, release.reason, release.abortedTo, transition.at, release.id])
        try saveProgress(db, release)
        try db.execute(
            sql: "INSERT INTO release_transition (release_id, kind, actor, message, revision, at) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [release.id, transition.kind.rawValue, transition.actor, transition.message, transition.revision, transition.at])
        try recordReleaseEvent(db, release, transition)
        if transition.revision == nil {
            try audit(
                db, at: transition.at, change: ChangeInfo(actor: transition.actor, message: transition.message),
                action: "release.\(transition.kind.rawValue)", entity: "flag", key: release.flag, environment: release.environment,
                revision: nil)
        }
    }

    /// Applies the release's own instructions to its flag (one revision, one audit event, one
    /// version bump) and remembers the state it left, so that a later change by anyone else is noticed.
    static func applyReleaseChange(
        _ db: Database, _ release: Release, _ instructions: [Instruction], action: ReleaseTransition.Kind, change: ChangeInfo
    ) throws -> Change<FlagRecord?> {
        let (old, new, _) = try FlagStore.plan(db, instructions, release.flag, release.environment, nil)
        let written = try commitFlag(db, key: release.flag, old: old, new: new, action: "release.\(action.rawValue)", change: change)
        try rememberState(db, release)
        return written
    }

    /// Stores the flag's current state in the release's environment as the state it expects.
    static func rememberState(_ db: Database, _ release: Release) throws {
        let record = try requireFlag(db, release.flag)
        try db.execute(
            sql: "UPDATE release SET expected_state = ? WHERE id = ?",
            arguments: [try json(record.flag.state(in: release.environment)), release.id])
    }

    /// Who changed the flag's state in the release's environment since the release last did,
    /// as a sentence; `nil` when nobody did.
    static func changeByOthers(_ db: Database, _ release: Release) throws -> String? {
        guard let expected = try String.fetchOne(db, sql: "SELECT expected_state FROM release WHERE id = ?", arguments: [release.id]) else {
            return nil
        }
        let record = try flag(db, release.flag)
        switch ReleaseText.handChange(release, expected: expected, record: record) {
        case .none: return nil
        case .reason(let reason): return reason
        case .changed: break
        }
        let latest = try Row.fetchOne(
            db, sql: "SELECT number, actor, message FROM revision WHERE entity = 'flag' AND environment = '' AND key = ? ORDER BY number DESC LIMIT 1",
            arguments: [release.flag])
        return ReleaseText.changedByHand(
            release, number: latest?["number"] ?? record?.revision ?? 0, actor: latest?["actor"] ?? record?.updatedBy ?? "",
            message: latest?["message"])
    }

    // MARK: Usage

    /// Adds rollout-decided usage (``UsageEntry/rollout``) that arrived at its ``UsageEntry/receivedAt``
    /// (else `at`) to the pending counts of its reporter (``UsageEntry/reporter``) in the running
    /// release of the same flag and environment: the new side when the variant is the release's,
    /// the other side otherwise; into the `early_*` counts while the step settles (reports then
    /// were mostly counted before the percentage changed). Beyond ``ReporterGuard/maxReporters``
    /// per release, further instances of a key fold into ``ReporterGuard/overflowReporter(keyID:)``.
    static func addReleaseUsage(_ db: Database, _ entries: [UsageEntry], at: Date) throws {
        guard !entries.isEmpty else { return }
        let addends = releaseReporterAddends(parameter: { "?\($0)" })
        let upsert = try db.cachedStatement(sql: """
            INSERT INTO release_reporter (release_id, reporter, \(addends.map(\.column).joined(separator: ", ")), excess_errors)
            SELECT id, ?2, \(addends.map(\.value).joined(separator: ", ")), ?7 FROM release WHERE id = ?1
            ON CONFLICT (release_id, reporter) DO UPDATE SET
            \((addends.map(\.column) + ["excess_errors"]).map { "\($0) = MIN(\($0) + excluded.\($0), 4611686018427387904)" }.joined(separator: ", "))
            """)
        var known: [Int64: Set<String>] = [:]
        for entry in entries {
            guard let id = try Int64.fetchOne(
                db, sql: "SELECT id FROM release WHERE flag = ? AND environment = ? AND state = 'running'",
                arguments: [entry.flag, entry.environment])
            else { continue }
            if known[id] == nil {
                known[id] = Set(try String.fetchAll(db, sql: "SELECT reporter FROM release_reporter WHERE release_id = ?", arguments: [id]))
            }
            let reporter = ReleaseReporters.row(for: entry.reporter, known: &known[id, default: []])
            let seconds = entry.time(written: at).timeIntervalSince1970
            try upsert.execute(arguments: [id, reporter, entry.variant, entry.count, entry.errors, seconds, entry.excessErrors])
        }
    }

    /// The pending columns of a reporter row, each with what one report adds to it (both
    /// databases): parameters 3 to 6 are the report's variant, count, errors and arrival (Unix
    /// seconds), spelled by `parameter`; the release row supplies `variant` and `settled_at`.
    static func releaseReporterAddends(parameter: (Int) -> String) -> [(column: String, value: String)] {
        var addends: [(column: String, value: String)] = []
        for settled in [true, false] {
            let prefix = settled ? "pending" : "early"
            for (side, new) in [("new", true), ("other", false)] {
                for (measure, value) in [("evaluations", 4), ("errors", 5)] {
                    let condition = "variant \(new ? "=" : "!=") \(parameter(3)) AND \(parameter(6)) \(settled ? ">=" : "<") settled_at"
                    addends.append(("\(prefix)_\(side)_\(measure)", "CASE WHEN \(condition) THEN \(parameter(value)) ELSE 0 END"))
                }
            }
        }
        return addends
    }

    /// The usage each reporter sent the release since the runner last took it, by reporter
    /// (``ReleaseReporters/batch(sample:excess:)``); usage on the release row itself (written by a
    /// server of the previous schema) is ``ReporterGuard/unnamedReporter``'s.
    static func pendingUsage(_ db: Database, _ release: Release) throws -> [String: ReporterBatch] {
        try pendingUsage(db, release, take: false)
    }

    /// ``pendingUsage(_:_:)``, taken out (zeroed).
    static func takePendingUsage(_ db: Database, _ release: Release) throws -> [String: ReporterBatch] {
        try pendingUsage(db, release, take: true)
    }

    private static func pendingUsage(_ db: Database, _ release: Release, take: Bool) throws -> [String: ReporterBatch] {
        var batches: [String: ReporterBatch] = [:]
        if let row = try Row.fetchOne(db, sql: "SELECT * FROM release WHERE id = ?", arguments: [release.id]),
           let batch = try ReleaseReporters.batch(sample: { row[$0] }, excess: 0) {
            batches[ReporterGuard.unnamedReporter] = batch
            if take { try db.execute(sql: "UPDATE release SET \(ReleaseReporters.zeroed) WHERE id = ?", arguments: [release.id]) }
        }
        let rows = try Row.fetchAll(
            db, sql: "SELECT * FROM release_reporter WHERE release_id = ? AND (\(ReleaseReporters.anyPending))", arguments: [release.id])
        for row in rows {
            let reporter: String = row["reporter"]
            guard let batch = try ReleaseReporters.batch(sample: { row[$0] }, excess: row["excess_errors"]) else { continue }
            batches[reporter, default: ReporterBatch(all: GuardSample(), settled: GuardSample())].merge(batch)
            if take {
                try db.execute(
                    sql: "UPDATE release_reporter SET \(ReleaseReporters.zeroing) WHERE release_id = ? AND reporter = ?",
                    arguments: [release.id, reporter])
            }
        }
        return batches
    }

    /// The SDK keys that have served something (``FlagStore/recordKeyServed(_:at:)``).
    static func servedKeys(_ db: Database) throws -> Set<String> {
        Set(try String.fetchAll(db, sql: "SELECT key_id FROM sdk_key_served"))
    }

    /// Drops the usage reported since the runner last looked.
    static func clearPendingUsage(_ db: Database, _ release: Release) throws {
        try db.execute(sql: "UPDATE release SET \(ReleaseReporters.zeroed) WHERE id = ?", arguments: [release.id])
        try db.execute(
            sql: "UPDATE release_reporter SET \(ReleaseReporters.zeroed), excess_errors = 0 WHERE release_id = ?", arguments: [release.id])
    }
    /// Stores the release's progress, and when its step settles (for ``addReleaseUsage(_:_:at:)``).
    static func saveProgress(_ db: Database, _ release: Release) throws {
        try db.execute(
            sql: "UPDATE release SET progress = ?, settled_at = ? WHERE id = ?",
            arguments: [
                try json(release.progress),
                release.progress.stepStartedAt.timeIntervalSince1970 + release.policy.settleSeconds, release.id,
            ])
    }
}

extension Tables {
    /// Queues the webhook event of a transition (``ReleaseTransition/webhookEvent(of:)``), in the transition's transaction.
    static func recordReleaseEvent(_ db: Database, _ release: Release, _ transition: ReleaseTransition) throws {
        guard let event = transition.webhookEvent(of: release) else { return }
        try recordEvent(db, type: event.type, data: event.data, at: transition.at)
    }
}
