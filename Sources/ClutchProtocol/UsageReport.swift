import ClutchCore
import Foundation

/// The body of `POST /sdk/v1/usage`: how often each variant of each flag was served in a
/// period. SDKs send it; any client holding an SDK key may (docs/openapi.json, `UsageReport`).
public struct UsageReport: Sendable, Hashable, Codable {
    /// One flag and variant's count.
    public typealias Count = UsageCount

    public var counts: [Count]
    /// The period counted (informational; RFC 3339 on the wire).
    public var from: Date?
    public var to: Date?
    /// The sending SDK instance: a random id (1–64 of `A-Z a-z 0-9 . _ -`) an SDK makes once per
    /// process, so that the release guard keeps each instance's evidence apart
    /// (`ReporterGuard`). Optional: without it the key is the reporter.
    public var instance: String?
    /// The attribute names (and kinds of value) the SDK's evaluation contexts carried in the
    /// period, never their values; at most ``SeenAttributeLimits/maxPerReport``. The server
    /// records them as seen in the key's environment. Optional: older SDKs send none.
    public var attributes: [SeenAttributeName]?

    public init(counts: [Count], from: Date?, to: Date?, instance: String? = nil, attributes: [SeenAttributeName]? = nil) {
        self.counts = counts
        self.from = from
        self.to = to
        self.instance = instance
        self.attributes = attributes
    }

    public enum CodingKeys: String, CodingKey { case counts, from, to, instance, attributes }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        counts = try c.decode([Count].self, forKey: .counts)
        from = try Self.date(c, .from)
        to = try Self.date(c, .to)
        instance = try c.decodeIfPresent(String.self, forKey: .instance)
        attributes = try c.decodeIfPresent([SeenAttributeName].self, forKey: .attributes)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(counts, forKey: .counts)
        // Text, whatever the encoder's date strategy: the protocol says RFC 3339.
        try c.encodeIfPresent(from.map(Self.text), forKey: .from)
        try c.encodeIfPresent(to.map(Self.text), forKey: .to)
        try c.encodeIfPresent(instance, forKey: .instance)
        try c.encodeIfPresent(attributes, forKey: .attributes)
    }

    private static func date(_ c: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> Date? {
        guard let text = try c.decodeIfPresent(String.self, forKey: key) else { return nil }
        guard let seconds = Timestamp.seconds(text) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "'\(text)' is not an RFC 3339 date-time")
        }
        return Date(timeIntervalSince1970: seconds)
    }

    private static func text(_ date: Date) -> String {
        date.ISO8601Format()
    }
}
