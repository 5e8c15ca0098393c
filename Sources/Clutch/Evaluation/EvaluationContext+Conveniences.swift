import Foundation

extension EvaluationContext {
    /// The attribute rules use for the customer (tenant, account) a context belongs to.
    public static let customerIdAttribute = "customerId"
    /// The attribute rules use for roles; several roles are an array, matched element-wise.
    public static let roleAttribute = "role"

    /// A context for `targetingKey` (usually the user id), with the common attributes.
    public init(
        targetingKey: String?, customerId: String? = nil, roles: [String] = [], attributes: [String: Value] = [:]
    ) {
        self.init(targetingKey: targetingKey, attributes: attributes)
        if let customerId { self.customerId = customerId }
        if !roles.isEmpty { self.roles = roles }
    }

    /// The customer the context belongs to (`customerId`).
    public var customerId: String? {
        get { self[attribute: Self.customerIdAttribute]?.stringValue }
        set { attributes[Self.customerIdAttribute] = newValue.map(Value.string) }
    }

    /// The context's roles (`role`): one role is stored as a string, several as an array.
    public var roles: [String] {
        get {
            switch self[attribute: Self.roleAttribute] {
            case .string(let role)?: return [role]
            case .array(let items)?: return items.compactMap(\.stringValue)
            default: return []
            }
        }
        set {
            switch newValue.count {
            case 0: attributes[Self.roleAttribute] = nil
            case 1: attributes[Self.roleAttribute] = .string(newValue[0])
            default: attributes[Self.roleAttribute] = .array(newValue.map(Value.string))
            }
        }
    }

    /// Whether the context has `role` among its roles.
    public func hasRole(_ role: String) -> Bool { roles.contains(role) }

    /// Sets attribute `name`; `nil` removes it.
    public mutating func set(_ name: String, _ value: String?) { attributes[name] = value.map(Value.string) }
    public mutating func set(_ name: String, _ value: Int?) { attributes[name] = value.map { .integer(Int64($0)) } }
    public mutating func set(_ name: String, _ value: Double?) { attributes[name] = value.map(Value.double) }
    public mutating func set(_ name: String, _ value: Bool?) { attributes[name] = value.map(Value.bool) }
    public mutating func set(_ name: String, _ value: [String]?) { attributes[name] = value.map { .array($0.map(Value.string)) } }

    /// Sets a date attribute as Unix seconds (an integer when whole), which `before` and
    /// `after` compare exactly like RFC 3339 text (see ``Timestamp``).
    public mutating func set(_ name: String, _ value: Date?) { attributes[name] = value.map(Self.dateValue) }

    /// A copy with attribute `name` set to `value`, for building contexts in one expression.
    public func with(_ name: String, _ value: Value?) -> EvaluationContext {
        var copy = self
        copy.attributes[name] = value
        return copy
    }

    /// A copy with the date attribute `name` set (Unix seconds, see ``dateValue(_:)``).
    public func with(_ name: String, _ value: Date?) -> EvaluationContext {
        with(name, value.map(Self.dateValue))
    }

    /// How dates are written into contexts: Unix seconds, an integer when whole.
    public static func dateValue(_ date: Date) -> Value {
        let seconds = date.timeIntervalSince1970
        if seconds.rounded() == seconds, abs(seconds) < 9.0e15 { return .integer(Int64(seconds)) }
        return .double(seconds)
    }
}
