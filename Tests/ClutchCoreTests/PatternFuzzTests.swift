@testable import ClutchCore
import TestSupport
import Testing

/// Random garbage into the pattern compiler: it must never crash, only compile or throw
/// a `PatternError`; whatever compiles must match random inputs within the step bound.
@Suite struct PatternFuzzTests {
    /// Inputs that once crashed or misbehaved while developing (none so far), plus edge cases.
    static let regressions: [String] = [
        "", "\\", "(", ")", "[", "]", "{", "}", "[^", "[]", "[^]", "[[:", "[[:]", "[[:a:]", "[[:alpha:", "(?", "(?P", "(?P<",
        "(?<", "(?i", "(?i-", "(?-)", "a{", "a{1", "a{1,", "a{,}", "{1}", "\\x", "\\x{", "\\x{}", "\\x{FFFFFFFFFFFF}",
        "[a-", "[a-]", "[\\", "[\\x{D800}]", "()*", "(|)*", "(^)*$", "(\\b)+", "((((", "))))", "x**", "x*?*", "[z-\\x{7A}]",
    ]

    static let pieces: [String] = [
        "(", ")", "[", "]", "{", "}", "\\", "|", "*", "+", "?", "^", "$", ".", "-", ":", "<", ">", "=", "!", ",",
        "P", "k", "x", "0", "1", "9", "a", "b", "i", "m", "s", "d", "w", "B", "A", "z", "é", "😀",
        "(?", "(?:", "(?i)", "[:alpha:]", "{2,3}", "\\d", "\\x{41}",
    ]

    @Test(arguments: regressions)
    func regression(_ pattern: String) {
        check(pattern, inputs: ["", "a", "aé😀\n-"])
    }

    @Test func randomGarbageNeverCrashes() {
        var random = SplitMix64(seed: 0xF0_22)
        var compiled = 0
        for _ in 0..<6_000 {
            var pattern = ""
            for _ in 0..<random.below(24) {
                if random.below(6) == 0 {
                    // Any scalar at all, surrogates excepted (a String cannot hold them).
                    let value = UInt32(random.below(0x11_0000))
                    pattern.unicodeScalars.append(Unicode.Scalar(value) ?? "?")
                } else {
                    pattern += random.pick(Self.pieces)
                }
            }
            let inputs = (0..<3).map { _ in
                String((0..<random.below(12)).map { _ in random.pick(Array("ab1-_ é😀\n{}[]()")) })
            }
            if check(pattern, inputs: inputs) { compiled += 1 }
        }
        // Sanity: the generator produces both outcomes.
        #expect(compiled > 100)
        #expect(compiled < 6_000)
    }

    /// Compiles `pattern`; if it compiles, matches `inputs` within the step bound.
    @discardableResult
    func check(_ pattern: String, inputs: [String]) -> Bool {
        do {
            let program = try PatternCompiler.compile(pattern)
            #expect(program.size <= PatternLimits.maxProgramSize)
            for input in inputs {
                let steps = program.matchSteps(input)
                #expect(steps <= (input.unicodeScalars.count + 1) * program.size, "/\(pattern)/ on \(input)")
            }
            return true
        } catch {
            #expect(!error.message.isEmpty)
            #expect(error.offset >= 0 && error.offset <= pattern.unicodeScalars.count, "\(error) for \(pattern)")
            return false
        }
    }
}
