/// A set of scalar values as sorted, disjoint, non-adjacent closed ranges.
struct ScalarRanges: Sendable, Equatable {
    private(set) var ranges: [ClosedRange<UInt32>] = []

    static let maxScalar: UInt32 = 0x10FFFF

    init() {}

    init(_ ranges: [ClosedRange<UInt32>]) {
        self.ranges = ranges
        normalize()
    }

    mutating func insert(_ range: ClosedRange<UInt32>) {
        ranges.append(range)
        normalize()
    }

    mutating func formUnion(_ other: ScalarRanges) {
        ranges.append(contentsOf: other.ranges)
        normalize()
    }

    /// Every scalar value not in the set.
    func complemented() -> ScalarRanges {
        var result: [ClosedRange<UInt32>] = []
        var next: UInt32 = 0
        for range in ranges {
            if range.lowerBound > next { result.append(next...(range.lowerBound - 1)) }
            if range.upperBound >= Self.maxScalar { return ScalarRanges(result) }
            next = range.upperBound + 1
        }
        result.append(next...Self.maxScalar)
        return ScalarRanges(result)
    }

    private mutating func normalize() {
        ranges.sort { $0.lowerBound < $1.lowerBound }
        var merged: [ClosedRange<UInt32>] = []
        merged.reserveCapacity(ranges.count)
        for range in ranges {
            if let last = merged.last, range.lowerBound <= last.upperBound &+ 1 {
                merged[merged.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
            } else {
                merged.append(range)
            }
        }
        ranges = merged
    }
}

/// A compiled character class: which scalars one instruction accepts.
///
/// ASCII membership is a 128-bit bitmap; the rest is a binary search over ranges.
/// Negation and case-insensitivity are applied at match time, in RE2's order: the
/// class is case-folded first, then negated, so `(?i)[^a]` refuses both `a` and `A`.
struct PatternClass: Sendable, Equatable {
    private let asciiLow: UInt64
    private let asciiHigh: UInt64
    /// Non-ASCII ranges, flattened as `[lower0, upper0, lower1, upper1, …]`.
    private let wide: [UInt32]
    let negated: Bool
    /// Also accept a scalar whose simple lowercase or uppercase mapping is in the set.
    let foldsCase: Bool

    init(_ set: ScalarRanges, negated: Bool = false, foldsCase: Bool = false) {
        var low: UInt64 = 0
        var high: UInt64 = 0
        var wide: [UInt32] = []
        for range in set.ranges {
            var scalar = range.lowerBound
            while scalar <= range.upperBound && scalar < 128 {
                if scalar < 64 { low |= 1 << UInt64(scalar) } else { high |= 1 << UInt64(scalar - 64) }
                scalar += 1
            }
            if range.upperBound >= 128 {
                wide.append(max(range.lowerBound, 128))
                wide.append(range.upperBound)
            }
        }
        self.asciiLow = low
        self.asciiHigh = high
        self.wide = wide
        self.negated = negated
        self.foldsCase = foldsCase
    }

    /// Whether `value` is in the set as written (before folding and negation).
    @inline(__always)
    func containsExactly(_ value: UInt32) -> Bool {
        if value < 64 { return asciiLow >> UInt64(value) & 1 != 0 }
        if value < 128 { return asciiHigh >> UInt64(value - 64) & 1 != 0 }
        // Binary search for the last range starting at or below `value`.
        var lo = 0
        var hi = wide.count / 2
        while lo < hi {
            let mid = (lo + hi) / 2
            if wide[2 * mid] <= value { lo = mid + 1 } else { hi = mid }
        }
        return lo > 0 && value <= wide[2 * (lo - 1) + 1]
    }

    /// Whether the class accepts `value`, whose case variants are `folded`.
    @inline(__always)
    func accepts(_ value: UInt32, folded: CaseVariants) -> Bool {
        var hit = containsExactly(value)
        if !hit && foldsCase {
            hit = containsExactly(folded.lower) || containsExactly(folded.upper)
        }
        return hit != negated
    }
}

/// A scalar's simple lowercase and uppercase mappings (itself where the mapping is not
/// a single scalar). Case-insensitive matching accepts a scalar when it, or one of these,
/// is in the pattern's set.
struct CaseVariants: Sendable {
    let lower: UInt32
    let upper: UInt32

    static let none = CaseVariants(lower: UInt32.max, upper: UInt32.max)

    init(lower: UInt32, upper: UInt32) {
        self.lower = lower
        self.upper = upper
    }

    init(of value: UInt32) {
        if value < 128 {
            // ASCII by arithmetic: the common case costs no table lookup.
            let isUpper = value >= 65 && value <= 90
            let isLower = value >= 97 && value <= 122
            self.lower = isUpper ? value + 32 : value
            self.upper = isLower ? value - 32 : value
            return
        }
        guard let scalar = Unicode.Scalar(value) else {
            self = .none
            return
        }
        self.lower = Self.single(scalar.properties.lowercaseMapping) ?? value
        self.upper = Self.single(scalar.properties.uppercaseMapping) ?? value
    }

    /// The mapping's scalar when it is exactly one (simple case mapping only).
    private static func single(_ mapping: String) -> UInt32? {
        var iterator = mapping.unicodeScalars.makeIterator()
        guard let first = iterator.next(), iterator.next() == nil else { return nil }
        return first.value
    }
}
