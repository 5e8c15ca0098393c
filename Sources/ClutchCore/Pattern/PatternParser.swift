/// Parses pattern source (the RE2 subset in docs/patterns.md) into a ``PatternNode``.
///
/// The parser is iterative: open groups live on an explicit stack, so nesting costs
/// heap, not call depth. Everything that would need backtracking to match is refused
/// here with a ``PatternError`` naming the construct and its offset.
struct PatternParser {
    /// One open group (the bottom frame is the whole pattern).
    private struct Frame {
        /// Finished alternatives, left of each `|` so far.
        var branches: [PatternNode] = []
        /// The current alternative's items.
        var items: [PatternNode] = []
        var flags: PatternFlags
        /// Offset of the `(` that opened the group, for "missing ')'".
        let openedAt: Int
        /// Whether the last item was made by a repetition operator, to refuse `a**`.
        var lastIsRepetition = false

        init(flags: PatternFlags, openedAt: Int) {
            self.flags = flags
            self.openedAt = openedAt
        }

        func node() -> PatternNode {
            let current = Frame.concat(items)
            return branches.isEmpty ? current : .alternate(branches + [current])
        }

        static func concat(_ items: [PatternNode]) -> PatternNode {
            items.isEmpty ? .empty : items.count == 1 ? items[0] : .concat(items)
        }
    }

    let scalars: [Unicode.Scalar]
    /// Offset of the next scalar to read.
    var position = 0
    private var frames: [Frame]

    private init(_ scalars: [Unicode.Scalar]) {
        self.scalars = scalars
        self.frames = [Frame(flags: PatternFlags(), openedAt: 0)]
    }

    /// Parses `source`, or throws the first problem found.
    static func parse(_ source: String) throws(PatternError) -> PatternNode {
        let scalars = Array(source.unicodeScalars)
        if scalars.count > PatternLimits.maxSourceLength {
            throw PatternError(
                "pattern is \(scalars.count) characters long; the limit is \(PatternLimits.maxSourceLength)",
                at: PatternLimits.maxSourceLength)
        }
        var parser = PatternParser(scalars)
        return try parser.run()
    }

    // MARK: Structure

    private mutating func run() throws(PatternError) -> PatternNode {
        while let scalar = peek() {
            let start = position
            switch scalar {
            case "(": try openGroup()
            case ")": try closeGroup()
            case "|":
                position += 1
                frames[frames.count - 1].branches.append(Frame.concat(frames[frames.count - 1].items))
                frames[frames.count - 1].items = []
                frames[frames.count - 1].lastIsRepetition = false
            case "*": position += 1; try repeatLast(min: 0, max: nil, operatorAt: start)
            case "+": position += 1; try repeatLast(min: 1, max: nil, operatorAt: start)
            case "?": position += 1; try repeatLast(min: 0, max: 1, operatorAt: start)
            case "{":
                if let (min, max) = try interval() {
                    try repeatLast(min: min, max: max, operatorAt: start)
                } else {
                    // Not `{n}`, `{n,}` or `{n,m}`: a literal brace, as in RE2.
                    position += 1
                    append(literal(scalar))
                }
            case "[": append(try characterClass())
            case ".":
                position += 1
                append(.any(matchesNewline: flags.dotMatchesNewline))
            case "^":
                position += 1
                append(.assertion(flags.multiLine ? .beginLine : .beginText))
            case "$":
                position += 1
                append(.assertion(flags.multiLine ? .endLine : .endText))
            case "\\": append(try escape())
            default:
                position += 1
                append(literal(scalar))
            }
        }
        if frames.count > 1 {
            throw PatternError("missing ')' for the group opened here", at: frames[frames.count - 1].openedAt)
        }
        return frames[0].node()
    }

    /// The flags in force in the innermost open group.
    var flags: PatternFlags { frames[frames.count - 1].flags }

    private mutating func append(_ node: PatternNode) {
        frames[frames.count - 1].items.append(node)
        frames[frames.count - 1].lastIsRepetition = false
    }

    /// A literal, as a case-folding class under `(?i)`.
    func literal(_ scalar: Unicode.Scalar) -> PatternNode {
        guard flags.caseInsensitive else { return .literal(scalar) }
        let variants = CaseVariants(of: scalar.value)
        if variants.lower == scalar.value && variants.upper == scalar.value {
            return .literal(scalar)  // caseless: no need for a class
        }
        return .set(PatternClass(ScalarRanges([scalar.value...scalar.value]), foldsCase: true))
    }

    private mutating func openGroup() throws(PatternError) {
        let start = position
        position += 1
        var groupFlags = flags
        if peek() == "?" {
            position += 1
            switch peek() {
            case ":":
                position += 1
            case "=": throw PatternError("lookahead '(?=' is not supported", at: start)
            case "!": throw PatternError("negative lookahead '(?!' is not supported", at: start)
            case ">": throw PatternError("atomic group '(?>' is not supported", at: start)
            case "P":
                position += 1
                if peek() == "=" { throw PatternError("backreference '(?P=' is not supported", at: start) }
                guard peek() == "<" else { throw PatternError("unknown group syntax '(?P'", at: start) }
                try groupName(groupAt: start)
            case "<":
                if peek(1) == "=" { throw PatternError("lookbehind '(?<=' is not supported", at: start) }
                if peek(1) == "!" { throw PatternError("negative lookbehind '(?<!' is not supported", at: start) }
                try groupName(groupAt: start)
            default:
                // Flags: `(?i)` changes the current group from here on; `(?i:…)` opens a group.
                var negate = false
                var sawFlag = false
                while true {
                    guard let c = peek() else { throw PatternError("missing ')' for the group opened here", at: start) }
                    position += 1
                    switch c {
                    case "i": groupFlags.caseInsensitive = !negate; sawFlag = true
                    case "m": groupFlags.multiLine = !negate; sawFlag = true
                    case "s": groupFlags.dotMatchesNewline = !negate; sawFlag = true
                    case "-" where !negate: negate = true
                    case ")" where sawFlag:
                        frames[frames.count - 1].flags = groupFlags
                        return
                    case ":" where sawFlag:
                        try push(Frame(flags: groupFlags, openedAt: start))
                        return
                    default:
                        throw PatternError("unknown group flag or syntax '\(c)' in '(?'", at: position - 1)
                    }
                }
            }
        }
        try push(Frame(flags: groupFlags, openedAt: start))
    }

    private mutating func push(_ frame: Frame) throws(PatternError) {
        if frames.count > PatternLimits.maxNesting {
            throw PatternError("groups are nested more than \(PatternLimits.maxNesting) deep", at: frame.openedAt)
        }
        frames.append(frame)
    }

    /// Skips `<name>` of a named group; the name must be word characters.
    private mutating func groupName(groupAt start: Int) throws(PatternError) {
        position += 1  // "<"
        let nameStart = position
        while let c = peek(), c != ">" {
            guard PatternNamedClasses.isWord(c.value) else {
                throw PatternError("invalid character '\(c)' in group name", at: position)
            }
            position += 1
        }
        guard peek() == ">" else { throw PatternError("missing '>' after group name", at: start) }
        guard position > nameStart else { throw PatternError("empty group name", at: start) }
        position += 1
    }

    private mutating func closeGroup() throws(PatternError) {
        guard frames.count > 1 else { throw PatternError("unmatched ')'", at: position) }
        position += 1
        let node = frames.removeLast().node()
        append(node)
    }

    // MARK: Repetition

    private mutating func repeatLast(min: Int, max: Int?, operatorAt start: Int) throws(PatternError) {
        let spelling = String(String.UnicodeScalarView(scalars[start..<position]))
        let top = frames.count - 1
        // Read through `frames` rather than a copy of the frame, so that replacing the
        // last item below does not copy the item array.
        guard let body = frames[top].items.last else {
            throw PatternError("missing argument to repetition operator '\(spelling)'", at: start)
        }
        if frames[top].lastIsRepetition {
            throw PatternError("repetition operator '\(spelling)' cannot follow another repetition", at: start)
        }
        if peek() == "+" {
            throw PatternError("possessive quantifier '\(spelling)+' is not supported", at: start)
        }
        if peek() == "?" { position += 1 }  // lazy: same yes/no answer as greedy
        frames[top].items[frames[top].items.count - 1] = .repetition(body, min: min, max: max)
        frames[top].lastIsRepetition = true
    }

    /// Parses `{n}`, `{n,}` or `{n,m}` at the current `{`. Returns nil, consuming
    /// nothing, when the text there is not one of those forms (then `{` is literal).
    private mutating func interval() throws(PatternError) -> (Int, Int?)? {
        let start = position
        var cursor = position + 1
        func number() -> Int? {
            var value = 0
            var digits = 0
            while cursor < scalars.count, let digit = Self.digitValue(scalars[cursor]) {
                // Saturate: anything over the limit is refused below, however long.
                value = Swift.min(value * 10 + digit, PatternLimits.maxRepeatCount + 1)
                digits += 1
                cursor += 1
            }
            return digits > 0 ? value : nil
        }
        guard let min = number() else { return nil }
        var max: Int? = min
        if cursor < scalars.count && scalars[cursor] == "," {
            cursor += 1
            max = number()
        }
        guard cursor < scalars.count && scalars[cursor] == "}" else { return nil }
        position = cursor + 1
        let spelling = String(String.UnicodeScalarView(scalars[start..<position]))
        for count in [min, max ?? 0] where count > PatternLimits.maxRepeatCount {
            throw PatternError(
                "repetition count in '\(spelling)' exceeds \(PatternLimits.maxRepeatCount)", at: start)
        }
        if let max, max < min {
            throw PatternError("invalid repetition range '\(spelling)': the maximum is below the minimum", at: start)
        }
        return (min, max)
    }

    private static func digitValue(_ scalar: Unicode.Scalar) -> Int? {
        scalar.value >= 48 && scalar.value <= 57 ? Int(scalar.value - 48) : nil
    }

    // MARK: Input

    func peek(_ ahead: Int = 0) -> Unicode.Scalar? {
        let index = position + ahead
        return index < scalars.count ? scalars[index] : nil
    }
}
