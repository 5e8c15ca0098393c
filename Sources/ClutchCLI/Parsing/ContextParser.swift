import ClutchCore
import Foundation

/// Builds evaluation contexts from `--context k=v …` or `--context-json`.
///
/// Values are inferred: `true`/`false` become booleans, integers and decimals numbers,
/// `a,b` an array (`role=admin,beta`); quote a value (`plan="100"`) to keep it a string.
/// `targetingKey` is always a string.
enum ContextParser {
    /// The context object for `pairs`.
    static func parse(pairs: [String]) throws -> [String: Value] {
        var context: [String: Value] = [:]
        for pair in pairs {
            guard let eq = pair.firstIndex(of: "="), eq != pair.startIndex else {
                throw CLIError.usage("--context takes ATTRIBUTE=VALUE pairs, got '\(pair)'", hint: "e.g. --context targetingKey=u1 customerId=acme role=admin")
            }
            let name = String(pair[..<eq])
            let text = String(pair[pair.index(after: eq)...])
            context[name] = name == "targetingKey" ? .string(text) : infer(text)
        }
        return context
    }

    /// The contexts in `--context-json`: one object, or an array of objects (explained one by one).
    static func parse(json text: String) throws -> [[String: Value]] {
        let value: Value
        do {
            value = try ClutchJSON.decode(Value.self, from: Data(text.utf8))
        } catch {
            throw CLIError.failed("--context-json is not valid JSON", hint: "e.g. --context-json '{\"targetingKey\": \"u1\", \"role\": [\"admin\"]}'")
        }
        switch value {
        case .object(let object):
            return [object]
        case .array(let items):
            return try items.enumerated().map { i, item in
                guard case .object(let object) = item else {
                    throw CLIError.failed("--context-json[\(i)] must be an object, got \(item.kindName)")
                }
                return object
            }
        default:
            throw CLIError.failed("--context-json must be an object (or an array of objects), got \(value.kindName)")
        }
    }

    /// The value `text` most likely means (``Value/inferred(from:)``, shared with the console).
    static func infer(_ text: String) -> Value { Value.inferred(from: text) }
}
