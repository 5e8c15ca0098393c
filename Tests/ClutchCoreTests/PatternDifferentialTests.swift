import Foundation
import TestSupport
import Testing
@testable import ClutchCore

/// Random patterns from the supported syntax against random short strings, compared
/// with Foundation's `NSRegularExpression` (ICU, a backtracking engine). The alphabet
/// is ASCII without line breaks, where ICU's Unicode-aware `\d \w \s \b` and its `$`
/// (which also matches before a final newline) agree with RE2's definitions.
///
/// ICU gets some lazy loops over possibly-empty bodies wrong (`((?:-{0,2})*?-)+-b`
/// does not match "--b" there), so the reference is given the greedy spelling of each
/// lazy quantifier: for a yes/no answer the two are the same.
@Suite struct PatternDifferentialTests {
    /// Builds patterns from a small grammar, depth-bounded so none is catastrophic
    /// for the reference engine.
    struct Generator {
        var random: SplitMix64

        static let literals = ["a", "b", "c", "A", "B", "1", "-", " ", #"\."#, ".", "_"]
        static let classes = [
            "[abc]", "[^a]", "[a-c]", "[A-Z]", "[^a-c1]", #"[\d]"#, #"[\w-]"#, #"[^\s]"#, "[-a]", "[a.]",
            #"\d"#, #"\D"#, #"\w"#, #"\W"#, #"\s"#, #"\S"#, "[[:alpha:]]", "[[:digit:]]", "[[:^alpha:]]",
        ]
        static let assertions = ["^", "$", #"\b"#, #"\B"#, #"\A"#, #"\z"#]
        /// `lazy` marks a lazy quantifier's `?`: kept for us, dropped for the reference.
        static let lazy = "\u{0}"
        static let quantifiers = ["*", "+", "?", "{2}", "{1,}", "{0,2}", "{1,3}", "*" + lazy, "+" + lazy, "?" + lazy, "{2,}" + lazy]

        mutating func pattern() -> String {
            let prefix = random.below(8) == 0 ? "(?i)" : ""
            return prefix + alternation(depth: 0)
        }

        mutating func alternation(depth: Int) -> String {
            let branches = random.below(5) == 0 ? 2 + random.below(2) : 1
            return (0..<branches).map { _ in concatenation(depth: depth) }.joined(separator: "|")
        }

        mutating func concatenation(depth: Int) -> String {
            (0..<(1 + random.below(3))).map { _ in piece(depth: depth) }.joined()
        }

        mutating func piece(depth: Int) -> String {
            if random.below(8) == 0 { return random.pick(Self.assertions) }
            let atom = self.atom(depth: depth)
            return random.below(3) == 0 ? atom + random.pick(Self.quantifiers) : atom
        }

        mutating func atom(depth: Int) -> String {
            switch random.below(depth < 2 ? 10 : 7) {
            case 0, 1, 2, 3: return random.pick(Self.literals)
            case 4, 5, 6: return random.pick(Self.classes)
            case 7: return "(" + alternation(depth: depth + 1) + ")"
            case 8: return "(?:" + alternation(depth: depth + 1) + ")"
            default: return "(?i:" + alternation(depth: depth + 1) + ")"
            }
        }

        mutating func input() -> String {
            let alphabet: [Character] = ["a", "b", "c", "A", "1", "-", " ", ".", "_", "a", "b"]
            return String((0..<random.below(9)).map { _ in random.pick(alphabet) })
        }
    }

    @Test func agreesWithNSRegularExpression() throws {
        var generator = Generator(random: SplitMix64(seed: 0xC107C4))
        var disagreements: [String] = []
        var compared = 0
        for _ in 0..<700 {
            let generated = generator.pattern()
            let pattern = generated.replacingOccurrences(of: Generator.lazy, with: "?")
            let program: PatternProgram
            do {
                program = try PatternCompiler.compile(pattern)
            } catch {
                disagreements.append("/\(pattern)/ refused: \(error)")
                continue
            }
            let reference = try NSRegularExpression(pattern: generated.replacingOccurrences(of: Generator.lazy, with: ""))
            for _ in 0..<8 {
                let input = generator.input()
                let expected = reference.firstMatch(in: input, range: NSRange(location: 0, length: input.utf16.count)) != nil
                compared += 1
                if program.matches(input) != expected {
                    disagreements.append("/\(pattern)/ on \"\(input)\": expected \(expected)")
                }
            }
        }
        #expect(compared >= 5_000)
        #expect(disagreements.isEmpty, "\(disagreements.prefix(20).joined(separator: "\n"))")
    }
}
