import ClutchCore
import Foundation

/// Writes a command's result: JSON only with `--json`, text for people otherwise.
enum Output {
    /// Prints `value` as indented, sorted-key JSON.
    static func json(_ value: Value) {
        Terminal.out(value.prettyJSON + "\n")
    }

    /// Prints an `Encodable` value as JSON, going through ``Value`` for sorted keys and exact numbers.
    static func json<T: Encodable>(encoding object: T) throws {
        let data = try ClutchJSON.encode(object)
        json(try ClutchJSON.decode(Value.self, from: data))
    }

    /// Prints text for people, adding a final newline when missing.
    static func text(_ text: String) {
        Terminal.out(text.hasSuffix("\n") || text.isEmpty ? text : text + "\n")
    }

    /// Shortens an RFC 3339 timestamp for tables: `2026-11-21 10:00:03`.
    static func time(_ text: String?) -> String {
        guard let text, !text.isEmpty else { return "-" }
        var short = text.replacingOccurrences(of: "T", with: " ")
        if let dot = short.firstIndex(of: ".") { short = String(short[..<dot]) }
        if short.hasSuffix("Z") { short.removeLast() }
        return short
    }
}
