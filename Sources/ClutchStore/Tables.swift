import ClutchCore
import Foundation

/// How the store writes values into its rows and reads them back, the same on both databases:
/// JSON text with sorted keys, flags in their canonical form. Pure: no database here (row reads
/// and writes are ``Rows``).
enum Tables {
    // MARK: JSON

    static func json<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try ClutchJSON.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try ClutchJSON.decode(type, from: Data(text.utf8))
    }

    /// A flag as the store keeps it: variant values in their type's canonical form, so that a
    /// double flag's `1` and `1.0` compare equal after a round trip through JSON.
    static func normalized(_ flag: Flag) -> Flag {
        var flag = flag
        flag.variants = flag.variants.map { variant in
            var variant = variant
            variant.value = flag.type.normalize(variant.value)
            return variant
        }
        return flag
    }

    // MARK: Revisions

    static func checkRevision(_ record: FlagRecord, _ ifRevision: Int64?) throws {
        if let ifRevision, ifRevision != record.revision {
            throw StoreError.conflict(
                "flag '\(record.flag.key)' is at revision \(record.revision), not \(ifRevision): reload it and apply your change again",
                field: "If-Match")
        }
    }
}
