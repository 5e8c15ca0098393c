/// A semantic version, parsed and ordered exactly as semver.org 2.0.0 says: `2.3.0 < 2.10.0`,
/// a pre-release sorts before its release (`1.0.0-rc.1 < 1.0.0`), pre-release identifiers
/// compare one by one (numeric ones by value and before alphanumeric ones, which compare by
/// their ASCII bytes; more identifiers win a tie), and build metadata is checked but ignored.
///
/// The grammar is semver.org's: numeric identifiers (major, minor, patch and numeric pre-release
/// identifiers) have no leading zeros (`01.1.1` and `1.2.3-0123` are not versions);
/// pre-release and build identifiers are non-empty runs of `[0-9A-Za-z-]`. Numbers of any
/// length compare correctly (by length, then digits): nothing is parsed into a fixed-width integer.
///
/// Two conveniences, as flagd (Go's `golang.org/x/mod/semver`) has them: a leading `v` or `V`,
/// and the shorthands `2` and `2.3` for `2.0.0` and `2.3.0` — without a pre-release or build
/// (`2.3-rc.1` is not a version).
///
/// Parsing and comparing allocate nothing: a version keeps its text and the byte offsets of
/// its parts (a rule parses the context's version on every evaluation).
public struct SemanticVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    private let text: String
    /// UTF-8 offsets into `text`; an empty range is a part the shorthand left out (`0`).
    private let majorRange: Range<Int>
    private let minorRange: Range<Int>
    private let patchRange: Range<Int>
    /// The pre-release identifiers' text, without the `-`; empty for a release.
    private let preReleaseRange: Range<Int>

    /// A pre-release identifier: numeric ones (digits) compare by value and sort before
    /// alphanumeric ones.
    public enum Identifier: Sendable, Hashable {
        case numeric(String)
        case text(String)
    }

    /// Parses `text`, or returns `nil` if it is not a version.
    public init?(_ text: String) {
        guard let parts = UTF8Bytes.with(text, Self.parse) else { return nil }
        self.text = text
        (majorRange, minorRange, patchRange, preReleaseRange) = parts
    }

    /// The version a context's number stands for, as flagd reads one: its decimal spelling
    /// parsed as a version, so `2` is `2.0.0` and `2.5` is `2.5.0`. Negative numbers, and
    /// numbers whose spelling needs an exponent (`1e+16`), are not versions.
    init?(number value: Value) {
        switch value {
        case .integer(let i):
            guard i >= 0 else { return nil }
            self.init(String(i))
        case .double(let d):
            guard d.isFinite, d >= 0, let text = value.comparableText else { return nil }
            self.init(text)
        default:
            return nil
        }
    }

    /// The major version's digits.
    public var major: String { digits(majorRange) }
    /// The minor version's digits (`0` when the shorthand left it out).
    public var minor: String { digits(minorRange) }
    /// The patch version's digits (`0` when the shorthand left it out).
    public var patch: String { digits(patchRange) }

    /// The dot-separated pre-release identifiers; empty for a release.
    public var preRelease: [Identifier] {
        guard !preReleaseRange.isEmpty else { return [] }
        return substring(preReleaseRange).split(separator: ".").map { part in
            part.utf8.allSatisfy(Self.isDigit) ? .numeric(String(part)) : .text(String(part))
        }
    }

    public var description: String {
        var s = "\(major).\(minor).\(patch)"
        if !preReleaseRange.isEmpty { s += "-" + substring(preReleaseRange) }
        return s
    }

    public static func < (lhs: SemanticVersion, rhs: SemanticVersion) -> Bool {
        compare(lhs, rhs) < 0
    }

    public static func == (lhs: SemanticVersion, rhs: SemanticVersion) -> Bool {
        compare(lhs, rhs) == 0
    }

    /// Hashes what precedence compares. Numeric identifiers have no leading zeros, so equal
    /// precedence means equal bytes; a part the shorthand left out hashes as `0`.
    public func hash(into hasher: inout Hasher) {
        UTF8Bytes.with(text) { bytes in
            func number(_ range: Range<Int>) {
                if range.isEmpty {
                    hasher.combine(UInt8(ascii: "0"))
                } else {
                    hasher.combine(bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[range])))
                }
                hasher.combine(UInt8(ascii: "."))
            }
            number(majorRange)
            number(minorRange)
            number(patchRange)
            hasher.combine(bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[preReleaseRange])))
        }
    }

    // MARK: Precedence

    /// Negative, zero or positive as `a` has lower, equal or higher precedence than `b`.
    private static func compare(_ a: SemanticVersion, _ b: SemanticVersion) -> Int {
        UTF8Bytes.with(a.text) { x in
            UTF8Bytes.with(b.text) { y in
                var order = comparePart(x, a.majorRange, y, b.majorRange)
                if order != 0 { return order }
                order = comparePart(x, a.minorRange, y, b.minorRange)
                if order != 0 { return order }
                order = comparePart(x, a.patchRange, y, b.patchRange)
                if order != 0 { return order }
                // A release has higher precedence than any of its pre-releases.
                switch (a.preReleaseRange.isEmpty, b.preReleaseRange.isEmpty) {
                case (true, true): return 0
                case (true, false): return 1
                case (false, true): return -1
                case (false, false):
                    return comparePreReleases(
                        UnsafeBufferPointer(rebasing: x[a.preReleaseRange]), UnsafeBufferPointer(rebasing: y[b.preReleaseRange]))
                }
            }
        }
    }

    /// Compares major, minor or patch parts; a part the shorthand left out is `0`, which is
    /// below every other number (none has a leading zero).
    @inline(__always)
    private static func comparePart(
        _ x: UnsafeBufferPointer<UInt8>, _ a: Range<Int>, _ y: UnsafeBufferPointer<UInt8>, _ b: Range<Int>
    ) -> Int {
        switch (a.isEmpty, b.isEmpty) {
        case (false, false): return compareNumbers(UnsafeBufferPointer(rebasing: x[a]), UnsafeBufferPointer(rebasing: y[b]))
        case (true, true): return 0
        case (true, false): return isZero(y, b) ? 0 : -1
        case (false, true): return isZero(x, a) ? 0 : 1
        }
    }

    @inline(__always)
    private static func isZero(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        range.count == 1 && bytes[range.lowerBound] == UInt8(ascii: "0")
    }

    /// Numbers without leading zeros: the longer is larger, and equal lengths compare by digits.
    private static func compareNumbers(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int {
        if a.count != b.count { return a.count - b.count }
        return compareBytes(a, b)
    }

    private static func compareBytes(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int {
        let count = min(a.count, b.count)
        var i = 0
        while i < count {
            if a[i] != b[i] { return Int(a[i]) - Int(b[i]) }
            i += 1
        }
        return a.count - b.count
    }

    /// semver.org §11.4: identifier by identifier; numeric below alphanumeric; a longer list
    /// wins when every identifier of the shorter one is equal.
    private static func comparePreReleases(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int {
        var i = 0, j = 0
        while i < a.count && j < b.count {
            let endA = a[i...].firstIndex(of: dot) ?? a.count
            let endB = b[j...].firstIndex(of: dot) ?? b.count
            let x = UnsafeBufferPointer(rebasing: a[i..<endA])
            let y = UnsafeBufferPointer(rebasing: b[j..<endB])
            let order: Int
            switch (x.allSatisfy(isDigit), y.allSatisfy(isDigit)) {
            case (true, true): order = compareNumbers(x, y)
            case (true, false): order = -1
            case (false, true): order = 1
            case (false, false): order = compareBytes(x, y)
            }
            if order != 0 { return order }
            i = endA + 1
            j = endB + 1
        }
        // Whichever has identifiers left over is the longer list.
        return (i < a.count ? 1 : 0) - (j < b.count ? 1 : 0)
    }

    // MARK: Parsing

    private typealias Parts = (major: Range<Int>, minor: Range<Int>, patch: Range<Int>, preRelease: Range<Int>)

    private static func parse(_ b: UnsafeBufferPointer<UInt8>) -> Parts? {
        var i = 0
        if i < b.count, b[i] == UInt8(ascii: "v") || b[i] == UInt8(ascii: "V") { i += 1 }
        let missing = i..<i
        var ranges = (major: missing, minor: missing, patch: missing)
        var count = 0
        while true {
            let start = i
            while i < b.count, isDigit(b[i]) { i += 1 }
            let range = start..<i
            guard isNumber(b, range) else { return nil }
            switch count {
            case 0: ranges.major = range
            case 1: ranges.minor = range
            default: ranges.patch = range
            }
            count += 1
            guard count < 3, i < b.count, b[i] == dot else { break }
            i += 1
        }
        let none = i..<i
        if i == b.count { return (ranges.major, ranges.minor, ranges.patch, none) }
        // A pre-release or build only follows a full MAJOR.MINOR.PATCH.
        guard count == 3 else { return nil }
        var preRelease = none
        if b[i] == UInt8(ascii: "-") {
            let start = i + 1
            i = start
            while i < b.count, b[i] != UInt8(ascii: "+") { i += 1 }
            preRelease = start..<i
            guard identifiers(b, preRelease, numeric: true) else { return nil }
        }
        if i < b.count {
            guard b[i] == UInt8(ascii: "+"), identifiers(b, (i + 1)..<b.count, numeric: false) else { return nil }
        }
        return (ranges.major, ranges.minor, ranges.patch, preRelease)
    }

    /// Whether `range` holds dot-separated identifiers of `[0-9A-Za-z-]`, none empty; with
    /// `numeric`, all-digit identifiers must also have no leading zero (pre-release rules;
    /// build metadata allows them).
    private static func identifiers(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, numeric: Bool) -> Bool {
        var start = range.lowerBound
        var i = start
        while true {
            if i == range.upperBound || b[i] == dot {
                let identifier = start..<i
                if identifier.isEmpty { return false }
                if numeric, b[identifier].allSatisfy(isDigit), !isNumber(b, identifier) { return false }
                if i == range.upperBound { return true }
                start = i + 1
            } else if !isIdentifierByte(b[i]) {
                return false
            }
            i += 1
        }
    }

    /// Whether `range` is a numeric identifier: digits, and no leading zero unless it is `0`.
    private static func isNumber(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        guard !range.isEmpty, b[range].allSatisfy(isDigit) else { return false }
        return range.count == 1 || b[range.lowerBound] != UInt8(ascii: "0")
    }

    @inline(__always)
    private static func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }

    @inline(__always)
    private static func isIdentifierByte(_ c: UInt8) -> Bool {
        isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == UInt8(ascii: "-")
    }

    private static var dot: UInt8 { UInt8(ascii: ".") }

    private func digits(_ range: Range<Int>) -> String {
        range.isEmpty ? "0" : substring(range)
    }

    private func substring(_ range: Range<Int>) -> String {
        UTF8Bytes.with(text) { String(decoding: UnsafeBufferPointer(rebasing: $0[range]), as: UTF8.self) }
    }
}
