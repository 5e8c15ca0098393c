import ClutchCore
import Foundation

/// Blocks: anyone's "stop" on a flag in an environment, or on a whole environment. A block is a
/// row; what it stops is decided in every flag write's transaction (``Rows/checkBlocks(_:key:widening:change:)``),
/// so that no path goes around it, and an expired one simply stops matching (no job removes it).
extension SQLStore {
    /// Blocks `flag` in `environment` (every flag there when `nil`) for `reason` until `until`
    /// (`nil`: until lifted). An audit event and a `flag.blocked` webhook event, in one transaction.
    public func createBlock(
        environment: String, flag: String?, reason: String, until: Date?, by blocker: Blocker, change: ChangeInfo
    ) async throws -> BlockRecord {
        let reason = try BlockRules.reason(reason)
        let id = BlockRules.newID()
        let record = try await write { session -> BlockRecord in
            let now = session.now
            try BlockRules.checkUntil(until, now: now)
            try await Rows.requireEnvironment(session, environment, field: "environment")
            if let flag { _ = try await Rows.requireFlag(session, flag) }
            try await session.execute(
                """
                INSERT INTO block (id, environment, flag, reason, ends_at, created_by, blocker, created_at)
                VALUES (\(id), \(environment), \(flag), \(reason), \(until), \(blocker.name), \(blocker.identity), \(now))
                """)
            guard let row = try await session.row("SELECT * FROM block WHERE id = \(id)") else {
                throw StoreError.notFound("block '\(id)' does not exist")
            }
            let record = try Rows.block(row)
            try await Rows.recordBlockEvent(session, record, action: "block", type: .flagBlocked, change: change, now: now)
            return record
        }
        logger.info("blocked", metadata: ["block": "\(id)", "subject": "\(record.subject)", "actor": "\(change.actor)"])
        return record
    }

    /// The blocks that hold now, oldest first: in `environment` when given, those stopping `flag`
    /// (its own and its environments') when given.
    public func blocks(environment: String?, flag: String?) async throws -> [BlockRecord] {
        try await read { session in
            try await Rows.holdingBlocks(session, environments: environment.map { [$0] }, flag: flag, now: session.now)
        }
    }

    /// Lifts block `id`: its blocker or an owner only (others get an ``AccessRefusal`` naming who
    /// may). An audit event and a `flag.unblocked` webhook event, in one transaction. A block that
    /// no longer holds (it expired) is gone already: 404.
    public func deleteBlock(_ id: String, by blocker: Blocker, change: ChangeInfo) async throws -> BlockRecord {
        let record = try await write { session -> BlockRecord in
            let now = session.now
            guard let row = try await session.row("SELECT * FROM block WHERE id = \(id)"),
                  case let record = try Rows.block(row), record.holds(at: now)
            else { throw StoreError.notFound("block '\(id)' does not exist or has ended", field: "id") }
            if let refusal = BlockRules.liftRefusal(record, identity: try row.get("blocker"), by: blocker) { throw refusal }
            try await session.execute("DELETE FROM block WHERE id = \(id)")
            try await Rows.recordBlockEvent(session, record, action: "unblock", type: .flagUnblocked, change: change, now: now)
            return record
        }
        logger.info("unblocked", metadata: ["block": "\(id)", "subject": "\(record.subject)", "actor": "\(change.actor)"])
        return record
    }
}

/// The data of a `flag.blocked` / `flag.unblocked` webhook event: the block, and who blocked or lifted it.
struct BlockEvent: Encodable {
    let block: BlockRecord
    let actor: String
}
