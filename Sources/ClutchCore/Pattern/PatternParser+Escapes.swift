// Backslash escapes, shared by the pattern and its classes.
extension PatternParser {
    /// What one escape sequence stands for.
    enum Escaped {
        case scalar(Unicode.Scalar)
        case set(ScalarRanges)
    }

    /// An escape outside a class: a scalar, a class, or an assertion.
    mutating func escape() throws(PatternError) -> PatternNode {
        let start = position
        guard let c = peek(1) else { throw PatternError("trailing backslash at end of pattern", at: start) }
        switch c {
        case "A": position += 2; return .assertion(.beginText)
        case "z": position += 2; return .assertion(.endText)
        case "b": position += 2; return .assertion(.wordBoundary)
        case "B": position += 2; return .assertion(.notWordBoundary)
        case "1"..."9": throw PatternError("backreference '\\\(c)' is not supported", at: start)
        case "k": throw PatternError("backreference '\\k' is not supported", at: start)
        default:
            switch try escapedAtom() {
            case .scalar(let scalar): return literal(scalar)
            case .set(let set): return .set(PatternClass(set, foldsCase: false))
            }
        }
    }

    /// An escape valid both inside and outside classes, at the current backslash.
    mutating func escapedAtom() throws(PatternError) -> Escaped {
        let start = position
        guard let c = peek(1) else { throw PatternError("trailing backslash at end of pattern", at: start) }
        position += 2
        switch c {
        case "t": return .scalar("\t")
        case "n": return .scalar("\n")
        case "r": return .scalar("\r")
        case "f": return .scalar("\u{0C}")
        case "v": return .scalar("\u{0B}")
        case "d": return .set(PatternNamedClasses.digit)
        case "D": return .set(PatternNamedClasses.digit.complemented())
        case "w": return .set(PatternNamedClasses.word)
        case "W": return .set(PatternNamedClasses.word.complemented())
        case "s": return .set(PatternNamedClasses.space)
        case "S": return .set(PatternNamedClasses.space.complemented())
        case "x": return .scalar(try hexEscape(escapeAt: start))
        default:
            // Any escaped ASCII punctuation is itself, as in RE2 (`\.`, `\-`, `\@`, …).
            let v = c.value
            if v >= 33 && v <= 126 && !PatternNamedClasses.isWord(v) { return .scalar(c) }
            throw PatternError("unknown escape '\\\(c)'", at: start)
        }
    }

    /// `\xHH` or `\x{H…}` (just after the `x`).
    private mutating func hexEscape(escapeAt start: Int) throws(PatternError) -> Unicode.Scalar {
        func hexDigit(_ scalar: Unicode.Scalar?) -> UInt32? {
            guard let v = scalar?.value else { return nil }
            switch v {
            case 48...57: return v - 48
            case 65...70: return v - 55
            case 97...102: return v - 87
            default: return nil
            }
        }
        var value: UInt32 = 0
        if peek() == "{" {
            position += 1
            var digits = 0
            while let digit = hexDigit(peek()) {
                value = Swift.min(value * 16 + digit, 0x110000)
                digits += 1
                position += 1
            }
            guard digits > 0, peek() == "}" else { throw PatternError("invalid escape '\\x{…}'", at: start) }
            position += 1
        } else {
            guard let high = hexDigit(peek()), let low = hexDigit(peek(1)) else {
                throw PatternError("invalid escape '\\x': expected two hex digits", at: start)
            }
            position += 2
            value = high * 16 + low
        }
        guard let scalar = Unicode.Scalar(value) else {
            throw PatternError("escape '\\x' names no Unicode scalar", at: start)
        }
        return scalar
    }
}
