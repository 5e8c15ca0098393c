/// The predefined classes. All are ASCII-only, as in RE2: `\d` is `[0-9]`, not every
/// Unicode digit, so a pattern means the same thing whatever script the input is in.
enum PatternNamedClasses {
    static let digit = ScalarRanges([48...57])
    /// `\w`: `[0-9A-Za-z_]`.
    static let word = ScalarRanges([48...57, 65...90, 95...95, 97...122])
    /// `\s`: `[\t\n\f\r ]` (RE2 leaves out `\v`).
    static let space = ScalarRanges([9...10, 12...13, 32...32])

    /// `[[:name:]]` classes, ASCII as in RE2.
    static func posix(_ name: String) -> ScalarRanges? {
        switch name {
        case "alnum": return ScalarRanges([48...57, 65...90, 97...122])
        case "alpha": return ScalarRanges([65...90, 97...122])
        case "ascii": return ScalarRanges([0...127])
        case "blank": return ScalarRanges([9...9, 32...32])
        case "cntrl": return ScalarRanges([0...31, 127...127])
        case "digit": return digit
        case "graph": return ScalarRanges([33...126])
        case "lower": return ScalarRanges([97...122])
        case "print": return ScalarRanges([32...126])
        case "punct": return ScalarRanges([33...47, 58...64, 91...96, 123...126])
        case "space": return ScalarRanges([9...13, 32...32])
        case "upper": return ScalarRanges([65...90])
        case "word": return word
        case "xdigit": return ScalarRanges([48...57, 65...70, 97...102])
        default: return nil
        }
    }

    /// Whether `value` is an ASCII word character, for `\b` and `\B`.
    @inline(__always)
    static func isWord(_ value: UInt32) -> Bool {
        (value >= 48 && value <= 57) || (value >= 65 && value <= 90) || value == 95 || (value >= 97 && value <= 122)
    }
}
