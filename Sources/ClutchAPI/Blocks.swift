import ClutchCore
import Foundation

/// `POST /api/v1/blocks`: stop widening changes to `flag` in `environment`, or to every flag
/// there (a change freeze) when `flag` is absent, until `until` (RFC 3339) or until unblocked.
public struct BlockCreate: Sendable, Hashable, Codable {
    public var environment: String
    /// The flag blocked; absent for the whole environment.
    public var flag: String?
    /// Why, shown to everyone the block stops (required: a block nobody can explain is ignored).
    public var reason: String
    /// RFC 3339; absent: until someone unblocks it.
    public var until: String?

    public init(environment: String, flag: String?, reason: String, until: String?) {
        self.environment = environment
        self.flag = flag
        self.reason = reason
        self.until = until
    }

    public enum CodingKeys: String, CodingKey { case environment, flag, reason, until }
}

/// A block as the API shows it (OpenAPI `Block`). It holds from `createdAt` until `until` (or
/// until deleted): while it holds, no change that widens what the environment serves
/// (``ExposureChange/widens``) applies to the flag, or to any flag for an environment's block.
public struct BlockRecord: Sendable, Hashable, Codable {
    /// `blk_` + random characters.
    public var id: String
    public var environment: String
    /// `nil`: every flag in the environment.
    public var flag: String?
    public var reason: String
    public var until: Date?
    /// Who blocked it: the person's email (whatever credential of theirs they used), or the
    /// service token's name. Only they, or an owner, may unblock it.
    public var createdBy: String
    public var createdAt: Date

    public init(id: String, environment: String, flag: String?, reason: String, until: Date?, createdBy: String, createdAt: Date) {
        self.id = id
        self.environment = environment
        self.flag = flag
        self.reason = reason
        self.until = until
        self.createdBy = createdBy
        self.createdAt = createdAt
    }

    /// Whether it holds at `now`: an expired block stops holding at its `until`, without any job
    /// having to remove it.
    public func holds(at now: Date) -> Bool {
        until.map { now < $0 } ?? true
    }

    /// What it blocks: `production`, or `new-checkout in production`.
    public var subject: String {
        flag.map { "\($0) in \(environment)" } ?? environment
    }

    /// `by alice@example.com until 2026-12-08T09:00:00Z: payments incident`: who, how long (in
    /// whole seconds) and why, the words every refusal, the release's hold and the console's banner share.
    public var byWhomAndWhy: String {
        let end = until.map { " until \(Timestamp.formatSeconds($0))" } ?? ""
        return "by \(createdBy)\(end): \(reason)"
    }

    /// The sentence a refused change gets (`production is blocked by alice@example.com until …: payments incident`).
    public var refusal: String {
        "\(subject) is blocked \(byWhomAndWhy)"
    }
}

/// `GET /api/v1/blocks`: the blocks that hold now, oldest first.
public struct BlockList: Sendable, Hashable, Codable {
    public var blocks: [BlockRecord]

    public init(blocks: [BlockRecord]) {
        self.blocks = blocks
    }
}
