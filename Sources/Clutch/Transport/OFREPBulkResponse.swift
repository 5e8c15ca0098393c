import ClutchProtocol

/// The answer of OFREP bulk evaluation (`POST /ofrep/v1/evaluate/flags`), also the data of
/// the client stream's `values` event and what device mode keeps on disk.
struct OFREPBulkResponse: Sendable, Hashable, Codable {
    var flags: [Item]

    /// One flag's outcome: a value with its reason and variant, or an error code.
    struct Item: Sendable, Hashable, Codable {
        var key: String
        var value: Value?
        var reason: String?
        var variant: String?
        var metadata: [String: Value]?
        var errorCode: String?
        var errorDetails: String?
    }

    /// The outcomes as engine results, by flag key; `reason` replaces the server's reason of
    /// every value (``Reason/cached`` for answers read from disk).
    func results(reason: Reason? = nil) -> [String: EvaluationResult] {
        var results: [String: EvaluationResult] = [:]
        for item in flags {
            if let code = item.errorCode {
                results[item.key] = .failure(item.key, ErrorCode(code), item.errorDetails ?? code)
            } else if let value = item.value {
                results[item.key] = EvaluationResult(
                    flagKey: item.key, value: value, variant: item.variant,
                    reason: reason ?? Reason(item.reason ?? Reason.unknown.rawValue), flagType: value.impliedFlagType)
            } else {
                results[item.key] = .failure(item.key, .general, "the server sent no value for '\(item.key)'")
            }
        }
        return results
    }
}

/// The client stream's events (`POST /sdk/v1/client/stream`): one context's answers, pushed.
enum ClientStreamEvent: Sendable, Hashable {
    /// `values`: every answer for the context (sent first, and whenever the server cannot send a delta).
    case values(OFREPBulkResponse)
    /// `changed`: only the answers that changed for the context, and the flags that no longer exist.
    case changed(flags: [OFREPBulkResponse.Item], removed: [String])

    private struct Change: Decodable {
        var flags: [OFREPBulkResponse.Item]
        var removed: [String]?
    }

    /// The event named `type` carrying `data`; `nil` for an event this SDK does not know
    /// (ignored, so that the server can add events). Throws when a known event cannot be read.
    init?(type: String, data: some Collection<UInt8>) throws {
        switch type {
        case ClientStreamEventName.values:
            self = .values(try ClutchJSONDecoder().decode(OFREPBulkResponse.self, from: [UInt8](data)))
        case ClientStreamEventName.changed:
            let change = try ClutchJSONDecoder().decode(Change.self, from: [UInt8](data))
            self = .changed(flags: change.flags, removed: change.removed ?? [])
        default:
            return nil
        }
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
