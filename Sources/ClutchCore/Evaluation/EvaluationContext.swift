/// Who a flag is evaluated for: a targeting key (usually the user id) and attributes
/// such as `customerId`, `role`, `email` or `appVersion`.
///
/// A context is typically built once per request and evaluated against many flags, so it
/// keeps its attributes in a table that rules look up with hashes computed when the rules
/// were compiled (no hashing of attribute names per evaluation).
public struct EvaluationContext: Sendable, Hashable {
    /// The context's stable identifier; the default bucketing attribute.
    public var targetingKey: String?
    /// Attributes by name. Arrays (for example several roles) match element-wise.
    public var attributes: [String: Value] {
        didSet { table = StringTable(attributes) }
    }
    private(set) var table: StringTable<Value>

    public init(targetingKey: String? = nil, attributes: [String: Value] = [:]) {
        self.targetingKey = targetingKey
        self.attributes = attributes
        self.table = StringTable(attributes)
    }

    /// The attribute `name`; `targetingKey` reads the targeting key.
    public subscript(attribute name: String) -> Value? {
        if name == "targetingKey", let key = targetingKey { return .string(key) }
        return attributes[name]
    }

    public static func == (lhs: EvaluationContext, rhs: EvaluationContext) -> Bool {
        lhs.targetingKey == rhs.targetingKey && lhs.attributes == rhs.attributes
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(targetingKey)
        hasher.combine(attributes)
    }

    /// The problem with an OFREP-style JSON context (`{"targetingKey": …, attributes…}`), if any.
    public struct Invalid: Error, Sendable, Hashable {
        public var message: String
    }

    /// Reads a context from its flat JSON object form, as OFREP and explain send it.
    /// A `targetingKey` that is not a string is an `INVALID_CONTEXT` error.
    public init(json: [String: Value]) throws(Invalid) {
        var attributes = json
        let key = attributes.removeValue(forKey: "targetingKey")
        switch key {
        case nil, .null?:
            targetingKey = nil
        case .string(let s)?:
            targetingKey = s
        case let other?:
            throw Invalid(message: "targetingKey must be a string, got \(other.kindName)")
        }
        self.attributes = attributes
        self.table = StringTable(attributes)
    }

    /// The flat JSON object form.
    public var json: [String: Value] {
        var object = attributes
        if let targetingKey { object["targetingKey"] = .string(targetingKey) }
        return object
    }
}
