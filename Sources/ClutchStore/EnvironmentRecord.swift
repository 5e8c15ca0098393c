import Foundation

/// An environment and the version of its snapshot.
public struct EnvironmentRecord: Sendable, Hashable, Codable {
    public var key: String
    public var createdAt: Date
    /// The snapshot version: increases with every change that alters what SDKs of this environment see.
    public var version: Int64
    /// How widening changes are reviewed here; `nil`: they apply directly.
    public var protection: EnvironmentProtection?

    public init(key: String, createdAt: Date, version: Int64, protection: EnvironmentProtection? = nil) {
        self.key = key
        self.createdAt = createdAt
        self.version = version
        self.protection = protection
    }

    enum CodingKeys: String, CodingKey {
        case key, createdAt, protection
        case version = "snapshotVersion"
    }
}
