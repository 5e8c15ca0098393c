import Mustache

/// HTML escaping for the web console, by Unicode scalar.
///
/// swift-mustache's own `HTML` content type escapes by `Character` (grapheme cluster): `"`
/// followed by a combining mark (U+0301) is one cluster that matches no entry of its table, so
/// the quote is written raw and can end an attribute value. Looking at each scalar instead, no
/// combining mark can hide a special character.
public enum ConsoleHTML {
    /// The content type's name in templates: `{{% CONTENT_TYPE: CLUTCH_HTML }}`.
    public static let contentTypeName = "CLUTCH_HTML"

    /// `text` with `&`, `<`, `>`, `"` and `'` replaced by character references.
    public static func escape(_ text: String) -> String {
        var escaped = String.UnicodeScalarView()
        escaped.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped.append(contentsOf: "&amp;".unicodeScalars)
            case "<": escaped.append(contentsOf: "&lt;".unicodeScalars)
            case ">": escaped.append(contentsOf: "&gt;".unicodeScalars)
            case "\"": escaped.append(contentsOf: "&quot;".unicodeScalars)
            case "'": escaped.append(contentsOf: "&#39;".unicodeScalars)
            default: escaped.append(scalar)
            }
        }
        return String(escaped)
    }

    /// The content type every console template declares.
    struct ContentType: MustacheContentType {
        func escapeText(_ text: String) -> String { ConsoleHTML.escape(text) }
    }

    /// Registers the content type with swift-mustache; templates name it when they are parsed,
    /// so this runs before any console template is.
    static let registered: Void = {
        MustacheContentTypes.register(ContentType(), named: contentTypeName)
    }()
}
