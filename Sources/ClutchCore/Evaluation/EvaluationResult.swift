/// The outcome of evaluating one flag for one context. Errors are reported here, never
/// thrown: `errorCode` is set, `reason` is `ERROR` and `value` is `nil` (callers serve
/// their own default).
///
/// Results for fixed outcomes are prepared when an engine is built, so the fields live in
/// one shared immutable object: returning a result costs one reference count, not one per field.
public struct EvaluationResult: Sendable, Hashable {
    private var storage: Storage

    public init(
        flagKey: String, value: Value?, variant: String?, reason: Reason, match: Match? = nil,
        errorCode: ErrorCode? = nil, errorMessage: String? = nil, flagType: FlagType? = nil
    ) {
        storage = Storage(
            flagKey: flagKey, value: value, variant: variant, reason: reason, match: match,
            errorCode: errorCode, errorMessage: errorMessage, flagType: flagType)
    }

    /// A failed evaluation.
    public static func failure(_ flagKey: String, _ code: ErrorCode, _ message: String, flagType: FlagType? = nil) -> Self {
        EvaluationResult(
            flagKey: flagKey, value: nil, variant: nil, reason: .error, errorCode: code,
            errorMessage: message, flagType: flagType)
    }

    public var flagKey: String {
        get { storage.flagKey }
        set { update { $0.flagKey = newValue } }
    }
    /// The served value; `nil` on error.
    public var value: Value? {
        get { storage.value }
        set { update { $0.value = newValue } }
    }
    /// The served variant's key; `nil` on error.
    public var variant: String? {
        get { storage.variant }
        set { update { $0.variant = newValue } }
    }
    public var reason: Reason {
        get { storage.reason }
        set { update { $0.reason = newValue } }
    }
    /// What decided, for explanations.
    public var match: Match? {
        get { storage.match }
        set { update { $0.match = newValue } }
    }
    public var errorCode: ErrorCode? {
        get { storage.errorCode }
        set { update { $0.errorCode = newValue } }
    }
    public var errorMessage: String? {
        get { storage.errorMessage }
        set { update { $0.errorMessage = newValue } }
    }
    /// The flag's type, when the flag exists.
    public var flagType: FlagType? {
        get { storage.flagType }
        set { update { $0.flagType = newValue } }
    }

    private mutating func update(_ change: (inout Fields) -> Void) {
        var fields = Fields(storage)
        change(&fields)
        storage = Storage(
            flagKey: fields.flagKey, value: fields.value, variant: fields.variant, reason: fields.reason,
            match: fields.match, errorCode: fields.errorCode, errorMessage: fields.errorMessage, flagType: fields.flagType)
    }

    public static func == (lhs: EvaluationResult, rhs: EvaluationResult) -> Bool {
        lhs.storage === rhs.storage || Fields(lhs.storage) == Fields(rhs.storage)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(Fields(storage))
    }

    /// What decided an evaluation.
    public enum Match: Sendable, Hashable, Codable {
        /// Prerequisite number `index` (0-based), on flag `flag`, did not hold: the off variant was served.
        case prerequisite(index: Int, flag: String)
        /// Individual target number `index` (0-based) matched.
        case target(index: Int)
        /// Rule number `index` (0-based) held.
        case rule(index: Int)
        /// The fallthrough default decided.
        case `default`

        /// A one-line explanation for people.
        public var summary: String {
            switch self {
            case .prerequisite(_, let flag): return "prerequisite \(flag)"
            case .target(let index): return "target #\(index + 1)"
            case .rule(let index): return "rule #\(index + 1)"
            case .default: return "default"
            }
        }
    }

    private final class Storage: Sendable {
        let flagKey: String
        let value: Value?
        let variant: String?
        let reason: Reason
        let match: Match?
        let errorCode: ErrorCode?
        let errorMessage: String?
        let flagType: FlagType?

        init(
            flagKey: String, value: Value?, variant: String?, reason: Reason, match: Match?,
            errorCode: ErrorCode?, errorMessage: String?, flagType: FlagType?
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
    }

    private struct Fields: Hashable {
        var flagKey: String
        var value: Value?
        var variant: String?
        var reason: Reason
        var match: Match?
        var errorCode: ErrorCode?
        var errorMessage: String?
        var flagType: FlagType?

        init(_ s: Storage) {
            flagKey = s.flagKey
            value = s.value
            variant = s.variant
            reason = s.reason
            match = s.match
            errorCode = s.errorCode
            errorMessage = s.errorMessage
            flagType = s.flagType
        }
    }
}

extension EvaluationResult {
    /// Whether the flag's default rollout decided this result (reason `SPLIT` from the
    /// fallthrough, not from a rule): what a usage entry marked `rollout` counts, and so what a
    /// release's guard compares.
    public var decidedByDefaultRollout: Bool {
        reason == .split && match == .default
    }
}
