import ClutchCore
import Foundation
import PostgresNIO

/// Release rows in PostgreSQL, as ``Tables`` keeps them in SQLite (Tables+Releases.swift); the
/// words and decisions come from ``ReleaseText`` and ``ReleaseProgress``.
extension PostgresTables {
    static func release(_ row: PostgresRandomAccessRow) throws -> Release {
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

    /// The latest release of `flag` in `environment`, with its transitions.
    static func latestRelease(_ session: PostgresSession, flag: String, environment: String) async throws -> Release? {
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
        return release
    }

    /// The running or paused release of `flag` in `environment`, locked for this transaction, or a 404/409.
    static func requireActiveRelease(_ session: PostgresSession, flag: String, environment: String) async throws -> Release {
        guard let release = try await latestRelease(session, flag: flag, environment: environment) else {
            throw StoreError.notFound("flag '\(flag)' has no release in '\(environment)'")
        }
        guard release.state.isActive else {
            throw StoreError.conflict("the release of '\(flag)' in '\(environment)' is \(release.state.rawValue); start a new one")
        }
        try await session.execute("SELECT id FROM release WHERE id = \(release.id) FOR UPDATE")
        return release
    }

    /// Writes a transition of `release` (see ``Tables/recordTransition(_:_:_:)``).
    static func recordTransition(_ session: PostgresSession, _ release: Release, _ transition: ReleaseTransition) async throws {
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

    /// Applies the release's own instructions to its flag as one change and remembers the state it left.
    static func applyReleaseChange(
        _ session: PostgresSession, _ release: Release, _ instructions: [Instruction], action: ReleaseTransition.Kind, change: ChangeInfo
    ) async throws -> Change<FlagRecord?> {
        let (old, new, _) = try await plan(session, instructions, release.flag, release.environment, nil)
        let written = try await commitFlag(session, key: release.flag, old: old, new: new, action: "release.\(action.rawValue)", change: change)
        let record = try await requireFlag(session, release.flag)
        try await session.execute(
            "UPDATE release SET expected_state = \(try Tables.json(record.flag.state(in: release.environment))) WHERE id = \(release.id)")
        return written
    }

    /// The flag before and after `instructions` in `environment`, validated, and what they change.
    static func plan(
        _ session: PostgresSession, _ instructions: [Instruction], _ key: String, _ environment: String, _ ifRevision: Int64?
    ) async throws -> (FlagRecord, Flag, [FieldChange]) {
        try await requireEnvironment(session, environment)
        let old = try await requireFlag(session, key)
        try Tables.checkRevision(old, ifRevision)
        let new = try FlagEdits.applying(instructions, to: old.flag, environment: environment)
        try await validate(session, new)
        return (old, new, FlagDiff.changes(from: old.flag, to: new))
    }

    /// ``plan(_:_:_:_:_:)`` and its commit as one change, in the caller's transaction (an API
    /// change, a scheduled one).
    static func applyInstructions(
        _ session: PostgresSession, _ instructions: [Instruction], flag key: String, environment: String, ifRevision: Int64?,
        change: ChangeInfo
    ) async throws -> Change<InstructionResult?> {
        let (old, new, diff) = try await plan(session, instructions, key, environment, ifRevision)
        let written = try await commitFlag(session, key: key, old: old, new: new, action: "change", change: change)
        return written.with(written.value.map { InstructionResult(record: $0, diff: diff, dryRun: false) })
    }

    /// Who changed the flag's state in the release's environment since the release last did, as a sentence.
    static func changeByOthers(_ session: PostgresSession, _ release: Release) async throws -> String? {
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

    // MARK: Usage

    /// Adds rollout-decided usage to its reporter's pending counts in the running release of the
    /// same flag and environment (see ``Tables/addReleaseUsage(_:_:at:)``). Counts saturate. The
    /// release row is read `FOR SHARE`: a turn holding it locked (`FOR UPDATE`) takes the
    /// pending counts first, and these are added after it, neither lost nor counted twice.
    static func addReleaseUsage(_ session: PostgresSession, _ entries: [UsageEntry], at: Date) async throws {
        guard !entries.isEmpty else { return }
        // Parameters typed here: PostgreSQL infers none from a CASE.
        let types = [1: "BIGINT", 2: "TEXT", 3: "TEXT", 4: "BIGINT", 5: "BIGINT", 6: "DOUBLE PRECISION", 7: "BIGINT"]
        let addends = Tables.releaseReporterAddends(parameter: { "$\($0)::\(types[$0] ?? "TEXT")" })
        let columns = addends.map(\.column) + ["excess_errors"]
        let sql = """
            INSERT INTO release_reporter (release_id, reporter, \(columns.joined(separator: ", ")))
            SELECT id, $2::TEXT, \(addends.map(\.value).joined(separator: ", ")), $7::BIGINT FROM release WHERE id = $1::BIGINT
            ON CONFLICT (release_id, reporter) DO UPDATE SET
            \(columns.map { "\($0) = LEAST(release_reporter.\($0)::NUMERIC + excluded.\($0)::NUMERIC, 4611686018427387904)::BIGINT" }.joined(separator: ", "))
            """
        var known: [Int64: Set<String>] = [:]
        // One order for every replica's batch: two batches locking the same rows cannot deadlock.
        for entry in entries.sorted(by: { ($0.environment, $0.flag, $0.reporter ?? "") < ($1.environment, $1.flag, $1.reporter ?? "") }) {
            guard let id = try await session.value(
                Int64.self,
                """
                SELECT id FROM release WHERE flag = \(entry.flag) AND environment = \(entry.environment) AND state = 'running' FOR SHARE
                """)
            else { continue }
            if known[id] == nil {
                known[id] = Set(try await session.values(String.self, "SELECT reporter FROM release_reporter WHERE release_id = \(id)"))
            }
            let reporter = ReleaseReporters.row(for: entry.reporter, known: &known[id, default: []])
            var binds = PostgresBindings()
            binds.append(id)
            binds.append(reporter)
            binds.append(entry.variant)
            binds.append(entry.count)
            binds.append(entry.errors)
            binds.append(entry.time(written: at).timeIntervalSince1970)
            binds.append(entry.excessErrors)
            try await session.execute(PostgresQuery(unsafeSQL: sql, binds: binds))
        }
    }

    /// The usage each reporter sent the release since the runner last took it, taken out
    /// (zeroed) when `take` (see ``Tables/pendingUsage(_:_:)``).
    static func pendingUsage(_ session: PostgresSession, _ release: Release, take: Bool) async throws -> [String: ReporterBatch] {
        var batches: [String: ReporterBatch] = [:]
        if let row = try await session.row("SELECT * FROM release WHERE id = \(release.id)"),
           let batch = try ReleaseReporters.batch(sample: { try row.get($0) }, excess: 0) {
            batches[ReporterGuard.unnamedReporter] = batch
            if take { try await session.execute("UPDATE release SET \(unescaped: ReleaseReporters.zeroed) WHERE id = \(release.id)") }
        }
        let rows = try await session.rows(
            "SELECT * FROM release_reporter WHERE release_id = \(release.id) AND (\(unescaped: ReleaseReporters.anyPending))")
        for row in rows {
            let reporter: String = try row.get("reporter")
            guard let batch = try ReleaseReporters.batch(sample: { try row.get($0) }, excess: try row.get("excess_errors")) else { continue }
            batches[reporter, default: ReporterBatch(all: GuardSample(), settled: GuardSample())].merge(batch)
            if take {
                try await session.execute(
                    "UPDATE release_reporter SET \(unescaped: ReleaseReporters.zeroing) WHERE release_id = \(release.id) AND reporter = \(reporter)")
            }
        }
        return batches
    }

    /// The SDK keys that have served something.
    static func servedKeys(_ session: PostgresSession) async throws -> Set<String> {
        Set(try await session.values(String.self, "SELECT key_id FROM sdk_key_served"))
    }

    /// Drops the usage reported since the runner last looked.
    static func clearPendingUsage(_ session: PostgresSession, _ release: Release) async throws {
        try await session.execute("UPDATE release SET \(unescaped: ReleaseReporters.zeroed) WHERE id = \(release.id)")
        try await session.execute(
            "UPDATE release_reporter SET \(unescaped: ReleaseReporters.zeroed), excess_errors = 0 WHERE release_id = \(release.id)")
    }

    /// Stores the release's progress, and when its step settles.
    static func saveProgress(_ session: PostgresSession, _ release: Release) async throws {
        let settled = release.progress.stepStartedAt.timeIntervalSince1970 + release.policy.settleSeconds
        try await session.execute("UPDATE release SET progress = \(try Tables.json(release.progress)), settled_at = \(settled) WHERE id = \(release.id)")
    }
}
