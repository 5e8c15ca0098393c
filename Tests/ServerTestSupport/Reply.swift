import ClutchCore
import Foundation

/// An HTTP answer.
public struct Reply: Sendable {
    public var status: Int
    /// Lowercased names.
    public var headers: [String: String]
    public var body: Data

    public init(status: Int, headers: [String: String], body: Data) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public var text: String { String(decoding: body, as: UTF8.self) }
    public var contentType: String { headers["content-type"] ?? "" }

    /// The body as a JSON value.
    public func json() throws -> Value {
        try JSONDecoder().decode(Value.self, from: body)
    }

    /// `json()[path]` for a dotted path such as `flag.environments.production.enabled` or `flags[0].key`.
    public subscript(_ path: String) -> Value? {
        guard let root = try? json() else { return nil }
        return root.at(path)
    }

    /// The error code of a JSON error body.
    public var errorCode: String? { self["error.code"]?.stringValue }
    public var errorField: String? { self["error.field"]?.stringValue }
}

extension Value {
    /// The value at a dotted path (`a.b[2].c`).
    public func at(_ path: String) -> Value? {
        var current: Value? = self
        for part in path.split(separator: ".") {
            var name = Substring(part)
            var indices: [Int] = []
            while let open = name.lastIndex(of: "["), name.hasSuffix("]") {
                guard let index = Int(name[name.index(after: open)..<name.index(before: name.endIndex)]) else { return nil }
                indices.insert(index, at: 0)
                name = name[..<open]
            }
            if !name.isEmpty {
                guard case .object(let object)? = current else { return nil }
                current = object[String(name)]
            }
            for index in indices {
                guard case .array(let array)? = current, index < array.count else { return nil }
                current = array[index]
            }
        }
        return current
    }

    public var arrayCount: Int? {
        if case .array(let a) = self { return a.count }
        return nil
    }

    public var arrayValue: [Value]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var objectValue: [String: Value]? {
        if case .object(let object) = self { return object }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var intValue: Int64? {
        if case .integer(let i) = self { return i }
        return nil
    }
}
