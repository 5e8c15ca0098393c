import ClutchCore
import NIOCore

/// JSON written straight into a response buffer, for answers built on every request (OFREP):
/// no intermediate `String` that would be copied into the buffer afterwards. The text is the same
/// as `Value.write(to:)` and `Value.writeString(_:to:)` produce.
extension ByteBuffer {
    /// Appends `string` as a JSON string literal: `"` and `\` escaped, `\n` `\r` `\t` by name,
    /// other control characters as `\u00XX`; everything else (non-ASCII included) as is.
    mutating func writeJSONString(_ string: String) {
        var string = string
        string.withUTF8 { bytes in
            writeInteger(UInt8(ascii: "\""))
            // Unescaped runs are copied whole; most strings are one run.
            var runStart = 0
            for index in bytes.indices {
                let byte = bytes[index]
                guard byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 else { continue }
                writeBytes(UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                writeEscaped(byte)
                runStart = index + 1
            }
            writeBytes(UnsafeBufferPointer(rebasing: bytes[runStart...]))
            writeInteger(UInt8(ascii: "\""))
        }
    }

    private mutating func writeEscaped(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): writeStaticString("\\\"")
        case UInt8(ascii: "\\"): writeStaticString("\\\\")
        case UInt8(ascii: "\n"): writeStaticString("\\n")
        case UInt8(ascii: "\r"): writeStaticString("\\r")
        case UInt8(ascii: "\t"): writeStaticString("\\t")
        default:
            let hexDigits: StaticString = "0123456789abcdef"
            writeStaticString("\\u00")
            hexDigits.withUTF8Buffer { digits in
                writeInteger(digits[Int(byte >> 4)])
                writeInteger(digits[Int(byte & 0x0F)])
            }
        }
    }

    /// Appends `value`'s exact JSON text (doubles always with a fraction, sorted object keys).
    mutating func writeJSON(_ value: Value) {
        switch value {
        case .null: writeStaticString("null")
        case .bool(let flag): writeStaticString(flag ? "true" : "false")
        case .integer(let integer): writeString(String(integer))
        case .string(let string): writeJSONString(string)
        case .double, .array, .object:
            // Rare in answers and subtle to format: ClutchCore's writer decides the exact text.
            writeString(value.jsonText)
        }
    }
}
