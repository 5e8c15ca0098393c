/// Why a value was served, from OpenFeature's set of reasons. A struct over a string,
/// so that providers may add their own without breaking anyone's `switch`.
public struct Reason: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }

    /// The flag has no targeting at all: everyone gets the same value.
    public static let `static` = Reason("STATIC")
    /// The fallthrough served a fixed variant, or the context could not be bucketed.
    public static let `default` = Reason("DEFAULT")
    /// An individual target or a rule decided.
    public static let targetingMatch = Reason("TARGETING_MATCH")
    /// A percentage rollout decided.
    public static let split = Reason("SPLIT")
    /// The flag is off.
    public static let disabled = Reason("DISABLED")
    /// A prerequisite did not hold (the flag required is missing, off, or serves another
    /// variant), so the off variant was served. Not one of OpenFeature's reasons, which allow
    /// providers their own; LaunchDarkly's name for it.
    public static let prerequisiteFailed = Reason("PREREQUISITE_FAILED")
    /// Served from a cache.
    public static let cached = Reason("CACHED")
    /// Served from data that may be out of date.
    public static let stale = Reason("STALE")
    public static let unknown = Reason("UNKNOWN")
    /// Evaluation failed; the caller's default is served and the error code says why.
    public static let error = Reason("ERROR")

    public var description: String { rawValue }
}

/// Why an evaluation failed, with OpenFeature's codes. Extensible like ``Reason``.
public struct ErrorCode: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }

    public static let flagNotFound = ErrorCode("FLAG_NOT_FOUND")
    public static let typeMismatch = ErrorCode("TYPE_MISMATCH")
    public static let parseError = ErrorCode("PARSE_ERROR")
    public static let invalidContext = ErrorCode("INVALID_CONTEXT")
    public static let targetingKeyMissing = ErrorCode("TARGETING_KEY_MISSING")
    public static let providerNotReady = ErrorCode("PROVIDER_NOT_READY")
    public static let general = ErrorCode("GENERAL")

    public var description: String { rawValue }
}
