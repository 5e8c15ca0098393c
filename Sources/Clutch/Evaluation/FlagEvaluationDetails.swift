/// The outcome of one evaluation with OpenFeature's field names. On error `value` is the
/// caller's default, `reason` is `ERROR` and `errorCode` says why.
public struct FlagEvaluationDetails<T: Sendable>: Sendable {
    public var flagKey: String
    public var value: T
    /// The served variant's key; `nil` when the default was served because of an error.
    public var variant: String?
    public var reason: Reason
    public var errorCode: ErrorCode?
    public var errorMessage: String?
    /// Where the answer came from: `environment` and `snapshotVersion` in local mode, the
    /// server's OFREP metadata in device mode.
    public var flagMetadata: [String: Value]

    public init(
        flagKey: String, value: T, variant: String? = nil, reason: Reason, errorCode: ErrorCode? = nil,
        errorMessage: String? = nil, flagMetadata: [String: Value] = [:]
    ) {
        self.flagKey = flagKey
        self.value = value
        self.variant = variant
        self.reason = reason
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.flagMetadata = flagMetadata
    }
}

extension FlagEvaluationDetails: Equatable where T: Equatable {}
extension FlagEvaluationDetails: Hashable where T: Hashable {}
