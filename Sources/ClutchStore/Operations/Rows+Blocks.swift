import ClutchCore
import Foundation

/// Blocks, row by row, and the check every flag write makes against them
/// (``checkBlocks(_:key:widening:change:)``, from ``checkGovernance(_:key:plan:change:)``).
extension Rows {
    static func block(_ row: SQLRow) throws -> BlockRecord {
        BlockRecord(
            id: try row.get("id"), environment: try row.get("environment"), flag: try row.get("flag"), reason: try row.get("reason"),
            until: try row.get("ends_at"), createdBy: try row.get("created_by"), createdAt: try row.get("created_at"))
    }

    /// The blocks holding at `now` (``BlockRecord/holds(at:)``, in SQL) in `environments` (all
    /// when `nil`) that stop `flag` — its own and its environments' — (every block when `nil`),
    /// oldest first: the first is the one a refusal names.
    static func holdingBlocks(_ session: any SQLSession, environments: [String]?, flag: String?, now: Date) async throws -> [BlockRecord] {
        var query: SQL = "SELECT * FROM block WHERE (ends_at IS NULL OR ends_at > \(now))"
        if let environments { query = "\(query) AND environment IN (\(list: environments))" }
        if let flag { query = "\(query) AND (flag IS NULL OR flag = \(flag))" }
        return try await session.rows("\(query) ORDER BY created_at, id\(raw: session.dialect.byteOrder)").map(block)
    }

    /// Refuses (``BlockedError``) a change that widens exposure in an environment where a block
    /// stops the flag, whatever cleared it otherwise (``ChangeInfo/clearance``): a block is anyone's
    /// "stop", and a reviewed change or a release step waits for it like any other. Only a change
    /// that undoes a release (``Clearance/undoesRelease``: the guard's rollback, an abort) passes,
    /// since it takes away exactly what the release gave. Changes that only take exposure away
    /// never get here (`widening` is empty for them).
    static func checkBlocks(_ session: any SQLSession, key: String, widening: [String], change: ChangeInfo) async throws {
        guard change.clearance != .undoesRelease else { return }
        if let block = try await holdingBlocks(session, environments: widening, flag: key, now: session.now).first {
            throw BlockedError(block: block)
        }
    }

    /// Removes every block row of flag `key` as it is deleted, in the deletion's transaction
    /// (``commitFlag(_:key:old:new:action:change:summaryPrefix:now:)``): a block stops the flag
    /// it was set on, never a flag created later under the same key. A block that holds refuses
    /// the deletion itself (deleting widens: callers fall back to their code's default), so the
    /// rows left are those that ended; one that still held (a deletion that passed it) would be
    /// an `unblock` audit and webhook event, as a lift by hand.
    static func liftBlocks(_ session: any SQLSession, ofDeletedFlag key: String, change: ChangeInfo, now: Date) async throws {
        let removed = try await session.rows("DELETE FROM block WHERE flag = \(key) RETURNING *").map(block)
        var described = change
        for record in removed.filter({ $0.holds(at: now) }).sorted(by: { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }) {
            described.message = "\(record.subject): lifted as the flag was deleted (\(record.reason))"
            try await recordBlockEvent(session, record, action: "unblock", type: .flagUnblocked, change: described, now: now)
        }
    }

    /// The audit event (of the flag, or of the environment for a freeze; the reason as its
    /// message unless the caller gave one) and the webhook event of a block or an unblock.
    static func recordBlockEvent(
        _ session: any SQLSession, _ block: BlockRecord, action: String, type: WebhookEventType, change: ChangeInfo, now: Date
    ) async throws {
        var audited = change
        if audited.message == nil { audited.message = "\(block.subject): \(block.reason)" }
        try await audit(
            session, at: now, change: audited, action: action, entity: block.flag == nil ? "environment" : "flag",
            key: block.flag ?? block.environment, environment: block.environment, revision: nil)
        try await recordEvent(session, type: type, data: BlockEvent(block: block, actor: change.actor), at: now)
    }
}

/// A change refused because a block holds (``Rows/checkBlocks(_:key:widening:change:)``): the API
/// answers 409 `blocked` with ``BlockRecord/refusal``, a scheduled change fails with it, and a
/// release step holds the release at its step (``SQLStore/runReleases(now:)``). Nothing was changed.
public struct BlockedError: Error, Sendable, CustomStringConvertible {
    /// The block that refused it (the oldest that holds).
    public var block: BlockRecord

    public init(block: BlockRecord) {
        self.block = block
    }

    public var description: String { block.refusal }
}
