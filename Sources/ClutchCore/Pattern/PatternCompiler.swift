/// Turns a ``PatternNode`` into a ``PatternProgram``, refusing programs over
/// ``PatternLimits/maxProgramSize`` instructions before emitting anything, so
/// `(a{1000}){1000}` costs a size computation, not a million instructions.
struct PatternCompiler {
    private var instructions: [PatternInstruction] = []
    private var classes: [PatternClass] = []
    private var foldsCase = false

    /// Parses and compiles `source`.
    static func compile(_ source: String) throws(PatternError) -> PatternProgram {
        try compile(PatternParser.parse(source))
    }

    static func compile(_ node: PatternNode) throws(PatternError) -> PatternProgram {
        let limit = PatternLimits.maxProgramSize
        // +1 for the final `match`.
        let size = Self.size(of: node, limit: limit) + 1
        if size > limit {
            throw PatternError("pattern is too large: it compiles to more than \(limit) instructions", at: 0)
        }
        var compiler = PatternCompiler()
        compiler.instructions.reserveCapacity(size)
        compiler.emit(node)
        compiler.instructions.append(PatternInstruction(.match))
        // `size(of:)` must mirror `emit`, or the limit would not bound what is built.
        assert(compiler.instructions.count == size, "size(of:) disagrees with emit")
        return PatternProgram(
            instructions: compiler.instructions, classes: compiler.classes,
            anchoredAtStart: Self.isAnchoredAtStart(node), foldsCase: compiler.foldsCase)
    }

    /// Instructions `emit` produces for `node`, saturating just above `limit` so huge
    /// counts never overflow. Must mirror `emit` exactly.
    static func size(of node: PatternNode, limit: Int) -> Int {
        let cap = limit + 1
        func add(_ a: Int, _ b: Int) -> Int { min(a + b, cap) }
        func multiply(_ a: Int, _ b: Int) -> Int {
            let (product, overflow) = a.multipliedReportingOverflow(by: b)
            return overflow ? cap : min(product, cap)
        }
        switch node {
        case .empty:
            return 0
        case .literal, .any, .set, .assertion:
            return 1
        case .concat(let items):
            return items.reduce(0) { add($0, size(of: $1, limit: limit)) }
        case .alternate(let branches):
            let bodies = branches.reduce(0) { add($0, size(of: $1, limit: limit)) }
            return add(bodies, multiply(2, branches.count - 1))  // a split and a jump per extra branch
        case .repetition(let body, let min, let max):
            let one = size(of: body, limit: limit)
            guard let max else {
                // x* = split, x, jump; x{n,} = (n-1) copies, then x and a split.
                return min == 0 ? add(one, 2) : add(multiply(min, one), 1)
            }
            // n copies, then each optional copy behind a split.
            return add(multiply(min, one), multiply(max - min, add(one, 1)))
        }
    }

    private static func isAnchoredAtStart(_ node: PatternNode) -> Bool {
        switch node {
        case .assertion(.beginText): return true
        case .concat(let items): return items.first.map(isAnchoredAtStart) ?? false
        case .alternate(let branches): return branches.allSatisfy(isAnchoredAtStart)
        default: return false
        }
    }

    // MARK: Emission

    private var here: UInt32 { UInt32(instructions.count) }

    @discardableResult
    private mutating func append(_ instruction: PatternInstruction) -> Int {
        instructions.append(instruction)
        return instructions.count - 1
    }

    private mutating func emit(_ node: PatternNode) {
        switch node {
        case .empty:
            break
        case .literal(let scalar):
            append(PatternInstruction(.scalar, scalar.value))
        case .any(let matchesNewline):
            append(PatternInstruction(matchesNewline ? .any : .anyButNewline))
        case .set(let set):
            classes.append(set)
            foldsCase = foldsCase || set.foldsCase
            append(PatternInstruction(.set, UInt32(classes.count - 1)))
        case .assertion(let assertion):
            append(PatternInstruction(.assert, UInt32(assertion.rawValue)))
        case .concat(let items):
            for item in items { emit(item) }
        case .alternate(let branches):
            // split L1, L2; L1: first; jump end; L2: split …; last; end:
            var jumps: [Int] = []
            for (index, branch) in branches.enumerated() {
                if index == branches.count - 1 {
                    emit(branch)
                } else {
                    let split = append(PatternInstruction(.split, here + 1))
                    emit(branch)
                    jumps.append(append(PatternInstruction(.jump)))
                    instructions[split].b = here
                }
            }
            for jump in jumps { instructions[jump].a = here }
        case .repetition(let body, let min, let max):
            emitRepetition(body, min: min, max: max)
        }
    }

    private mutating func emitRepetition(_ body: PatternNode, min: Int, max: Int?) {
        guard let max else {
            if min == 0 {
                // loop: split body, end; body; jump loop; end:
                let loop = append(PatternInstruction(.split, here + 1))
                emit(body)
                append(PatternInstruction(.jump, UInt32(loop)))
                instructions[loop].b = here
            } else {
                for _ in 0..<(min - 1) { emit(body) }
                // loop: body; split loop, end
                let loop = here
                emit(body)
                append(PatternInstruction(.split, loop, here + 1))
            }
            return
        }
        for _ in 0..<min { emit(body) }
        // Each optional copy may be skipped straight to the end: x{2,4} = xx(x(x)?)?.
        var skips: [Int] = []
        for _ in 0..<(max - min) {
            skips.append(append(PatternInstruction(.split, here + 1)))
            emit(body)
        }
        for skip in skips { instructions[skip].b = here }
    }
}
