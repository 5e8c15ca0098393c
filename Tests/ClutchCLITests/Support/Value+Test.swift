import ClutchCore

extension Value {
    /// The member `key` of an object.
    subscript(key: String) -> Value? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// The element at `index` of an array.
    subscript(index: Int) -> Value? {
        if case .array(let items) = self, items.indices.contains(index) { return items[index] }
        return nil
    }

    var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    var int: Int? {
        if case .integer(let i) = self { return Int(i) }
        return nil
    }

    var bool: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    var array: [Value]? {
        if case .array(let items) = self { return items }
        return nil
    }

    var object: [String: Value]? {
        if case .object(let members) = self { return members }
        return nil
    }
}
