/// What one usage report (`POST /sdk/v1/usage`) may hold: the server refuses more, and the SDK
/// splits what it has to send to fit. Shared by both sides so that they cannot disagree.
public enum UsageReportLimits {
    /// Entries (flag and variant pairs) in one report.
    public static let maxEntries = 10_000
    /// The largest count of one entry: 2⁴⁰, a trillion evaluations since the last report.
    public static let maxCount: Int64 = 1 << 40
    /// The longest flag or variant name an entry may carry (flag keys have at most 128).
    public static let maxNameBytes = 256
}
