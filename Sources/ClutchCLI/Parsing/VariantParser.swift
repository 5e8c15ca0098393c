import ClutchCore

/// Reads `--variant NAME=VALUE` for `flags create`, typed by the flag's type.
enum VariantParser {
    static func parse(_ spec: String, type: FlagType) throws -> Variant {
        guard let eq = spec.firstIndex(of: "=") else {
            throw CLIError.failed("--variant takes NAME=VALUE, got '\(spec)'", hint: example(type))
        }
        let name = String(spec[..<eq])
        let text = String(spec[spec.index(after: eq)...])
        let value = type.value(fromText: text)
        guard let value else {
            throw CLIError.failed("--variant \(spec): a \(type.rawValue) flag needs \(type.rawValue) values", hint: example(type))
        }
        return Variant(key: name, value: value)
    }

    private static func example(_ type: FlagType) -> String {
        switch type {
        case .boolean: return "e.g. --variant on=true --variant off=false"
        case .string: return "e.g. --variant blue=#0000ff"
        case .integer: return "e.g. --variant small=10"
        case .double: return "e.g. --variant ratio=0.5"
        case .object: return "e.g. --variant a='{\"size\": 2}'"
        }
    }
}
