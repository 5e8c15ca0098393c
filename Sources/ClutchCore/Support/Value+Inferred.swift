import Foundation

/// Context values typed by people (the CLI's `--context k=v`, the console's Try it box).
extension Value {
    /// The value `text` most likely means: `true`/`false` booleans, integers and decimals numbers,
    /// `a,b` an array, and a quoted text (`"100"`) the string inside the quotes.
    public static func inferred(from text: String) -> Value {
        if text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") {
            return .string(String(text.dropFirst().dropLast()))
        }
        if text.contains(",") {
            return .array(text.split(separator: ",", omittingEmptySubsequences: false).map { inferred(from: String($0)) })
        }
        switch text {
        case "true": return .bool(true)
        case "false": return .bool(false)
        default: break
        }
        if let i = Int64(text) { return .integer(i) }
        if text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }), text.first.map({ $0.isNumber || $0 == "-" }) == true,
            let d = Double(text), d.isFinite
        {
            return .double(d)
        }
        return .string(text)
    }
}
