/// A semantic version (semver.org 2.0) compared by precedence: `2.3.0 < 2.10.0`, and a
/// pre-release sorts before its release (`1.0.0-rc.1 < 1.0.0`). Build metadata is ignored.
/// A leading `v` and missing minor or patch parts (`v2`, `2.3`) are accepted, as people write them.
public struct SemanticVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var major: UInt64
    public var minor: UInt64
    public var patch: UInt64
    /// Dot-separated pre-release identifiers; empty for a release.
    public var preRelease: [Identifier]

    /// A pre-release identifier: numeric ones compare numerically and sort before text ones.
    public enum Identifier: Sendable, Hashable, Comparable {
        case numeric(UInt64)
        case text(String)

        public static func < (lhs: Identifier, rhs: Identifier) -> Bool {
            switch (lhs, rhs) {
            case (.numeric(let a), .numeric(let b)): return a < b
            case (.numeric, .text): return true
            case (.text, .numeric): return false
            case (.text(let a), .text(let b)): return a.utf8.lexicographicallyPrecedes(b.utf8)
            }
        }
    }

    /// Parses `text`, or returns `nil` if it is not a version.
    public init?(_ text: String) {
        var s = Substring(text)
        if s.first == "v" || s.first == "V" { s = s.dropFirst() }
        if let plus = s.firstIndex(of: "+") { s = s[..<plus] }
        var pre: Substring?
        if let dash = s.firstIndex(of: "-") {
            pre = s[s.index(after: dash)...]
            s = s[..<dash]
        }
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...3).contains(parts.count) else { return nil }
        var numbers: [UInt64] = []
        for part in parts {
            guard let n = SemanticVersion.number(part) else { return nil }
            numbers.append(n)
        }
        while numbers.count < 3 { numbers.append(0) }
        major = numbers[0]
        minor = numbers[1]
        patch = numbers[2]
        preRelease = []
        if let pre {
            for part in pre.split(separator: ".", omittingEmptySubsequences: false) {
                guard !part.isEmpty, part.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
                    return nil
                }
                if let n = SemanticVersion.number(part) {
                    preRelease.append(.numeric(n))
                } else {
                    preRelease.append(.text(String(part)))
                }
            }
        }
    }

    private static func number(_ part: Substring) -> UInt64? {
        guard !part.isEmpty, part.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        return UInt64(part)
    }

    public static func < (lhs: SemanticVersion, rhs: SemanticVersion) -> Bool {
        if lhs.major != rhs.major { return lhs.major < rhs.major }
        if lhs.minor != rhs.minor { return lhs.minor < rhs.minor }
        if lhs.patch != rhs.patch { return lhs.patch < rhs.patch }
        switch (lhs.preRelease.isEmpty, rhs.preRelease.isEmpty) {
        case (true, true), (true, false): return false
        case (false, true): return true
        case (false, false): return lhs.preRelease.lexicographicallyPrecedes(rhs.preRelease)
        }
    }

    public var description: String {
        var s = "\(major).\(minor).\(patch)"
        if !preRelease.isEmpty {
            s += "-" + preRelease.map {
                switch $0 {
                case .numeric(let n): return String(n)
                case .text(let t): return t
                }
            }.joined(separator: ".")
        }
        return s
    }
}
