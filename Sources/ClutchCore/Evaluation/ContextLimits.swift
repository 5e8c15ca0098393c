/// The largest evaluation context a caller may send (OFREP, explain).
///
/// An SDK key ships inside apps, so anyone may send a context. These bounds keep the cost of
/// one evaluation small whatever the context holds: a clause reads each value at most once,
/// and patterns match in time linear in the value's length (``CompiledPattern``), so the work
/// of one request is bounded by `flags × clauses × maxStringBytes`. The Swift SDK evaluates
/// contexts its own application builds and does not apply them.
public enum ContextLimits {
    /// Top-level attributes, `targetingKey` included.
    public static let maxAttributes = 1_000
    /// Values in all, counting every element of arrays and every field of nested objects.
    public static let maxValues = 10_000
    /// UTF-8 bytes in one string value (`targetingKey` included) or attribute name.
    public static let maxStringBytes = 131_072

    /// Why `attributes` exceeds a limit, or `nil` when it does not.
    static func violation(_ attributes: [String: Value]) -> String? {
        if attributes.count > maxAttributes {
            return "a context may have at most \(maxAttributes) attributes, got \(attributes.count)"
        }
        var values = 0
        for (name, value) in attributes {
            if name.utf8.count > maxStringBytes {
                return "attribute names may be at most \(maxStringBytes) bytes long"
            }
            if let problem = violation(value, path: name, values: &values) { return problem }
        }
        return nil
    }

    private static func violation(_ value: Value, path: String, values: inout Int) -> String? {
        values += 1
        if values > maxValues { return "a context may hold at most \(maxValues) values (array elements and nested fields count)" }
        switch value {
        case .string(let s) where s.utf8.count > maxStringBytes:
            return "'\(path)' is \(s.utf8.count) bytes long; a string may be at most \(maxStringBytes) bytes"
        case .array(let items):
            for (i, item) in items.enumerated() {
                if let problem = violation(item, path: "\(path)[\(i)]", values: &values) { return problem }
            }
        case .object(let fields):
            for (name, field) in fields {
                if name.utf8.count > maxStringBytes { return "attribute names may be at most \(maxStringBytes) bytes long" }
                if let problem = violation(field, path: "\(path).\(name)", values: &values) { return problem }
            }
        default:
            break
        }
        return nil
    }
}
