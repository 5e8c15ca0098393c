import Foundation

/// An admin token's public part (the secret is shown once and stored only as its SHA-256).
public struct AdminTokenRecord: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var createdAt: Date

    public init(id: String, name: String, createdAt: Date) {
        self.id = id
        self.name = name
        self.createdAt = createdAt
    }
}

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

/// An active credential as the server caches it: the SHA-256 hex of the secret and what it grants.
public struct CredentialRecord: Sendable, Hashable {
    /// What a credential grants.
    public enum Kind: Sendable, Hashable {
        /// The admin API, acting as `name`.
        case admin(name: String)
        /// Reading the environment `environment` (SDK sync, OFREP, usage reports).
        case sdk(id: String, environment: String)
    }

    /// Lowercase SHA-256 hex of the secret.
    public var hash: String
    public var kind: Kind

    public init(hash: String, kind: Kind) {
        self.hash = hash
        self.kind = kind
    }
}
