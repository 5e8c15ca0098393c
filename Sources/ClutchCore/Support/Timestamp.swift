/// Parses the dates that `before` and `after` compare, without Foundation's formatters
/// (which are slow and not safe to share): RFC 3339 date-times (`2026-01-01T10:00:00Z`,
/// `…+02:00`, fractional seconds), full dates (`2026-01-01`, midnight UTC) and Unix seconds.
public enum Timestamp {
    /// Seconds since 1970-01-01T00:00:00Z for a JSON value: a number is Unix seconds, a
    /// string is RFC 3339 or a Unix-seconds number; anything else is `nil`.
    public static func seconds(_ value: Value) -> Double? {
        switch value {
        case .integer(let i): return Double(i)
        case .double(let d): return d.isFinite ? d : nil
        case .string(let s): return seconds(s)
        default: return nil
        }
    }

    /// Seconds since the Unix epoch for RFC 3339 text or a decimal number of seconds.
    public static func seconds(_ text: String) -> Double? {
        let b = Array(text.utf8)
        if let first = b.first, first == UInt8(ascii: "-") || (first >= 48 && first <= 57),
            !b.contains(UInt8(ascii: ":")), b.count < 8 || b[4] != UInt8(ascii: "-"), let d = Double(text), d.isFinite
        {
            return d
        }
        guard b.count >= 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
            let year = digits(b, 0, 4), let month = digits(b, 5, 2), let day = digits(b, 8, 2),
            (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day)
        else { return nil }
        var seconds = Double(daysFromCivil(year: year, month: month, day: day)) * 86_400
        if b.count == 10 { return seconds }
        guard b.count >= 20, b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t") || b[10] == UInt8(ascii: " "),
            b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"),
            let hour = digits(b, 11, 2), let minute = digits(b, 14, 2), let second = digits(b, 17, 2),
            hour < 24, minute < 60, second <= 60
        else { return nil }
        seconds += Double(hour * 3600 + minute * 60 + second)
        var i = 19
        if b[i] == UInt8(ascii: ".") {
            i += 1
            var scale = 0.1
            let start = i
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                seconds += Double(b[i] - 48) * scale
                scale /= 10
                i += 1
            }
            if i == start { return nil }
        }
        guard i < b.count else { return nil }
        switch b[i] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            return i + 1 == b.count ? seconds : nil
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard b.count == i + 6, b[i + 3] == UInt8(ascii: ":"),
                let oh = digits(b, i + 1, 2), let om = digits(b, i + 4, 2), oh < 24, om < 60
            else { return nil }
            let offset = Double(oh * 3600 + om * 60)
            return b[i] == UInt8(ascii: "+") ? seconds - offset : seconds + offset
        default:
            return nil
        }
    }

    private static func digits(_ b: [UInt8], _ start: Int, _ count: Int) -> Int? {
        guard start + count <= b.count else { return nil }
        var n = 0
        for i in start..<(start + count) {
            guard b[i] >= 48, b[i] <= 57 else { return nil }
            n = n * 10 + Int(b[i] - 48)
        }
        return n
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's algorithm).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
