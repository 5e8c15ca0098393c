/// Why a pattern was refused at compile time: a message naming the construct and the
/// offset, in Unicode scalars from the start of the source, where it begins.
///
/// Refusals are how the engine keeps its linear-time promise: constructs that need
/// backtracking (backreferences, lookaround, atomic groups) and patterns whose compiled
/// program would be large are rejected when a flag is written, never at evaluation.
public struct PatternError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, e.g. `lookahead '(?=' is not supported`.
    public let message: String
    /// Offset of the offending construct in Unicode scalars (0-based).
    public let offset: Int

    public init(_ message: String, at offset: Int) {
        self.message = message
        self.offset = offset
    }

    public var description: String { "\(message) at offset \(offset)" }
}
