import Foundation

/// What an SDK key may read. A `server` key is a secret kept on servers: it downloads the
/// environment's whole definition (every rule, target and cohort member) and evaluates locally.
/// A `client` key ships inside apps on devices and in browsers, so it is public: it reaches only
/// answers for the context its caller sends (OFREP, the client stream), never a definition, and
/// its usage reports carry errors only (the server counts what it serves it).
public enum SDKKeyKind: String, Sendable, Hashable, Codable, CaseIterable {
    case server
    case client

    /// The prefix of the key's secret, so that a key's kind shows where it is pasted.
    public var prefix: String {
        switch self {
        case .server: "clutch_sdk_"
        case .client: "clutch_client_"
        }
    }
}

/// An SDK key's public part: it reads one environment.
public struct SDKKeyRecord: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var environment: String
    public var kind: SDKKeyKind
    public var createdAt: Date
    public var revokedAt: Date?

    public init(id: String, name: String, environment: String, kind: SDKKeyKind = .server, createdAt: Date, revokedAt: Date?) {
        self.id = id
        self.name = name
        self.environment = environment
        self.kind = kind
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }

    enum CodingKeys: String, CodingKey { case id, name, environment, kind, createdAt, revokedAt }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        name = try c.decode(String.self, forKey: .name)
        environment = try c.decode(String.self, forKey: .environment)
        kind = try c.decode(SDKKeyKind.self, forKey: .kind)
        createdAt = try c.decode(Date.self, forKey: .createdAt)
        revokedAt = try c.decodeIfPresent(Date.self, forKey: .revokedAt)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(environment, forKey: .environment)
        try c.encode(kind, forKey: .kind)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(revokedAt, forKey: .revokedAt)
    }
}
