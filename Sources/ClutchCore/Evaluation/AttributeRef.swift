/// An attribute reference resolved once, when rules are compiled: `targetingKey` lives outside
/// the attribute map, a plain name carries its hash (looking it up in a context hashes nothing),
/// and a nested path (see ``AttributePath``) has its segments split and its root resolved the
/// same way, so evaluation parses nothing.
enum AttributeRef: Sendable {
    case targetingKey
    case named(String, hash: UInt32)
    case nested(NestedAttribute)

    /// The top-level attribute `name`, taken as it is (no path syntax).
    init(name: String) {
        self = name == "targetingKey" ? .targetingKey : .named(name, hash: StringTable<Value>.hash(name))
    }

    /// A cohort's default attribute.
    static let customerId = AttributeRef(name: "customerId")

    init(_ path: AttributePath) {
        guard path.isNested else {
            self.init(name: path.segments[0])
            return
        }
        self = .nested(NestedAttribute(path))
    }

    /// The value the context has here, or `nil` when it has none. The targeting key is a non-empty
    /// string (OpenFeature's definition, and flagd's rule): an empty one, or a `targetingKey`
    /// attribute of another kind (a number, say, given through the Swift API; a JSON context
    /// refuses one), is no targeting key — never bucketed, and matching no clause but `not exists`.
    @inline(__always)
    func value(in context: EvaluationContext) -> Value? {
        switch self {
        case .targetingKey:
            if let key = context.targetingKey, !key.isEmpty { return .string(key) }
            if case .string(let key)? = context.table["targetingKey"], !key.isEmpty { return .string(key) }
            return nil
        case .named(let name, let hash):
            return context.table[name, hash: hash]
        case .nested(let nested):
            return nested.value(in: context)
        }
    }
}

/// A nested path, compiled: behind a reference so that `AttributeRef` stays small.
final class NestedAttribute: Sendable {
    /// One step below the root: a key of an object, or also an index of an array when the
    /// segment is a decimal number without leading zeros.
    struct Step: Sendable {
        let key: String
        let index: Int?
    }

    let root: AttributeRef
    let steps: [Step]
    /// The top-level attribute read when the walk finds nothing (``AttributePath`` explains why).
    let flat: (name: String, hash: UInt32)?

    init(_ path: AttributePath) {
        root = AttributeRef(name: path.segments[0])
        steps = path.segments.dropFirst().map { Step(key: $0, index: Self.index($0)) }
        flat = path.flatFallback.map { ($0, StringTable<Value>.hash($0)) }
    }

    func value(in context: EvaluationContext) -> Value? {
        if let found = walk(context) { return found }
        guard let flat else { return nil }
        return context.table[flat.name, hash: flat.hash]
    }

    private func walk(_ context: EvaluationContext) -> Value? {
        guard var current = root.value(in: context) else { return nil }
        for step in steps {
            switch current {
            case .object(let object):
                // A dictionary finds keys by canonical equivalence; keys match by their bytes.
                guard let position = object.index(forKey: step.key), UTF8Bytes.equal(object[position].key, step.key) else {
                    return nil
                }
                current = object[position].value
            case .array(let items):
                guard let index = step.index, index < items.count else { return nil }
                current = items[index]
            default:
                return nil
            }
        }
        return current
    }

    /// The array index a segment names: decimal digits, no leading zero (but `0` itself), and
    /// short enough not to overflow (longer ones index nothing any array could hold).
    private static func index(_ segment: String) -> Int? {
        let digits = segment.utf8
        guard !digits.isEmpty, digits.count <= 18, digits.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        if digits.count > 1, digits.first == 48 { return nil }
        return Int(segment)
    }
}
