/// The outcome of evaluating one flag for one context. Errors are reported here, never
/// thrown: `errorCode` is set, `reason` is `ERROR` and `value` is `nil` (callers serve
/// their own default).
public struct EvaluationResult: Sendable, Hashable {
    public var flagKey: String
    /// The served value; `nil` on error.
    public var value: Value?
    /// The served variant's key; `nil` on error.
    public var variant: String?
    public var reason: Reason
    /// What decided, for explanations.
    public var match: Match?
    public var errorCode: ErrorCode?
    public var errorMessage: String?
    /// The flag's type, when the flag exists.
    public var flagType: FlagType?

    public init(
        flagKey: String, value: Value?, variant: String?, reason: Reason, match: Match? = nil,
        errorCode: ErrorCode? = nil, errorMessage: String? = nil, flagType: FlagType? = nil
    ) {
        self.flagKey = flagKey
        self.value = value
        self.variant = variant
        self.reason = reason
        self.match = match
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.flagType = flagType
    }

    /// A failed evaluation.
    public static func failure(_ flagKey: String, _ code: ErrorCode, _ message: String, flagType: FlagType? = nil) -> Self {
        EvaluationResult(
            flagKey: flagKey, value: nil, variant: nil, reason: .error, errorCode: code,
            errorMessage: message, flagType: flagType)
    }

    /// What decided an evaluation.
    public enum Match: Sendable, Hashable, Codable {
        /// Individual target number `index` (0-based) matched `attribute` = `value`.
        case target(index: Int, attribute: String, value: String)
        /// Rule number `index` (0-based) held.
        case rule(index: Int)
        /// The fallthrough default decided.
        case `default`

        /// A one-line explanation for people.
        public var summary: String {
            switch self {
            case .target(let index, let attribute, let value): return "target #\(index + 1) (\(attribute) = \(value))"
            case .rule(let index): return "rule #\(index + 1)"
            case .default: return "default"
            }
        }
    }
}
