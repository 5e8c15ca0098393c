import ClutchCore
import Foundation
import PostgresNIO

/// Flags, instructions, revisions and rollback: each as ``FlagStore`` does it, the same
/// ``FlagEdits`` forming the flag and the same ``FlagChangePlan`` recording it.
extension PostgresStore {
    public func flags(includeArchived: Bool) async throws -> [FlagRecord] {
        try await read { session in
            let usage = try await PostgresTables.usage(session, flag: nil)
            return try await PostgresTables.allFlags(session).compactMap { record in
                guard includeArchived || !record.flag.archived else { return nil }
                var record = record
                record.usage = usage[record.flag.key]
                return record
            }
        }
    }

    public func flag(_ key: String) async throws -> FlagRecord {
        try await read { session in
            var record = try await PostgresTables.requireFlag(session, key)
            record.usage = try await PostgresTables.usage(session, flag: key)[key]
            return record
        }
    }

    public func createFlag(_ flag: Flag, change: ChangeInfo) async throws -> Change<FlagRecord> {
        let result = try await write { session -> Change<FlagRecord?> in
            if try await PostgresTables.flag(session, flag.key) != nil {
                throw StoreError.conflict("flag '\(flag.key)' already exists", field: "key")
            }
            let normalized = Tables.normalized(flag)
            try await PostgresTables.validate(session, normalized)
            let new = FlagEdits.created(normalized, environments: try await PostgresTables.environmentKeys(session))
            return try await PostgresTables.commitFlag(session, key: flag.key, old: nil, new: new, action: "create", change: change)
        }
        return try written(result, flag.key, "create", change)
    }

    public func updateFlag(_ flag: Flag, ifRevision: Int64?, change: ChangeInfo) async throws -> Change<FlagRecord> {
        let result = try await write { session -> Change<FlagRecord?> in
            let old = try await PostgresTables.requireFlag(session, flag.key)
            try Tables.checkRevision(old, ifRevision)
            let new = FlagEdits.updated(old.flag, to: flag)
            try await PostgresTables.validate(session, new)
            return try await PostgresTables.commitFlag(session, key: flag.key, old: old, new: new, action: "update", change: change)
        }
        return try written(result, flag.key, "update", change)
    }

    public func updateState(
        flag key: String, environment: String, state: FlagState, ifRevision: Int64?, change: ChangeInfo
    ) async throws -> Change<FlagRecord> {
        let result = try await write { session -> Change<FlagRecord?> in
            try await PostgresTables.requireEnvironment(session, environment)
            let old = try await PostgresTables.requireFlag(session, key)
            try Tables.checkRevision(old, ifRevision)
            let new = FlagEdits.withState(old.flag, environment: environment, state: state)
            do {
                try await PostgresTables.validate(session, new)
            } catch let error as StoreError {
                throw FlagEdits.relativeToState(error, environment: environment)
            }
            return try await PostgresTables.commitFlag(session, key: key, old: old, new: new, action: "state", change: change)
        }
        return try written(result, key, "state", change)
    }

    public func setEnabled(
        flag key: String, environment: String, enabled: Bool, ifRevision: Int64?, change: ChangeInfo
    ) async throws -> Change<FlagRecord> {
        let action = enabled ? "enable" : "disable"
        let result = try await write { session -> Change<FlagRecord?> in
            try await PostgresTables.requireEnvironment(session, environment)
            let old = try await PostgresTables.requireFlag(session, key)
            try Tables.checkRevision(old, ifRevision)
            let new = FlagEdits.enabled(old.flag, environment: environment, enabled: enabled)
            if enabled { try await PostgresTables.validate(session, new) }
            return try await PostgresTables.commitFlag(session, key: key, old: old, new: new, action: action, change: change)
        }
        return try written(result, key, action, change)
    }

    public func kill(flag key: String, environments: [String]?, change: ChangeInfo) async throws -> Change<FlagRecord> {
        let result = try await write { session -> Change<FlagRecord?> in
            let targets = try FlagEdits.killTargets(environments, known: try await PostgresTables.environmentKeys(session))
            let old = try await PostgresTables.requireFlag(session, key)
            let new = FlagEdits.killed(old.flag, in: targets)
            return try await PostgresTables.commitFlag(session, key: key, old: old, new: new, action: "kill", change: change)
        }
        return try written(result, key, "kill", change)
    }

    public func setArchived(flag key: String, archived: Bool, change: ChangeInfo) async throws -> Change<FlagRecord> {
        let action = archived ? "archive" : "unarchive"
        let result = try await write { session -> Change<FlagRecord?> in
            let old = try await PostgresTables.requireFlag(session, key)
            var new = old.flag
            new.archived = archived
            if archived, !old.flag.archived { try await PostgresTables.checkNotRequired(session, key, action: "archived") }
            if !archived { try await PostgresTables.validate(session, new) }
            return try await PostgresTables.commitFlag(session, key: key, old: old, new: new, action: action, change: change)
        }
        return try written(result, key, action, change)
    }

    public func deleteFlag(_ key: String, ifRevision: Int64?, force: Bool, now: Date, change: ChangeInfo) async throws -> Change<Void> {
        let result = try await write { session -> Change<FlagRecord?> in
            let old = try await PostgresTables.requireFlag(session, key)
            try Tables.checkRevision(old, ifRevision)
            try await PostgresTables.checkNotRequired(session, key, action: "deleted")
            if !force {
                try FlagStore.checkUnused(old, usage: try await PostgresTables.usage(session, flag: key)[key], now: now)
            }
            return try await PostgresTables.commitFlag(session, key: key, old: old, new: nil, action: "delete", change: change)
        }
        logger.info("flag deleted", metadata: ["flag": "\(key)", "actor": "\(change.actor)"])
        return result.with(())
    }

    public func restoreFlag(_ key: String, change: ChangeInfo) async throws -> Change<FlagRecord> {
        let result = try await write { session -> Change<FlagRecord?> in
            if try await PostgresTables.flag(session, key) != nil {
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
            let flag = FlagEdits.restored(
                try Tables.decode(Flag.self, content), environments: try await PostgresTables.environmentKeys(session))
            try await PostgresTables.validate(session, flag)
            return try await PostgresTables.commitFlag(session, key: key, old: nil, new: flag, action: "restore", change: change)
        }
        return try written(result, key, "restore", change)
    }

    public func apply(
        _ instructions: [Instruction], flag key: String, environment: String, ifRevision: Int64?, dryRun: Bool,
        change: ChangeInfo
    ) async throws -> Change<InstructionResult> {
        guard !instructions.isEmpty else {
            throw StoreError.invalid(ValidationError(path: "instructions", "give at least one instruction"))
        }
        @Sendable func plan(_ session: PostgresSession) async throws -> (FlagRecord, Flag, [FieldChange]) {
            try await PostgresTables.plan(session, instructions, key, environment, ifRevision)
        }
        if dryRun {
            return try await read { session in
                let (old, new, diff) = try await plan(session)
                var record = old
                record.flag = new
                return Change(value: InstructionResult(record: record, diff: diff, dryRun: true), versions: [:])
            }
        }
        let result = try await write { session -> Change<InstructionResult?> in
            try await PostgresTables.applyInstructions(session, instructions, flag: key, environment: environment, ifRevision: ifRevision, change: change)
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

    public func revisions(flag key: String, environment: String?) async throws -> [Revision] {
        try await read { session in
            if let environment { try await PostgresTables.requireEnvironment(session, environment) }
            let rows = try await session.rows(
                "SELECT * FROM revision WHERE entity = 'flag' AND environment = '' AND key = \(key) ORDER BY number DESC")
            if rows.isEmpty { throw StoreError.notFound("flag '\(key)' does not exist") }
            let revisions = try rows.map(PostgresTables.revision)
            guard let environment else { return revisions }
            return revisions.filter { $0.definitionChanged || $0.environments.contains(environment) }
        }
    }

    public func revision(flag key: String, number: Int64) async throws -> Revision {
        try await read { session in try await PostgresTables.revision(session, key, number) }
    }

    public func rollback(
        flag key: String, to number: Int64?, environment: String?, ifRevision: Int64?, change: ChangeInfo
    ) async throws -> Change<FlagRecord> {
        let result = try await write { session -> Change<FlagRecord?> in
            let (old, new, summaryPrefix) = try await Self.restored(session, key, to: number, environment: environment, ifRevision: ifRevision)
            return try await PostgresTables.commitFlag(
                session, key: key, old: old, new: new, action: "rollback", change: change, summaryPrefix: summaryPrefix)
        }
        return try written(result, key, "rollback", change)
    }

    /// The flag now, the flag as restoring revision `number` would make it (validated), and the
    /// summary prefix naming the revision: one computation for the rollback and its preview.
    static func restored(
        _ session: PostgresSession, _ key: String, to number: Int64?, environment: String?, ifRevision: Int64?
    ) async throws -> (old: FlagRecord, new: Flag, summaryPrefix: String) {
        if let environment { try await PostgresTables.requireEnvironment(session, environment, field: "environment") }
        let old = try await PostgresTables.requireFlag(session, key)
        try Tables.checkRevision(old, ifRevision)
        let target = try FlagEdits.rollbackTarget(old, to: number)
        let (new, summaryPrefix) = try FlagEdits.rolledBack(
            old.flag, to: try await PostgresTables.revision(session, key, target), environment: environment,
            environments: try await PostgresTables.environmentKeys(session))
        try await PostgresTables.validate(session, new)
        return (old, new, summaryPrefix)
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
}
