import ClutchCore
import Foundation

/// One immutable entry of a flag's history: the whole flag after the change.
public struct Revision: Sendable, Hashable, Codable {
    public var number: Int64
    public var flagKey: String
    public var createdAt: Date
    public var actor: String
    public var message: String?
    /// `create`, `update`, `state`, `enable`, `disable`, `kill`, `archive`, `unarchive`, `delete`, `rollback` or `import`.
    public var action: String
    /// One line for people, such as `production: off → on`.
    public var summary: String
    /// The flag after the change; `nil` for a delete.
    public var flag: Flag?
    /// The environments whose state this revision changed.
    public var environments: [String]
    /// Whether the flag itself (anything outside `environments`) changed, or it was created or deleted.
    public var definitionChanged: Bool

    public init(
        number: Int64, flagKey: String, createdAt: Date, actor: String, message: String?, action: String,
        summary: String, flag: Flag?, environments: [String], definitionChanged: Bool
    ) {
        self.number = number
        self.flagKey = flagKey
        self.createdAt = createdAt
        self.actor = actor
        self.message = message
        self.action = action
        self.summary = summary
        self.flag = flag
        self.environments = environments
        self.definitionChanged = definitionChanged
    }

    enum CodingKeys: String, CodingKey {
        case number, flagKey, createdAt, actor, message, action, summary, flag, environments, definitionChanged
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            number: try c.decode(Int64.self, forKey: .number),
            flagKey: try c.decode(String.self, forKey: .flagKey),
            createdAt: try c.decode(Date.self, forKey: .createdAt),
            actor: try c.decode(String.self, forKey: .actor),
            message: try c.decodeIfPresent(String.self, forKey: .message),
            action: try c.decode(String.self, forKey: .action),
            summary: try c.decodeIfPresent(String.self, forKey: .summary) ?? "",
            flag: try c.decodeIfPresent(Flag.self, forKey: .flag),
            environments: try c.decodeIfPresent([String].self, forKey: .environments) ?? [],
            definitionChanged: try c.decodeIfPresent(Bool.self, forKey: .definitionChanged) ?? false)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(number, forKey: .number)
        try c.encode(flagKey, forKey: .flagKey)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(actor, forKey: .actor)
        try c.encode(message, forKey: .message)
        try c.encode(action, forKey: .action)
        try c.encode(summary, forKey: .summary)
        try c.encode(flag, forKey: .flag)
        try c.encode(environments, forKey: .environments)
        try c.encode(definitionChanged, forKey: .definitionChanged)
    }
}
