import ClutchCore
import Foundation
import GRDB

extension FlagStore {
    /// Every flag sorted by key, with usage; archived ones only when `includeArchived`.
    public func flags(includeArchived: Bool) async throws -> [FlagRecord] {
        try await pool.read { db in
            let usage = try Tables.usage(db, flag: nil)
            return try Tables.allFlags(db).compactMap { record in
                guard includeArchived || !record.flag.archived else { return nil }
                var record = record
                record.usage = usage[record.flag.key]
                return record
            }
        }
    }

    /// The flag `key`, or `notFound`.
    public func flag(_ key: String) async throws -> FlagRecord {
        try await pool.read { db in
            var record = try Tables.requireFlag(db, key)
            record.usage = try Tables.usage(db, flag: key)
            return record
        }
    }

    /// Creates a flag at revision 1 (or the next number when the key existed before and was
    /// deleted). Every environment not given gets `FlagState(enabled: false)`.
    public func createFlag(_ flag: Flag, change: ChangeInfo) async throws -> Change<FlagRecord> {
        let result = try await pool.write { db -> Change<FlagRecord?> in
            if try Tables.flag(db, flag.key) != nil {
                throw StoreError.conflict("flag '\(flag.key)' already exists", field: "key")
            }
            let normalized = Tables.normalized(flag)
            try Tables.validate(db, normalized)
            let new = FlagEdits.created(normalized, environments: try Tables.environmentKeys(db))
            return try Tables.commitFlag(db, key: flag.key, old: nil, new: new, action: "create", change: change)
        }
        return try written(result, flag.key, "create", change)
    }

    /// Replaces the flag's definition. States of environments the new definition leaves out stay as they are.
    public func updateFlag(_ flag: Flag, ifRevision: Int64?, change: ChangeInfo) async throws -> Change<FlagRecord> {
        let result = try await pool.write { db -> Change<FlagRecord?> in
            let old = try Tables.requireFlag(db, flag.key)
            try Tables.checkRevision(old, ifRevision)
            let new = FlagEdits.updated(old.flag, to: flag)
            try Tables.validate(db, new)
            return try Tables.commitFlag(db, key: flag.key, old: old, new: new, action: "update", change: change)
        }
        return try written(result, flag.key, "update", change)
    }

    /// Replaces the flag's state in one environment.
    public func updateState(
        flag key: String, environment: String, state: FlagState, ifRevision: Int64?, change: ChangeInfo
    ) async throws -> Change<FlagRecord> {
        let result = try await pool.write { db -> Change<FlagRecord?> in
            try Tables.requireEnvironment(db, environment)
            let old = try Tables.requireFlag(db, key)
            try Tables.checkRevision(old, ifRevision)
            let new = FlagEdits.withState(old.flag, environment: environment, state: state)
            do {
                try Tables.validate(db, new)
            } catch let error as StoreError {
                // The caller sent only the state: report paths relative to it.
                throw FlagEdits.relativeToState(error, environment: environment)
            }
            return try Tables.commitFlag(db, key: key, old: old, new: new, action: "state", change: change)
        }
        return try written(result, key, "state", change)
    }

    /// Switches the flag on or off in one environment. Switching to the current setting writes nothing.
    public func setEnabled(
        flag key: String, environment: String, enabled: Bool, ifRevision: Int64?, change: ChangeInfo
    ) async throws -> Change<FlagRecord> {
        let action = enabled ? "enable" : "disable"
        let result = try await pool.write { db -> Change<FlagRecord?> in
            try Tables.requireEnvironment(db, environment)
            let old = try Tables.requireFlag(db, key)
            try Tables.checkRevision(old, ifRevision)
            let new = FlagEdits.enabled(old.flag, environment: environment, enabled: enabled)
            if enabled { try Tables.validate(db, new) }
            return try Tables.commitFlag(db, key: key, old: old, new: new, action: action, change: change)
        }
        return try written(result, key, action, change)
    }

    /// Switches the flag off in `environments` (all when `nil`) as one revision. Never refused for
    /// validation: the kill switch must always work. `versions` names the environments switched off.
    public func kill(flag key: String, environments: [String]?, change: ChangeInfo) async throws -> Change<FlagRecord> {
        let result = try await pool.write { db -> Change<FlagRecord?> in
            let targets = try FlagEdits.killTargets(environments, known: try Tables.environmentKeys(db))
            let old = try Tables.requireFlag(db, key)
            let new = FlagEdits.killed(old.flag, in: targets)
            return try Tables.commitFlag(db, key: key, old: old, new: new, action: "kill", change: change)
        }
        return try written(result, key, "kill", change)
    }

    /// Archives the flag (hidden from listings and snapshots) or brings it back. A flag that other
    /// flags require as a prerequisite cannot be archived (`conflict` naming them).
    public func setArchived(flag key: String, archived: Bool, change: ChangeInfo) async throws -> Change<FlagRecord> {
        let action = archived ? "archive" : "unarchive"
        let result = try await pool.write { db -> Change<FlagRecord?> in
            let old = try Tables.requireFlag(db, key)
            var new = old.flag
            new.archived = archived
            if archived, !old.flag.archived { try Tables.checkNotRequired(db, key, action: "archived") }
            if !archived { try Tables.validate(db, new) }
            return try Tables.commitFlag(db, key: key, old: old, new: new, action: action, change: change)
        }
        return try written(result, key, action, change)
    }

    /// Deletes the flag. Its history stays, and the key may be created again.
    /// With `ifRevision`, refused (conflict) unless the flag is at that revision, checked inside
    /// the write's transaction. Unless `force`, a flag that is on in any environment or was
    /// evaluated within ``deletionGrace`` is refused too (`conflict` on `force`, saying how to
    /// proceed): deleting a live flag makes every application fall back to its code default.
    /// A flag that other flags require as a prerequisite is refused even with `force` (`conflict`
    /// naming them).
    public func deleteFlag(
        _ key: String, ifRevision: Int64? = nil, force: Bool = false, now: Date = Date(), change: ChangeInfo
    ) async throws -> Change<Void> {
        let result = try await pool.write { db -> Change<FlagRecord?> in
            let old = try Tables.requireFlag(db, key)
            try Tables.checkRevision(old, ifRevision)
            // Before the usage check, and even with force: deleting a flag others require would
            // switch them off for everyone, which force does not mean to allow.
            try Tables.checkNotRequired(db, key, action: "deleted")
            if !force { try Self.checkUnused(db, old, now: now) }
            return try Tables.commitFlag(db, key: key, old: old, new: nil, action: "delete", change: change)
        }
        logger.info("flag deleted", metadata: ["flag": "\(key)", "actor": "\(change.actor)"])
        return result.with(())
    }

    /// How long after its last evaluation a flag may be deleted without forcing it.
    public static let deletionGrace: TimeInterval = 7 * 24 * 3600

    static func checkUnused(_ db: Database, _ record: FlagRecord, now: Date) throws {
        try checkUnused(record, usage: try Tables.usage(db, flag: record.flag.key), now: now)
    }

    /// Refuses deleting a flag that is on somewhere or was evaluated lately (`usage`: its usage).
    static func checkUnused(_ record: FlagRecord, usage: [String: FlagUsage]?, now: Date) throws {
        let key = record.flag.key
        let on = record.flag.environments.filter(\.value.enabled).keys.sorted()
        let last = usage?.values.map(\.lastEvaluated).max()
        let recent = last.map { now.timeIntervalSince($0) < deletionGrace } ?? false
        guard !on.isEmpty || recent else { return }
        var reasons: [String] = []
        if !on.isEmpty { reasons.append("is on in \(on.joined(separator: ", "))") }
        if recent, let last { reasons.append("was evaluated \(RelativeAge.describe(now.timeIntervalSince(last))) ago") }
        throw StoreError.conflict(
            "flag '\(key)' \(reasons.joined(separator: " and ")): applications still use it. Turn it off and archive it "
                + "(clutch flags archive \(key)), and delete it once nothing has evaluated it for 7 days; or delete it now with force "
                + "(clutch flags delete \(key) --force, or ?force=true)",
            field: "force")
    }

    /// Recreates a deleted flag from its history: the content of its last revision before the
    /// deletion, states included, as a new revision that continues the same history (`restore`).
    /// Environments created since get the flag off; a flag that exists is a conflict.
    public func restoreFlag(_ key: String, change: ChangeInfo) async throws -> Change<FlagRecord> {
        let result = try await pool.write { db -> Change<FlagRecord?> in
            if try Tables.flag(db, key) != nil {
                throw StoreError.conflict("flag '\(key)' exists: only a deleted flag can be restored")
            }
            guard let content = try String.fetchOne(
                db, sql: """
                    SELECT content FROM revision WHERE entity = 'flag' AND environment = '' AND key = ? AND content IS NOT NULL
                    ORDER BY number DESC LIMIT 1
                    """, arguments: [key])
            else {
                throw StoreError.notFound("flag '\(key)' has no history to restore")
            }
            let flag = FlagEdits.restored(try Tables.decode(Flag.self, content), environments: try Tables.environmentKeys(db))
            try Tables.validate(db, flag)
            return try Tables.commitFlag(db, key: key, old: nil, new: flag, action: "restore", change: change)
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
}
