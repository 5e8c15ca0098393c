import ClutchCore
import Foundation

/// Who blocks or lifts a block, as blocks remember them: `name` is what everyone is shown (a
/// person's email whichever of their credentials they used, a service token's actor), and
/// `identity` what lifting it is checked against (`person:<id>`, or `token:<id>` for a service
/// token), so that any of a person's tokens and their console session are the same blocker.
public struct Blocker: Sendable, Hashable {
    public var name: String
    public var identity: String
    /// Whether they may lift anyone's block (an owner).
    public var isOwner: Bool

    public init(name: String, identity: String, isOwner: Bool) {
        self.name = name
        self.identity = identity
        self.isOwner = isOwner
    }
}

/// The rules of a block's fields and of who may lift it, pure so both databases refuse the same.
enum BlockRules {
    static let maxReason = 500

    static func newID() -> String { "blk_" + Secrets.randomHex(bytes: 8) }

    /// The trimmed reason, or a 400 naming `reason`.
    static func reason(_ text: String) throws -> String {
        let reason = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else { throw StoreError.badRequest("say why: a block needs a reason", field: "reason") }
        guard reason.count <= maxReason else {
            throw StoreError.badRequest("a reason has at most \(maxReason) characters, got \(reason.count)", field: "reason")
        }
        return reason
    }

    /// Refuses an end that is not after `now` (such a block would never hold).
    static func checkUntil(_ until: Date?, now: Date) throws {
        guard let until, until <= now else { return }
        throw StoreError.badRequest("until must be in the future, got \(Timestamp.format(until))", field: "until")
    }

    /// Why `blocker` may not lift `block` (stored with `identity` of its own blocker); `nil` when they may.
    static func liftRefusal(_ block: BlockRecord, identity: String, by blocker: Blocker) -> AccessRefusal? {
        if blocker.isOwner || blocker.identity == identity { return nil }
        return AccessRefusal(message: "\(blocker.name) may not unblock \(block.subject): only \(block.createdBy), who blocked it, or an owner may")
    }
}
