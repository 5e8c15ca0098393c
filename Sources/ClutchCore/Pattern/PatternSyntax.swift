/// The parsed form of a pattern. Groups leave no node of their own: only whether the
/// pattern matches is ever asked, so captures are irrelevant and a group is just the
/// node it encloses.
indirect enum PatternNode: Sendable, Equatable {
    /// Matches the empty string (an empty branch or group, or `x{0}`).
    case empty
    /// One scalar, compared exactly.
    case literal(Unicode.Scalar)
    /// `.`: any scalar, or any but `\n` unless `(?s)` is on.
    case any(matchesNewline: Bool)
    /// A character class, a class escape such as `\d`, or a case-insensitive literal.
    case set(PatternClass)
    /// A zero-width test: `^ $ \A \z \b \B`.
    case assertion(PatternAssertion)
    case concat([PatternNode])
    case alternate([PatternNode])
    /// `body{min,max}`; `max == nil` means unbounded. Lazy forms parse to the same node:
    /// for a yes/no answer greediness makes no difference.
    case repetition(PatternNode, min: Int, max: Int?)
}

/// Zero-width tests, evaluated between the previous and the next scalar.
enum PatternAssertion: UInt8, Sendable, Equatable {
    /// `^` (without `(?m)`) and `\A`: the start of the input.
    case beginText
    /// `$` (without `(?m)`) and `\z`: the very end of the input, as in RE2.
    case endText
    /// `^` under `(?m)`: the start of the input or just after `\n`.
    case beginLine
    /// `$` under `(?m)`: the end of the input or just before `\n`.
    case endLine
    /// `\b`: between an ASCII word character and a non-word character (or an edge).
    case wordBoundary
    /// `\B`: anywhere `\b` does not hold.
    case notWordBoundary
}

/// The flags a group can set: `(?i)`, `(?m)`, `(?s)` and their `(?-…)` negations.
struct PatternFlags: Sendable, Equatable {
    var caseInsensitive = false
    var multiLine = false
    var dotMatchesNewline = false
}
