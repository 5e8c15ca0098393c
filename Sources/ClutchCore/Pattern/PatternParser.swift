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

    private let scalars: [Unicode.Scalar]
    private var position = 0
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

    private var flags: PatternFlags { frames[frames.count - 1].flags }

    private mutating func append(_ node: PatternNode) {
        frames[frames.count - 1].items.append(node)
        frames[frames.count - 1].lastIsRepetition = false
    }

    private func literal(_ scalar: Unicode.Scalar) -> PatternNode {
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

    // MARK: Escapes

    /// What one escape sequence stands for.
    private enum Escaped {
        case scalar(Unicode.Scalar)
        case set(ScalarRanges)
    }

    /// An escape outside a class: a scalar, a class, or an assertion.
    private mutating func escape() throws(PatternError) -> PatternNode {
        let start = position
        guard let c = peek(1) else { throw PatternError("trailing backslash at end of pattern", at: start) }
        switch c {
        case "A": position += 2; return .assertion(.beginText)
        case "z": position += 2; return .assertion(.endText)
        case "b": position += 2; return .assertion(.wordBoundary)
        case "B": position += 2; return .assertion(.notWordBoundary)
        case "1"..."9": throw PatternError("backreference '\\\(c)' is not supported", at: start)
        case "k": throw PatternError("backreference '\\k' is not supported", at: start)
        default:
            switch try escapedAtom() {
            case .scalar(let scalar): return literal(scalar)
            case .set(let set): return .set(PatternClass(set, foldsCase: false))
            }
        }
    }

    /// An escape valid both inside and outside classes, at the current backslash.
    private mutating func escapedAtom() throws(PatternError) -> Escaped {
        let start = position
        guard let c = peek(1) else { throw PatternError("trailing backslash at end of pattern", at: start) }
        position += 2
        switch c {
        case "t": return .scalar("\t")
        case "n": return .scalar("\n")
        case "r": return .scalar("\r")
        case "f": return .scalar("\u{0C}")
        case "v": return .scalar("\u{0B}")
        case "d": return .set(PatternNamedClasses.digit)
        case "D": return .set(PatternNamedClasses.digit.complemented())
        case "w": return .set(PatternNamedClasses.word)
        case "W": return .set(PatternNamedClasses.word.complemented())
        case "s": return .set(PatternNamedClasses.space)
        case "S": return .set(PatternNamedClasses.space.complemented())
        case "x": return .scalar(try hexEscape(escapeAt: start))
        default:
            // Any escaped ASCII punctuation is itself, as in RE2 (`\.`, `\-`, `\@`, …).
            let v = c.value
            if v >= 33 && v <= 126 && !PatternNamedClasses.isWord(v) { return .scalar(c) }
            throw PatternError("unknown escape '\\\(c)'", at: start)
        }
    }

    /// `\xHH` or `\x{H…}` (just after the `x`).
    private mutating func hexEscape(escapeAt start: Int) throws(PatternError) -> Unicode.Scalar {
        func hexDigit(_ scalar: Unicode.Scalar?) -> UInt32? {
            guard let v = scalar?.value else { return nil }
            switch v {
            case 48...57: return v - 48
            case 65...70: return v - 55
            case 97...102: return v - 87
            default: return nil
            }
        }
        var value: UInt32 = 0
        if peek() == "{" {
            position += 1
            var digits = 0
            while let digit = hexDigit(peek()) {
                value = Swift.min(value * 16 + digit, 0x110000)
                digits += 1
                position += 1
            }
            guard digits > 0, peek() == "}" else { throw PatternError("invalid escape '\\x{…}'", at: start) }
            position += 1
        } else {
            guard let high = hexDigit(peek()), let low = hexDigit(peek(1)) else {
                throw PatternError("invalid escape '\\x': expected two hex digits", at: start)
            }
            position += 2
            value = high * 16 + low
        }
        guard let scalar = Unicode.Scalar(value) else {
            throw PatternError("escape '\\x' names no Unicode scalar", at: start)
        }
        return scalar
    }

    // MARK: Classes

    /// `[…]` or `[^…]`. A `]` first in the class is literal, as is `-` first or last.
    private mutating func characterClass() throws(PatternError) -> PatternNode {
        let start = position
        position += 1
        var negated = false
        if peek() == "^" {
            negated = true
            position += 1
        }
        var set = ScalarRanges()
        var first = true
        while true {
            guard let c = peek() else { throw PatternError("missing ']' for the class opened here", at: start) }
            if c == "]" && !first {
                position += 1
                break
            }
            first = false
            if c == "[", peek(1) == ":", let posix = try posixClass() {
                set.formUnion(posix)
                continue
            }
            let itemStart = position
            let low = try classAtom()
            // A range `a-z`, unless the `-` is the last thing in the class.
            if peek() == "-", let after = peek(1), after != "]" {
                guard case .scalar(let lowScalar) = low else {
                    throw PatternError("invalid range in class: a class escape cannot start a range", at: itemStart)
                }
                position += 1
                let highStart = position
                guard case .scalar(let highScalar) = try classAtom() else {
                    throw PatternError("invalid range in class: a class escape cannot end a range", at: highStart)
                }
                guard lowScalar.value <= highScalar.value else {
                    throw PatternError("invalid range '\(lowScalar)-\(highScalar)' in class: the end is below the start", at: itemStart)
                }
                set.insert(lowScalar.value...highScalar.value)
                continue
            }
            switch low {
            case .scalar(let scalar): set.insert(scalar.value...scalar.value)
            case .set(let ranges): set.formUnion(ranges)
            }
        }
        return .set(PatternClass(set, negated: negated, foldsCase: flags.caseInsensitive))
    }

    /// One member of a class: a scalar or a class escape.
    private mutating func classAtom() throws(PatternError) -> Escaped {
        guard let c = peek() else { throw PatternError("missing ']' at end of pattern", at: position) }
        if c == "\\" {
            if let next = peek(1), next == "b" || next == "B" || next == "A" || next == "z" {
                throw PatternError("assertion '\\\(next)' is not allowed in a class", at: position)
            }
            return try escapedAtom()
        }
        position += 1
        return .scalar(c)
    }

    /// `[:name:]` or `[:^name:]` inside a class; nil (consuming nothing) when there is
    /// no closing `:]`, so the `[` is an ordinary member.
    private mutating func posixClass() throws(PatternError) -> ScalarRanges? {
        let start = position
        var cursor = position + 2
        while cursor + 1 < scalars.count && !(scalars[cursor] == ":" && scalars[cursor + 1] == "]") {
            if scalars[cursor] == "]" { return nil }
            cursor += 1
        }
        guard cursor + 1 < scalars.count else { return nil }
        var name = String(String.UnicodeScalarView(scalars[(start + 2)..<cursor]))
        let negated = name.hasPrefix("^")
        if negated { name.removeFirst() }
        guard let ranges = PatternNamedClasses.posix(name) else {
            throw PatternError("unknown POSIX class '[:\(negated ? "^" : "")\(name):]'", at: start)
        }
        position = cursor + 2
        return negated ? ranges.complemented() : ranges
    }

    // MARK: Input

    private func peek(_ ahead: Int = 0) -> Unicode.Scalar? {
        let index = position + ahead
        return index < scalars.count ? scalars[index] : nil
    }
}
