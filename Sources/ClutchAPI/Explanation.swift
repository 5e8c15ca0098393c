import ClutchCore

/// `POST /api/v1/environments/{env}/explain`: what a flag serves a context and which target,
/// rule or prerequisite decided. The console's "try it" shows the same answer.
///
/// Sent as ``json``, written by hand rather than by `JSONEncoder`: the served value keeps its
/// exact number form (`1.0` stays a double), and absent fields are `null`, as OpenAPI says.
public struct Explanation: Sendable, Hashable, Codable {
    /// What decided: `kind` is `prerequisite`, `target`, `rule` or `default`.
    public struct Match: Sendable, Hashable, Codable {
        public var kind: String
        /// The target's, rule's or prerequisite's position (from 0); `nil` for `default`.
        public var index: Int?
        /// The attribute a target matched on.
        public var attribute: String?
        /// The context's value a target matched, or the variant a prerequisite must serve.
        public var value: String?
        /// For a `prerequisite` match: the flag required.
        public var flag: String?

        public init(kind: String, index: Int? = nil, attribute: String? = nil, value: String? = nil, flag: String? = nil) {
            self.kind = kind
            self.index = index
            self.attribute = attribute
            self.value = value
            self.flag = flag
        }

        /// `flag` only for prerequisites; the other fields always, `null` when absent.
        var json: Value {
            var object: [String: Value] = [
                "kind": .string(kind), "index": index.map { .integer(Int64($0)) } ?? .null,
                "attribute": attribute.map(Value.string) ?? .null, "value": value.map(Value.string) ?? .null,
            ]
            if let flag { object["flag"] = .string(flag) }
            return .object(object)
        }
    }

    public var flagKey: String
    /// The value served; `nil` on an error.
    public var value: Value?
    public var variant: String?
    /// The OpenFeature reason (`TARGETING_MATCH`, `SPLIT`, `DISABLED`, …).
    public var reason: String
    public var errorCode: String?
    public var errorMessage: String?
    public var match: Match?
    /// One line for people, such as `rule #2: plan in pro`.
    public var explanation: String

    public init(
        flagKey: String, value: Value?, variant: String?, reason: String, errorCode: String?, errorMessage: String?,
        match: Match?, explanation: String
    ) {
        self.flagKey = flagKey
        self.value = value
        self.variant = variant
        self.reason = reason
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.match = match
        self.explanation = explanation
    }

    /// The answer's JSON, every field present (`null` when absent).
    public var json: Value {
        .object([
            "flagKey": .string(flagKey), "value": value ?? .null, "variant": variant.map(Value.string) ?? .null,
            "reason": .string(reason), "errorCode": errorCode.map(Value.string) ?? .null,
            "errorMessage": errorMessage.map(Value.string) ?? .null, "match": match?.json ?? .null,
            "explanation": .string(explanation),
        ])
    }

    public func encode(to encoder: any Encoder) throws {
        try json.encode(to: encoder)
    }
}
