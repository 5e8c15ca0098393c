// Bracketed character classes and their POSIX `[:name:]` members.
extension PatternParser {
    /// `[…]` or `[^…]`. A `]` first in the class is literal, as is `-` first or last.
    mutating func characterClass() throws(PatternError) -> PatternNode {
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
}
