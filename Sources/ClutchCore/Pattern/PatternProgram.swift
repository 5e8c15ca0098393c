/// One instruction of a compiled pattern: a Thompson NFA laid out as a program.
/// Consuming instructions (`scalar`, `set`, `any`, `anyButNewline`) read one input
/// scalar; the others move between states without consuming input.
struct PatternInstruction: Sendable, Equatable {
    enum Opcode: UInt8, Sendable {
        /// Consume the scalar whose value is `a`.
        case scalar
        /// Consume a scalar accepted by `classes[a]`.
        case set
        /// Consume any scalar.
        case any
        /// Consume any scalar except `\n`.
        case anyButNewline
        /// Continue at both `a` and `b`.
        case split
        /// Continue at `a`.
        case jump
        /// Continue at the next instruction if `PatternAssertion(rawValue: a)` holds here.
        case assert
        /// The pattern has matched.
        case match
    }

    var opcode: Opcode
    var a: UInt32
    var b: UInt32

    init(_ opcode: Opcode, _ a: UInt32 = 0, _ b: UInt32 = 0) {
        self.opcode = opcode
        self.a = a
        self.b = b
    }
}

/// A compiled pattern: instructions (at most ``PatternLimits/maxProgramSize``) plus the
/// classes they refer to. Immutable, so freely shared between concurrent evaluations.
struct PatternProgram: Sendable {
    let instructions: [PatternInstruction]
    let classes: [PatternClass]
    /// Every match must start at the beginning of the input (the pattern begins with
    /// `^` or `\A`), so no new thread is started after the first position.
    let anchoredAtStart: Bool
    /// Some class folds case, so each input scalar's case variants are needed.
    let foldsCase: Bool
    /// The scalar every match starts with, when the program starts by consuming one
    /// literal: a search with no live thread skips ahead to it without simulating.
    var firstScalar: UInt32? {
        guard let first = instructions.first, first.opcode == .scalar else { return nil }
        return first.a
    }

    /// Instruction count: the per-character bound on matching work.
    var size: Int { instructions.count }
}
