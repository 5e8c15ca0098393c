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

/// An active credential as the server caches it: the SHA-256 hex of the secret and what it grants.
public struct CredentialRecord: Sendable, Hashable {
    /// What a credential grants.
    public enum Kind: Sendable, Hashable {
        /// The admin API, acting as `name`.
        case admin(name: String)
        /// Reading the environment `environment`: its definition (SDK sync) for a server key,
        /// answers for one context at a time (OFREP, the client stream) for a client key; usage
        /// reports either way.
        case sdk(id: String, environment: String, keyKind: SDKKeyKind)
    }

    /// Lowercase SHA-256 hex of the secret.
    public var hash: String
    public var kind: Kind

    public init(hash: String, kind: Kind) {
        self.hash = hash
        self.kind = kind
    }
}
