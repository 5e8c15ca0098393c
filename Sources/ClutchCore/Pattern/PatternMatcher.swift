/// Matching by Pike VM: the NFA is simulated with one thread per instruction, every
/// thread advancing in lockstep over the input, so the work is at most
/// `(input scalars + 1) × program size` whatever the pattern — no backtracking.
///
/// Input is read as Unicode scalars (`String.unicodeScalars`): `.` and classes consume
/// one scalar, so a multi-byte UTF-8 character is one character. Only whether there is
/// a match anywhere (a search, like `firstMatch`) is computed, which lets the first
/// thread that reaches `match` end the run.
extension PatternProgram {
    /// Whether the pattern matches anywhere in `text` (or from the start, if anchored).
    func matches(_ text: String) -> Bool {
        run(text).matched
    }

    /// For tests: how many (position, instruction) pairs the simulation visited on `text`.
    /// Never more than `(text.unicodeScalars.count + 1) * size`.
    func matchSteps(_ text: String) -> Int {
        run(text).steps
    }

    /// The simulation. All state lives in one temporary buffer sized from the program
    /// (allocated once per call, never per character):
    /// - `seen[pc]`: the generation in which `pc` was last added, so adding is O(1) and
    ///   each instruction runs at most once per position;
    /// - `current` / `next`: the threads (instructions waiting to consume) at this
    ///   position and the next;
    /// - `stack`: the explicit stack for the epsilon closure (no recursion).
    private func run(_ text: String) -> (matched: Bool, steps: Int) {
        let count = instructions.count
        // seen: count, current: count, next: count, stack: 2 × count + 2 (each
        // instruction is expanded at most once per closure and pushes at most two).
        return withUnsafeTemporaryAllocation(of: Int32.self, capacity: 5 * count + 2) { buffer in
            guard let base = buffer.baseAddress else { return (false, 0) }
            base.initialize(repeating: 0, count: 5 * count + 2)
            return instructions.withUnsafeBufferPointer { program in
                var state = Simulation(
                    program: program, classes: classes, seen: base, stack: base + 3 * count)
                return state.run(
                    text, current: base + count, next: base + 2 * count,
                    anchored: anchoredAtStart, foldsCase: foldsCase, firstScalar: firstScalar)
            }
        }
    }
}

/// The mutable state of one match run, over memory owned by `PatternProgram.run`.
private struct Simulation {
    let program: UnsafeBufferPointer<PatternInstruction>
    let classes: [PatternClass]
    let seen: UnsafeMutablePointer<Int32>
    let stack: UnsafeMutablePointer<Int32>
    /// Marks in `seen` for the list being filled; bumped for every position.
    var generation: Int32 = 0
    var steps = 0

    /// No scalar: before the start or past the end of the input.
    static let edge = UInt32.max

    init(program: UnsafeBufferPointer<PatternInstruction>, classes: [PatternClass],
         seen: UnsafeMutablePointer<Int32>, stack: UnsafeMutablePointer<Int32>) {
        self.program = program
        self.classes = classes
        self.seen = seen
        self.stack = stack
    }

    mutating func run(
        _ text: String, current: UnsafeMutablePointer<Int32>, next: UnsafeMutablePointer<Int32>,
        anchored: Bool, foldsCase: Bool, firstScalar: UInt32?
    ) -> (matched: Bool, steps: Int) {
        var current = current
        var next = next
        var currentCount = 0
        var scalars = text.unicodeScalars.makeIterator()
        var previous = Self.edge
        var scalar = scalars.next().map(\.value) ?? Self.edge
        var atStart = true

        newGeneration()
        while true {
            if currentCount == 0 && !anchored, let firstScalar {
                // No live thread, and a new one could only advance on `firstScalar`:
                // skip the positions where it would die at once.
                while scalar != firstScalar && scalar != Self.edge {
                    previous = scalar
                    scalar = scalars.next().map(\.value) ?? Self.edge
                }
            }
            // A new thread at every position for a search; only at 0 when anchored.
            if atStart || !anchored {
                if add(0, to: current, count: &currentCount, previous: previous, next: scalar) {
                    return (true, steps)
                }
            }
            atStart = false
            if scalar == Self.edge || (currentCount == 0 && anchored) { return (false, steps) }

            let following = scalars.next().map(\.value) ?? Self.edge
            let folded = foldsCase ? CaseVariants(of: scalar) : CaseVariants.none
            newGeneration()
            var nextCount = 0
            for index in 0..<currentCount {
                let pc = Int(current[index])
                let instruction = program[pc]
                let accepted: Bool
                switch instruction.opcode {
                case .scalar: accepted = instruction.a == scalar
                case .set: accepted = classes[Int(instruction.a)].accepts(scalar, folded: folded)
                case .any: accepted = true
                case .anyButNewline: accepted = scalar != 10
                case .split, .jump, .assert, .match: accepted = false  // never on a list
                }
                if accepted && add(pc + 1, to: next, count: &nextCount, previous: scalar, next: following) {
                    return (true, steps)
                }
            }
            swap(&current, &next)
            currentCount = nextCount
            previous = scalar
            scalar = following
        }
    }

    private mutating func newGeneration() {
        if generation == Int32.max {
            // After 2³¹ positions: forget every mark and start counting again.
            for pc in 0..<program.count { seen[pc] = 0 }
            generation = 0
        }
        generation += 1
    }

    /// Adds `start` and everything reachable from it without consuming input (the
    /// epsilon closure) to `list`, using the explicit stack. `previous` and `next` are
    /// the scalars around this position, for assertions. Returns true on reaching `match`.
    private mutating func add(
        _ start: Int, to list: UnsafeMutablePointer<Int32>, count: inout Int,
        previous: UInt32, next: UInt32
    ) -> Bool {
        var depth = 0
        stack[0] = Int32(start)
        depth = 1
        while depth > 0 {
            depth -= 1
            let pc = Int(stack[depth])
            if seen[pc] == generation { continue }
            seen[pc] = generation
            steps += 1
            let instruction = program[pc]
            switch instruction.opcode {
            case .jump:
                stack[depth] = Int32(instruction.a)
                depth += 1
            case .split:
                // Order is irrelevant: only whether some thread matches is asked.
                stack[depth] = Int32(instruction.b)
                stack[depth + 1] = Int32(instruction.a)
                depth += 2
            case .assert:
                if let assertion = PatternAssertion(rawValue: UInt8(truncatingIfNeeded: instruction.a)),
                   Self.holds(assertion, previous: previous, next: next) {
                    stack[depth] = Int32(pc + 1)
                    depth += 1
                }
            case .match:
                return true
            case .scalar, .set, .any, .anyButNewline:
                list[count] = Int32(pc)
                count += 1
            }
        }
        return false
    }

    @inline(__always)
    private static func holds(_ assertion: PatternAssertion, previous: UInt32, next: UInt32) -> Bool {
        switch assertion {
        case .beginText: return previous == edge
        case .endText: return next == edge
        case .beginLine: return previous == edge || previous == 10
        case .endLine: return next == edge || next == 10
        case .wordBoundary: return isWord(previous) != isWord(next)
        case .notWordBoundary: return isWord(previous) == isWord(next)
        }
    }

    @inline(__always)
    private static func isWord(_ value: UInt32) -> Bool {
        value != edge && PatternNamedClasses.isWord(value)
    }
}
