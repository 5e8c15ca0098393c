/// Who a flag is evaluated for: a targeting key (usually the user id) and attributes
/// such as `customerId`, `role`, `email` or `appVersion`.
///
/// A context is typically built once per request and evaluated against many flags, so it
/// keeps its attributes in a table that rules look up with hashes computed when the rules
/// were compiled (no hashing of attribute names per evaluation).
///
/// The fields live in one shared immutable object, so passing or copying a context costs
/// one reference count rather than one per field.
public struct EvaluationContext: Sendable, Hashable {
    private var storage: Storage

    /// The context's stable identifier; the default bucketing attribute.
    public var targetingKey: String? {
        get { storage.targetingKey }
        set { storage = Storage(targetingKey: newValue, table: storage.table) }
    }
    /// Attributes by name. Arrays (for example several roles) match element-wise.
    /// The context keeps them in its lookup table, so reading this builds a dictionary:
    /// to read one attribute, ``subscript(attribute:)`` is cheaper.
    public var attributes: [String: Value] {
        get { storage.table.dictionary }
        set { storage = Storage(targetingKey: storage.targetingKey, table: StringTable(newValue)) }
    }
    var table: StringTable<Value> { storage.table }

    public init(targetingKey: String? = nil, attributes: [String: Value] = [:]) {
        storage = Storage(targetingKey: targetingKey, table: StringTable(attributes))
    }

    /// The attribute `name`; `targetingKey` reads the targeting key.
    public subscript(attribute name: String) -> Value? {
        if name == "targetingKey", let key = targetingKey { return .string(key) }
        return table[name]
    }

    // Immutable: a change builds a new object (contexts are built once and rarely changed),
    // so values sharing one never see each other's changes.
    private final class Storage: Sendable {
        let targetingKey: String?
        let table: StringTable<Value>

        init(targetingKey: String?, table: StringTable<Value>) {
            self.targetingKey = targetingKey
            self.table = table
        }
    }

    public static func == (lhs: EvaluationContext, rhs: EvaluationContext) -> Bool {
        // Copies share their storage; only distinct objects need their attributes compared.
        lhs.storage === rhs.storage || (lhs.targetingKey == rhs.targetingKey && lhs.attributes == rhs.attributes)
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
    /// A `targetingKey` that is not a string, or a context over ``ContextLimits``, is an
    /// `INVALID_CONTEXT` error.
    public init(json: [String: Value]) throws(Invalid) {
        if let problem = ContextLimits.violation(json) { throw Invalid(message: problem) }
        var attributes = json
        let targetingKey: String?
        switch attributes.removeValue(forKey: "targetingKey") {
        case nil, .null?:
            targetingKey = nil
        case .string(let s)?:
            targetingKey = s
        case let other?:
            throw Invalid(message: "targetingKey must be a string, got \(other.kindName)")
        }
        storage = Storage(targetingKey: targetingKey, table: StringTable(attributes))
    }

    /// The flat JSON object form.
    public var json: [String: Value] {
        var object = attributes
        if let targetingKey { object["targetingKey"] = .string(targetingKey) }
        return object
    }
}
