import ClutchCore

extension Value {
    /// Indented JSON with sorted keys, integers as integers and doubles with a fraction;
    /// what `--json` prints.
    var prettyJSON: String {
        var out = ""
        writePretty(to: &out, indent: "")
        return out
    }

    private func writePretty(to out: inout String, indent: String) {
        let inner = indent + "  "
        switch self {
        case .array(let items) where !items.isEmpty:
            out += "[\n"
            for (i, item) in items.enumerated() {
                out += inner
                item.writePretty(to: &out, indent: inner)
                out += i < items.count - 1 ? ",\n" : "\n"
            }
            out += indent + "]"
        case .object(let members) where !members.isEmpty:
            out += "{\n"
            let sorted = members.sorted { $0.key < $1.key }
            for (i, member) in sorted.enumerated() {
                out += inner
                Value.writeString(member.key, to: &out)
                out += ": "
                member.value.writePretty(to: &out, indent: inner)
                out += i < sorted.count - 1 ? ",\n" : "\n"
            }
            out += indent + "}"
        default:
            write(to: &out)
        }
    }

    /// A short form for tables and messages: strings bare, everything else as JSON.
    var display: String {
        if case .string(let s) = self { return s }
        return jsonText
    }

    /// The member `key` of an object value.
    subscript(key: String) -> Value? {
        if case .object(let members) = self { return members[key] }
        return nil
    }
}
