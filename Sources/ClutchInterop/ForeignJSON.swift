import ClutchAPI
import ClutchCore
import Foundation

/// A value of a foreign JSON document with its path (`flags.new-checkout.targeting.if[0]`), so
/// that every problem a converter finds names where it is, in the document the user wrote.
public struct ForeignJSON: Sendable, Hashable {
    public let value: Value
    public let path: String

    public init(_ value: Value, path: String = "") {
        self.value = value
        self.path = path
    }

    /// Parses a whole document; a file that is not JSON fails naming nothing but itself.
    public static func parse(_ data: Data) throws(ConversionFailure) -> ForeignJSON {
        do {
            return ForeignJSON(try ClutchJSON.decode(Value.self, from: data))
        } catch {
            throw ConversionFailure("the document is not valid JSON")
        }
    }

    /// The member `key` of an object (`nil` when absent or when this is not an object).
    public subscript(key: String) -> ForeignJSON? {
        guard case .object(let members) = value, let member = members[key] else { return nil }
        return ForeignJSON(member, path: path.isEmpty ? key : "\(path).\(key)")
    }

    /// An object's members sorted by key (by their UTF-8 bytes, so the order never depends on the parser).
    public var members: [(key: String, value: ForeignJSON)]? {
        guard case .object(let members) = value else { return nil }
        return members.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.map { key in
            (key, ForeignJSON(members[key] ?? .null, path: path.isEmpty ? key : "\(path).\(key)"))
        }
    }

    /// An array's elements with their paths.
    public var elements: [ForeignJSON]? {
        guard case .array(let items) = value else { return nil }
        return items.enumerated().map { ForeignJSON($1, path: "\(path)[\($0)]") }
    }

    public var string: String? { value.stringValue }

    /// A construct at this path that cannot be mapped, and why.
    public func unmapped(_ reason: String) -> ConversionIssue {
        ConversionIssue(path: path.isEmpty ? "$" : path, reason: reason)
    }

    /// A failure at this path (the document cannot be read on).
    public func failure(_ message: String) -> ConversionFailure {
        ConversionFailure(path: path, message)
    }
}
