/// Evaluations of one flag a client reports: `count` times `variant` since its last report.
/// One entry of the usage report (`ClutchProtocol.UsageReport`) and what the store records.
public struct UsageCount: Sendable, Hashable, Codable {
    public var flag: String
    public var variant: String
    public var count: Int64

    public init(flag: String, variant: String, count: Int64) {
        self.flag = flag
        self.variant = variant
        self.count = count
    }
}
