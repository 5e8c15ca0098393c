import ClutchCore
import Foundation

/// One field that differs between two versions of a definition.
public struct FieldChange: Sendable, Hashable, Codable {
    /// Dotted path such as `environments.production.enabled` or `variants[1].value`.
    public var path: String
    /// The value before; `nil` when the field did not exist.
    public var before: Value?
    /// The value after; `nil` when the field no longer exists.
    public var after: Value?

    public init(path: String, before: Value?, after: Value?) {
        self.path = path
        self.before = before
        self.after = after
    }

    enum CodingKeys: String, CodingKey { case path, before, after }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(path, forKey: .path)
        try c.encode(before, forKey: .before)
        try c.encode(after, forKey: .after)
    }
}

/// Field-by-field differences between definitions, computed on their JSON trees.
public enum FlagDiff {
    /// Every field that differs between `from` and `to` (`nil` = absent), in path order.
    public static func changes(from: Flag?, to: Flag?) -> [FieldChange] {
        changes(from: from.flatMap(tree), to: to.flatMap(tree))
    }

    /// Every field that differs between two cohorts (`nil` = absent), in path order.
    public static func changes(from: Cohort?, to: Cohort?) -> [FieldChange] {
        changes(from: from.flatMap(tree), to: to.flatMap(tree))
    }

    /// Every field that differs between two JSON trees; an absent side counts as an empty object.
    public static func changes(from: Value?, to: Value?) -> [FieldChange] {
        var out: [FieldChange] = []
        walk(from ?? .object([:]), to ?? .object([:]), path: "", into: &out)
        return out
    }

    /// The JSON tree of an encodable definition.
    static func tree<T: Encodable>(_ value: T) -> Value? {
        guard let data = try? ClutchJSON.encode(value) else { return nil }
        return try? ClutchJSON.decode(Value.self, from: data)
    }

    private static func walk(_ a: Value?, _ b: Value?, path: String, into out: inout [FieldChange]) {
        if a == b { return }
        switch (a, b) {
        case (.object(let x)?, .object(let y)?):
            for key in Set(x.keys).union(y.keys).sorted() {
                walk(x[key], y[key], path: path.isEmpty ? key : "\(path).\(key)", into: &out)
            }
        case (.array(let x)?, .array(let y)?) where x.count == y.count:
            for i in x.indices { walk(x[i], y[i], path: "\(path)[\(i)]", into: &out) }
        default:
            out.append(FieldChange(path: path, before: a, after: b))
        }
    }
}
