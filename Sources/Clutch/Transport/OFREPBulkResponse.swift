/// The answer of OFREP bulk evaluation (`POST /ofrep/v1/evaluate/flags`).
struct OFREPBulkResponse: Sendable, Hashable, Decodable {
    var flags: [Item]

    /// One flag's outcome: a value with its reason and variant, or an error code.
    struct Item: Sendable, Hashable, Decodable {
        var key: String
        var value: Value?
        var reason: String?
        var variant: String?
        var metadata: [String: Value]?
        var errorCode: String?
        var errorDetails: String?
    }

    /// The outcomes as engine results, by flag key.
    var results: [String: EvaluationResult] {
        var results: [String: EvaluationResult] = [:]
        for item in flags {
            if let code = item.errorCode {
                results[item.key] = .failure(item.key, ErrorCode(code), item.errorDetails ?? code)
            } else if let value = item.value {
                results[item.key] = EvaluationResult(
                    flagKey: item.key, value: value, variant: item.variant,
                    reason: Reason(item.reason ?? Reason.unknown.rawValue), flagType: value.impliedFlagType)
            } else {
                results[item.key] = .failure(item.key, .general, "the server sent no value for '\(item.key)'")
            }
        }
        return results
    }
}

extension Value {
    /// The flag type a served value suggests (OFREP does not send flag types).
    var impliedFlagType: FlagType? {
        switch self {
        case .bool: return .boolean
        case .string: return .string
        case .integer: return .integer
        case .double: return .double
        case .object, .array: return .object
        case .null: return nil
        }
    }
}
