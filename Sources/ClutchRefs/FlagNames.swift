/// The names a flag goes by in code besides its key: the one home of the rule that turns a key
/// into a generated accessor's name (``accessor(for:)``), so `clutch generate swift` writes the
/// names `clutch refs scan` looks for.
public enum FlagNames {
    /// The key's words: the runs of letters and digits between `-`, `_` and `.`.
    static func words(_ key: String) -> [String] {
        key.split(whereSeparator: { !($0.isLetter || $0.isNumber) }).map(String.init)
    }

    /// `new-checkout` → `newCheckout`, `dark_mode.v2` → `darkModeV2`; a name that would start
    /// with a digit gets `flag` in front (`2fa` → `flag2fa`).
    public static func accessor(for key: String) -> String {
        let name = camel(words(key))
        guard let first = name.first, !first.isNumber else { return "flag" + pascal(words(key)) }
        return name
    }

    /// `newCheckout`.
    static func camel(_ words: [String]) -> String {
        guard let first = words.first else { return "" }
        return first.lowercased() + words.dropFirst().map(capitalized).joined()
    }

    /// `NewCheckout`.
    static func pascal(_ words: [String]) -> String {
        words.map(capitalized).joined()
    }

    private static func capitalized(_ word: String) -> String {
        word.prefix(1).uppercased() + word.dropFirst().lowercased()
    }

    /// A `.clutch/refs.yaml` pattern with the key's forms put in: `{key}` (`new-checkout`),
    /// `{camel}` (`newCheckout`), `{pascal}` (`NewCheckout`), `{snake}` (`new_checkout`),
    /// `{upper_snake}` (`NEW_CHECKOUT`), `{kebab}` (`new-checkout`).
    public static func expand(_ pattern: String, key: String) -> String {
        let words = words(key)
        var out = pattern
        for (placeholder, value) in [
            ("{key}", key), ("{camel}", camel(words)), ("{pascal}", pascal(words)), ("{snake}", words.joined(separator: "_").lowercased()),
            ("{upper_snake}", words.joined(separator: "_").uppercased()), ("{kebab}", words.joined(separator: "-").lowercased()),
        ] {
            out = out.replacingOccurrences(of: placeholder, with: value)
        }
        return out
    }

    /// The placeholders ``expand(_:key:)`` knows.
    public static let placeholders = ["{key}", "{camel}", "{pascal}", "{snake}", "{upper_snake}", "{kebab}"]
}
