import Foundation

extension FlagType {
    /// `text` as a variant value of this type, as people type it (`clutch flags create --variant
    /// NAME=VALUE`, the console's variant lines): `true`/`false`, a whole number, a finite
    /// number, the text itself, or a JSON object or array; `nil` when it is not one. One rule
    /// for the CLI and the console.
    public func value(fromText text: String) -> Value? {
        switch self {
        case .boolean:
            return text == "true" ? .bool(true) : text == "false" ? .bool(false) : nil
        case .integer:
            return Int64(text).map(Value.integer)
        case .double:
            return Double(text).flatMap { $0.isFinite ? Value.double($0) : nil }
        case .string:
            return .string(text)
        case .object:
            guard let parsed = try? ClutchJSON.decode(Value.self, from: Data(text.utf8)) else { return nil }
            switch parsed {
            case .object, .array: return parsed
            default: return nil
            }
        }
    }
}
