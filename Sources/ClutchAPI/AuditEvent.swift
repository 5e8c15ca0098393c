import Foundation

/// One entry of the audit log: who did what to which entity, when.
public struct AuditEvent: Sendable, Hashable, Codable {
    public var id: Int64
    public var at: Date
    public var actor: String
    public var action: String
    /// `flag`, `cohort`, `key`, `environment`, `webhook`, or `console` (a sign-in; the key is the client's address).
    public var entity: String
    public var key: String
    /// The environment concerned, when the change concerned one only.
    public var environment: String?
    /// The revision written by the change (flags and cohorts).
    public var revision: Int64?
    public var message: String?

    public init(
        id: Int64, at: Date, actor: String, action: String, entity: String, key: String,
        environment: String?, revision: Int64?, message: String?
    ) {
        self.id = id
        self.at = at
        self.actor = actor
        self.action = action
        self.entity = entity
        self.key = key
        self.environment = environment
        self.revision = revision
        self.message = message
    }

    enum CodingKeys: String, CodingKey { case id, at, actor, action, entity, key, environment, revision, message }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(at, forKey: .at)
        try c.encode(actor, forKey: .actor)
        try c.encode(action, forKey: .action)
        try c.encode(entity, forKey: .entity)
        try c.encode(key, forKey: .key)
        try c.encode(environment, forKey: .environment)
        try c.encode(revision, forKey: .revision)
        try c.encode(message, forKey: .message)
    }
}
