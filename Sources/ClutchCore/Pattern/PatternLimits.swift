/// The documented bounds on a pattern (see docs/patterns.md). Together they bound
/// compile time, the memory a compiled pattern holds and the per-character cost of
/// matching, whatever a flag author writes.
public enum PatternLimits {
    /// Longest accepted pattern source, in Unicode scalars.
    public static let maxSourceLength = 1_000
    /// Largest count accepted in `{n}`, `{n,}` and `{n,m}`.
    public static let maxRepeatCount = 1_000
    /// Most instructions a compiled program may hold; matching costs at most this many
    /// steps per input character.
    public static let maxProgramSize = 10_000
    /// Deepest accepted nesting of groups. The compiler walks the syntax tree
    /// recursively, so this bounds its stack use on any thread.
    public static let maxNesting = 100
}
