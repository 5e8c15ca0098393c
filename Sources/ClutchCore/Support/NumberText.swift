/// The number a value stands for in a numeric comparison (`<`, `<=`, `>`, `>=`): a JSON number,
/// or a string spelled as one (`"42"`, `"-1.5e3"`), as flagd's JsonLogic compares `"42" > 10`.
/// Strings that are not numbers in JSON's strict spelling (`"abc"`, `" 42"`, `"0x10"`, `"inf"`,
/// `"1e999"`), NaN, booleans, objects and null are not numbers: the clause cannot compare them.
enum NumberText {
    static func number(_ value: Value) -> Double? {
        switch value {
        case .integer(let i): return Double(i)
        case .double(let d): return d.isNaN ? nil : d
        case .string(let s): return number(s)
        default: return nil
        }
    }

    /// `text` as a number, if it is one in JSON's grammar and finite.
    static func number(_ text: String) -> Double? {
        guard UTF8Bytes.with(text, isJSONNumber), let d = Double(text), d.isFinite else { return nil }
        return d
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`: Swift's `Double(_:)` alone would also
    /// take `inf`, `nan`, `+1` and hexadecimal.
    private static func isJSONNumber(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        func digits() -> Int {
            let start = i
            while i < b.count, b[i] >= 48, b[i] <= 57 { i += 1 }
            return i - start
        }
        if i < b.count, b[i] == UInt8(ascii: "-") { i += 1 }
        let start = i
        let integer = digits()
        guard integer > 0, integer == 1 || b[start] != UInt8(ascii: "0") else { return false }
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            guard digits() > 0 else { return false }
        }
        if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            i += 1
            if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
            guard digits() > 0 else { return false }
        }
        return i == b.count
    }
}
