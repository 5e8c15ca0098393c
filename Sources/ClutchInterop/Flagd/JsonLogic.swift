import ClutchCore

/// Builders of flagd's JsonLogic, as `Value`s. Every operator takes its arguments as an array
/// (flagd's schema wants `{"!": [x]}`, not `{"!": x}`), and `if` always has exactly three (flagd
/// does not take the else-if form: chains nest).
enum JsonLogic {
    static func op(_ name: String, _ args: Value...) -> Value { .object([name: .array(args)]) }
    static func op(_ name: String, _ args: [Value]) -> Value { .object([name: .array(args)]) }

    static func variable(_ path: String) -> Value { .object(["var": .string(path)]) }
    /// The element `some`/`none` are looking at.
    static let element: Value = .object(["var": ""])

    static func `if`(_ condition: Value, _ then: Value, _ otherwise: Value) -> Value { op("if", condition, then, otherwise) }
    static func not(_ value: Value) -> Value { op("!", value) }
    static func truthy(_ value: Value) -> Value { op("!!", value) }

    /// `and` of the conditions, without a wrapper for one (`true` for none, which always holds).
    static func and(_ conditions: [Value]) -> Value {
        switch conditions.count {
        case 0: .bool(true)
        case 1: conditions[0]
        default: op("and", conditions)
        }
    }

    /// `or` of the conditions, without a wrapper for one (`false` for none).
    static func or(_ conditions: [Value]) -> Value {
        switch conditions.count {
        case 0: .bool(false)
        case 1: conditions[0]
        default: op("or", conditions)
        }
    }

    static func strings(_ texts: [String]) -> Value { .array(texts.map(Value.string)) }

    /// A number as JSON: an integer when it is one (and exact), else a double.
    static func number(_ d: Double) -> Value {
        if d.rounded() == d, abs(d) < 9.0e15 { return .integer(Int64(d)) }
        return .double(d)
    }
}
