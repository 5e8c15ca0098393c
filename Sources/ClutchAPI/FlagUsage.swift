import Foundation

/// A flag's usage in one environment.
public struct FlagUsage: Sendable, Hashable, Codable {
    public var lastEvaluated: Date
    /// Variant key → evaluations reported.
    public var variants: [String: Int64]

    public init(lastEvaluated: Date, variants: [String: Int64]) {
        self.lastEvaluated = lastEvaluated
        self.variants = variants
    }
}

/// A flag that can probably be removed from code.
public struct StaleFlag: Sendable, Hashable, Codable {
    /// Why a flag is stale.
    public static let neverEvaluated = "never evaluated"
    public static let fullyRolledOut = "fully rolled out"

    public var key: String
    /// ``neverEvaluated`` (no evaluation within the period) or ``fullyRolledOut``.
    public var reason: String
    public var lastEvaluated: Date?

    public init(key: String, reason: String, lastEvaluated: Date?) {
        self.key = key
        self.reason = reason
        self.lastEvaluated = lastEvaluated
    }

    enum CodingKeys: String, CodingKey { case key, reason, lastEvaluated }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(key, forKey: .key)
        try c.encode(reason, forKey: .reason)
        try c.encode(lastEvaluated, forKey: .lastEvaluated)
    }
}
