import Foundation

/// An environment and the version of its snapshot.
public struct EnvironmentRecord: Sendable, Hashable, Codable {
    public var key: String
    public var createdAt: Date
    /// The snapshot version: increases with every change that alters what SDKs of this environment see.
    public var version: Int64

    public init(key: String, createdAt: Date, version: Int64) {
        self.key = key
        self.createdAt = createdAt
        self.version = version
    }

    enum CodingKeys: String, CodingKey {
        case key, createdAt
        case version = "snapshotVersion"
    }
}
