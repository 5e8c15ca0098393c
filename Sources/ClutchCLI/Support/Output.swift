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

    /// `text` from a user (a change message, a description, a name) made safe to print on one
    /// line of a terminal: control characters are shown escaped instead of being sent raw, so a
    /// stored message cannot move the cursor, recolour or clear the screen, retitle the window or
    /// forge lines of output. `ESC` → `\e`, newline → `\n`, carriage return → `\r`, tab → `\t`,
    /// any other C0, DEL or C1 character, and the invisible characters that reorder or break a
    /// line (bidirectional overrides and isolates, line and paragraph separators) → `\u{…}`.
    /// `--json` prints the exact text instead.
    static func printable(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            guard needsEscape(scalar) else {
                out.unicodeScalars.append(scalar)
                continue
            }
            switch scalar {
            case "\u{1B}": out += "\\e"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default: out += "\\u{" + String(scalar.value, radix: 16) + "}"
            }
        }
        return out
    }

    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: true
        case 0x200E, 0x200F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    /// `date` as the API writes times: RFC 3339 in UTC, whole seconds (`2026-11-21T10:00:03Z`).
    static func rfc3339(_ date: Date) -> String {
        Timestamp.formatSeconds(date)
    }

    /// Shortens a time for tables: `2026-11-21 10:00:03` (UTC).
    static func time(_ date: Date?) -> String {
        time(date.map(Timestamp.format))
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
