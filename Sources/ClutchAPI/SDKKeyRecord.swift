import Foundation

/// An SDK key's public part: it reads one environment.
public struct SDKKeyRecord: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var environment: String
    public var createdAt: Date
    public var revokedAt: Date?

    public init(id: String, name: String, environment: String, createdAt: Date, revokedAt: Date?) {
        self.id = id
        self.name = name
        self.environment = environment
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }

    enum CodingKeys: String, CodingKey { case id, name, environment, createdAt, revokedAt }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(environment, forKey: .environment)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(revokedAt, forKey: .revokedAt)
    }
}
