/// The type of a flag's variant values, with OpenFeature's five kinds.
public enum FlagType: String, Sendable, Hashable, Codable, CaseIterable {
    case boolean
    case string
    case integer
    case double
    case object

    /// Whether `value` is a legal variant value for this type. Integers are legal
    /// for `double` flags (JSON cannot tell `1.0` from `1`); `normalize` turns them into doubles.
    /// An `object` flag's values are JSON objects, as OFREP's `objectFlag` and OpenFeature's
    /// structure type have them: a list goes inside one (`{"items": [...]}`).
    public func accepts(_ value: Value) -> Bool {
        switch (self, value) {
        case (.boolean, .bool), (.string, .string), (.integer, .integer),
            (.double, .double), (.double, .integer), (.object, .object):
            return true
        default:
            return false
        }
    }

    /// `value` in this type's canonical form (integers become doubles for `double` flags).
    public func normalize(_ value: Value) -> Value {
        if self == .double, case .integer(let i) = value { return .double(Double(i)) }
        return value
    }
}
