import ClutchCore
import Foundation

/// Environments, flags, instructions, revisions and rollback.
extension SQLStore {
    // MARK: Environments

    /// Every environment, sorted by key.
    public func environments() async throws -> [EnvironmentRecord] {
        try await read { session in try await Rows.environments(session) }
    }

    /// Adds an environment. Existing flags are off there until someone sets their state.
    public func createEnvironment(_ key: String, change: ChangeInfo) async throws -> EnvironmentRecord {
        guard KeyRule.isValid(key) else {
            throw StoreError.invalid(ValidationError(path: "key", KeyRule.message("environment", key)))
        }
        let record = try await write { session -> EnvironmentRecord in
            if try await Rows.environmentExists(session, key) {
                throw StoreError.conflict("environment '\(key)' already exists", field: "key")
            }
            let now = self.now()
            try await session.execute("INSERT INTO environment (key, created_at, version) VALUES (\(key), \(now), 0)")
            try await Rows.audit(session, at: now, change: change, action: "create", entity: "environment", key: key, environment: key, revision: nil)
            // Read back, so the date has the precision it is stored with.
            guard let record = try await Rows.environments(session).first(where: { $0.key == key }) else {
                throw StoreError.notFound("environment '\(key)' does not exist")
            }
            return record
        }
        logger.info("environment created", metadata: ["environment": "\(key)", "actor": "\(change.actor)"])
        return record
    }

    // MARK: Flags

    /// Every flag sorted by key, with usage and lifecycle; archived ones only when `includeArchived`.
    public func flags(includeArchived: Bool) async throws -> [FlagRecord] {
        try await read { session in
            let records = try await Rows.allFlags(session).filter { includeArchived || !$0.flag.archived }
            return try await Rows.withLifecycle(session, records, flags: nil, now: session.now)
        }
    }

    /// One page of the flags `query` matches, sorted by key, with usage and lifecycle. Search,
    /// tag, state and archived are filtered by the database and only the page's rows are read
    /// with their usage; a stage filter needs every matching flag's lifecycle, so it reads them
    /// all (as ``flags(includeArchived:)`` does) and pages after.
    public func flagPage(_ query: FlagQuery) async throws -> FlagPage {
        let limit = max(1, query.limit), offset = max(0, query.offset)
        return try await read { session -> FlagPage in
            let filter = Rows.flagFilter(query, session.dialect)
            let select: SQL = "SELECT * FROM flag\(filter) ORDER BY key\(raw: session.dialect.byteOrder)"
            let all: SQL = query.includeArchived ? "SELECT COUNT(*) FROM flag" : "SELECT COUNT(*) FROM flag WHERE NOT archived"
            let total = try await session.value(Int.self, all) ?? 0
            let tags = try await Rows.flagTags(session, includeArchived: query.includeArchived)
            if let stage = query.stage {
                let matching = try await session.rows(select).map(Rows.flagRecord)
                let staged = try await Rows.withLifecycle(session, matching, flags: nil, now: session.now).filter {
                    $0.lifecycle(in: query.environment)?.stage == stage
                }
                let page = Array(staged.dropFirst(offset).prefix(limit))
                return FlagPage(
                    flags: page, matched: staged.count, total: total, nextOffset: offset + limit < staged.count ? offset + limit : nil, tags: tags)
            }
            let matched = try await session.value(Int.self, "SELECT COUNT(*) FROM flag\(filter)") ?? 0
            let rows = try await session.rows("\(select) LIMIT \(limit) OFFSET \(offset)").map(Rows.flagRecord)
            let page = try await Rows.withLifecycle(session, rows, flags: rows.map(\.flag.key), now: session.now)
            return FlagPage(flags: page, matched: matched, total: total, nextOffset: offset + limit < matched ? offset + limit : nil, tags: tags)
        }
    }

    /// The flag `key` with usage and lifecycle, or `notFound`.
    public func flag(_ key: String) async throws -> FlagRecord {
        try await read { session in
            let record = try await Rows.requireFlag(session, key)
            return try await Rows.withLifecycle(session, [record], flags: [key], now: session.now).first ?? record
        }
    }

    /// Creates a flag at revision 1 (or the next number when the key existed before and was
    /// deleted). Every environment not given gets `FlagState(enabled: false)`.
    public func createFlag(_ flag: Flag, change: ChangeInfo) async throws -> Change<FlagRecord> {
        let result = try await write { session -> Change<FlagRecord?> in
            if try await Rows.flag(session, flag.key) != nil {
                throw StoreError.conflict("flag '\(flag.key)' already exists", field: "key")
            }
            var normalized = Tables.normalized(flag)
            try await Rows.validate(session, normalized)
            normalized = try await Rows.checkedOwner(session, normalized, old: nil)
            let new = FlagEdits.created(normalized, environments: try await Rows.environmentKeys(session))
            return try await Rows.commitFlag(session, key: flag.key, old: nil, new: new, action: "create", change: change)
        }
        return try written(result, flag.key, "create", change)
    }

    /// Replaces the flag's definition. States of environments the new definition leaves out stay as they are.
    public func updateFlag(_ flag: Flag, ifRevision: Int64?, change: ChangeInfo) async throws -> Change<FlagRecord> {
        let result = try await write { session -> Change<FlagRecord?> in
            let old = try await Rows.requireFlag(session, flag.key)
            try Tables.checkRevision(old, ifRevision)
            var new = FlagEdits.updated(old.flag, to: flag)
            try await Rows.validate(session, new)
            new = try await Rows.checkedOwner(session, new, old: old.flag)
            return try await Rows.commitFlag(session, key: flag.key, old: old, new: new, action: "update", change: change)
        }
        return try written(result, flag.key, "update", change)
    }

    /// Replaces the flag's state in one environment.
    public func updateState(
        flag key: String, environment: String, state: FlagState, ifRevision: Int64?, change: ChangeInfo
    ) async throws -> Change<FlagRecord> {
        let result = try await write { session -> Change<FlagRecord?> in
            try await Rows.requireEnvironment(session, environment)
            let old = try await Rows.requireFlag(session, key)
            try Tables.checkRevision(old, ifRevision)
            let new = FlagEdits.withState(old.flag, environment: environment, state: state)
            do {
                try await Rows.validate(session, new)
            } catch let error as StoreError {
                // The caller sent only the state: report paths relative to it.
                throw FlagEdits.relativeToState(error, environment: environment)
            }
            return try await Rows.commitFlag(session, key: key, old: old, new: new, action: "state", change: change)
        }
        return try written(result, key, "state", change)
    }

    /// Switches the flag on or off in one environment. Switching to the current setting writes nothing.
    public func setEnabled(
        flag key: String, environment: String, enabled: Bool, ifRevision: Int64?, change: ChangeInfo
    ) async throws -> Change<FlagRecord> {
        let action = enabled ? "enable" : "disable"
        let result = try await write { session -> Change<FlagRecord?> in
            try await Rows.requireEnvironment(session, environment)
            let old = try await Rows.requireFlag(session, key)
            try Tables.checkRevision(old, ifRevision)
            let new = FlagEdits.enabled(old.flag, environment: environment, enabled: enabled)
            if enabled { try await Rows.validate(session, new) }
            return try await Rows.commitFlag(session, key: key, old: old, new: new, action: action, change: change)
        }
        return try written(result, key, action, change)
    }

    /// Switches the flag off in `environments` (all when `nil`) as one revision. Never refused for
    /// validation: the kill switch must always work. `versions` names the environments switched off.
    public func kill(flag key: String, environments: [String]?, change: ChangeInfo) async throws -> Change<FlagRecord> {
        let result = try await write { session -> Change<FlagRecord?> in
            let targets = try FlagEdits.killTargets(environments, known: try await Rows.environmentKeys(session))
            let old = try await Rows.requireFlag(session, key)
            let new = FlagEdits.killed(old.flag, in: targets)
            return try await Rows.commitFlag(session, key: key, old: old, new: new, action: "kill", change: change)
        }
        return try written(result, key, "kill", change)
    }

    /// Archives the flag (hidden from listings and snapshots) or brings it back. A flag that other
    /// flags require as a prerequisite cannot be archived (`conflict` naming them).
    public func setArchived(flag key: String, archived: Bool, change: ChangeInfo) async throws -> Change<FlagRecord> {
        let action = archived ? "archive" : "unarchive"
        let result = try await write { session -> Change<FlagRecord?> in
            let old = try await Rows.requireFlag(session, key)
            var new = old.flag
            new.archived = archived
            if archived, !old.flag.archived { try await Rows.checkNotRequired(session, key, action: "archived") }
            if !archived { try await Rows.validate(session, new) }
            return try await Rows.commitFlag(session, key: key, old: old, new: new, action: action, change: change)
        }
        return try written(result, key, action, change)
    }

    /// Deletes the flag. Its history stays, and the key may be created again.
    /// With `ifRevision`, refused (conflict) unless the flag is at that revision, checked inside
    /// the write's transaction. Unless `force`, a flag that is on in any environment or was
    /// evaluated within ``FlagStore/deletionGrace`` is refused too (`conflict` on `force`, saying
    /// how to proceed): deleting a live flag makes every application fall back to its code
    /// default. A flag that other flags require as a prerequisite is refused even with `force`
    /// (`conflict` naming them).
    public func deleteFlag(
        _ key: String, ifRevision: Int64? = nil, force: Bool = false, now: Date = Date(), change: ChangeInfo
    ) async throws -> Change<Void> {
        let result = try await write { session -> Change<FlagRecord?> in
            let old = try await Rows.requireFlag(session, key)
            try Tables.checkRevision(old, ifRevision)
            // Before the usage check, and even with force: deleting a flag others require would
            // switch them off for everyone, which force does not mean to allow.
            try await Rows.checkNotRequired(session, key, action: "deleted")
            if !force {
                try Self.checkUnused(old, usage: try await Rows.usage(session, flags: [key])[key], now: now)
            }
            return try await Rows.commitFlag(session, key: key, old: old, new: nil, action: "delete", change: change)
        }
        logger.info("flag deleted", metadata: ["flag": "\(key)", "actor": "\(change.actor)"])
        return result.with(())
    }

    /// Recreates a deleted flag from its history: the content of its last revision before the
    /// deletion, states included, as a new revision that continues the same history (`restore`).
    /// Environments created since get the flag off; a flag that exists is a conflict.
    public func restoreFlag(_ key: String, change: ChangeInfo) async throws -> Change<FlagRecord> {
        let result = try await write { session -> Change<FlagRecord?> in
            if try await Rows.flag(session, key) != nil {
                throw StoreError.conflict("flag '\(key)' exists: only a deleted flag can be restored")
            }
            guard let content = try await session.value(
                String.self,
                """
                SELECT content FROM revision WHERE entity = 'flag' AND environment = '' AND key = \(key) AND content IS NOT NULL
                ORDER BY number DESC LIMIT 1
                """)
            else {
                throw StoreError.notFound("flag '\(key)' has no history to restore")
            }
            let flag = FlagEdits.restored(try Tables.decode(Flag.self, content), environments: try await Rows.environmentKeys(session))
            try await Rows.validate(session, flag)
            return try await Rows.commitFlag(session, key: key, old: nil, new: flag, action: "restore", change: change)
        }
        return try written(result, key, "restore", change)
    }

    /// Unwraps a committed flag change and logs it.
    func written(_ result: Change<FlagRecord?>, _ key: String, _ action: String, _ change: ChangeInfo) throws -> Change<FlagRecord> {
        guard let record = result.value else { throw StoreError.notFound("flag '\(key)' does not exist") }
        if !result.versions.isEmpty || action == "create" {
            logger.info("flag changed", metadata: [
                "flag": "\(key)", "action": "\(action)", "revision": "\(record.revision)", "actor": "\(change.actor)",
            ])
        }
        return result.with(record)
    }

    // MARK: Instructions

    /// Applies `instructions` in order to the flag's state in `environment`, inside one
    /// transaction, against the state as it is when the transaction runs: one revision, one
    /// audit event, one version bump. All or nothing; a bad instruction is refused naming its
    /// index and field (`instructions[2].values`). Without `ifRevision`, changes made by others
    /// meanwhile are kept (two callers adding different customers both succeed); with it, the
    /// change is refused unless the flag is still at that revision. A dry run reads the same way
    /// and writes nothing.
    public func apply(
        _ instructions: [Instruction], flag key: String, environment: String, ifRevision: Int64?, dryRun: Bool,
        change: ChangeInfo
    ) async throws -> Change<InstructionResult> {
        guard !instructions.isEmpty else {
            throw StoreError.invalid(ValidationError(path: "instructions", "give at least one instruction"))
        }
        if dryRun {
            return try await read { session in
                let (old, new, diff) = try await Rows.plan(session, instructions, key, environment, ifRevision)
                var record = old
                record.flag = new
                return Change(value: InstructionResult(record: record, diff: diff, dryRun: true), versions: [:])
            }
        }
        let result = try await write { session in
            try await Rows.applyInstructions(session, instructions, flag: key, environment: environment, ifRevision: ifRevision, change: change)
        }
        guard let value = result.value else { throw StoreError.notFound("flag '\(key)' does not exist") }
        if !result.versions.isEmpty {
            logger.info("flag changed", metadata: [
                "flag": "\(key)", "action": "change", "environment": "\(environment)",
                "instructions": "\(instructions.map(\.kind).joined(separator: ","))",
                "revision": "\(value.record.revision)", "actor": "\(change.actor)",
            ])
        }
        return result.with(value)
    }

    // MARK: Revisions

    /// The flag's revisions, newest first. With `environment`, only those that changed that
    /// environment's state or the flag itself. History outlives a deleted flag.
    public func revisions(flag key: String, environment: String?) async throws -> [Revision] {
        try await read { session in
            if let environment { try await Rows.requireEnvironment(session, environment) }
            let rows = try await session.rows(
                "SELECT * FROM revision WHERE entity = 'flag' AND environment = '' AND key = \(key) ORDER BY number DESC")
            if rows.isEmpty { throw StoreError.notFound("flag '\(key)' does not exist") }
            let revisions = try rows.map(Rows.revision)
            guard let environment else { return revisions }
            return revisions.filter { $0.definitionChanged || $0.environments.contains(environment) }
        }
    }

    /// Revision `number` of the flag, or `notFound`.
    public func revision(flag key: String, number: Int64) async throws -> Revision {
        try await read { session in try await Rows.revision(session, key, number) }
    }

    /// Restores revision `number` (default: the one before the latest) as a new revision: the whole
    /// flag, or only `environment`'s state when given. The restored content must still be valid
    /// (for example its cohorts must exist).
    /// With `ifRevision`, refused (conflict) unless the flag is at that revision, checked inside
    /// the write's transaction.
    public func rollback(
        flag key: String, to number: Int64?, environment: String?, ifRevision: Int64? = nil, change: ChangeInfo
    ) async throws -> Change<FlagRecord> {
        let result = try await write { session -> Change<FlagRecord?> in
            let (old, new, summaryPrefix) = try await Rows.restored(session, key, to: number, environment: environment, ifRevision: ifRevision)
            return try await Rows.commitFlag(
                session, key: key, old: old, new: new, action: "rollback", change: change, summaryPrefix: summaryPrefix)
        }
        return try written(result, key, "rollback", change)
    }
}

extension Rows {
    /// The write of ``SQLStore/apply(_:flag:environment:ifRevision:dryRun:change:)`` inside the
    /// caller's transaction, so that the scheduler claims a schedule and applies it in one transaction.
    static func applyInstructions(
        _ session: any SQLSession, _ instructions: [Instruction], flag key: String, environment: String, ifRevision: Int64?,
        change: ChangeInfo
    ) async throws -> Change<InstructionResult?> {
        let (old, new, diff) = try await plan(session, instructions, key, environment, ifRevision)
        let written = try await commitFlag(session, key: key, old: old, new: new, action: "change", change: change)
        return written.with(written.value.map { InstructionResult(record: $0, diff: diff, dryRun: false) })
    }

    /// The flag before and after the instructions, validated, and what they change.
    static func plan(
        _ session: any SQLSession, _ instructions: [Instruction], _ key: String, _ environment: String, _ ifRevision: Int64?
    ) async throws -> (FlagRecord, Flag, [FieldChange]) {
        try await requireEnvironment(session, environment)
        let old = try await requireFlag(session, key)
        try Tables.checkRevision(old, ifRevision)
        var new = try FlagEdits.applying(instructions, to: old.flag, environment: environment)
        try await validate(session, new)
        // A refused owner names the instruction that set it.
        let setter = instructions.lastIndex { if case .setOwner = $0 { true } else { false } }
        new = try await checkedOwner(session, new, old: old.flag, field: setter.map { "instructions[\($0)].owner" } ?? "owner")
        return (old, new, FlagDiff.changes(from: old.flag, to: new))
    }

    /// The flag now, the flag as restoring revision `number` (default: the one before the
    /// latest) would make it (validated), and the summary prefix naming the revision restored:
    /// one computation for the rollback and its preview.
    static func restored(
        _ session: any SQLSession, _ key: String, to number: Int64?, environment: String?, ifRevision: Int64?
    ) async throws -> (old: FlagRecord, new: Flag, summaryPrefix: String) {
        if let environment { try await requireEnvironment(session, environment, field: "environment") }
        let old = try await requireFlag(session, key)
        try Tables.checkRevision(old, ifRevision)
        let target = try FlagEdits.rollbackTarget(old, to: number)
        let (new, summaryPrefix) = try FlagEdits.rolledBack(
            old.flag, to: try await revision(session, key, target), environment: environment,
            environments: try await environmentKeys(session))
        try await validate(session, new)
        return (old, new, summaryPrefix)
    }
}
