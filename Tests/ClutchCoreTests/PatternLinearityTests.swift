import Testing
@testable import ClutchCore

/// A catastrophic pattern for a backtracking engine, with an adversarial input.
struct AdversarialCase: CustomTestStringConvertible, Sendable {
    let pattern: String
    let input: String
    let matches: Bool

    var testDescription: String { "/\(pattern)/ on \(input.unicodeScalars.count) scalars" }
}

@Suite struct PatternLinearityTests {
    static let length = 100_000
    static let a = String(repeating: "a", count: length)

    static let cases: [AdversarialCase] = [
        AdversarialCase(pattern: "^(a+)+$", input: a + "!", matches: false),
        AdversarialCase(pattern: "^(a+)+$", input: a, matches: true),
        AdversarialCase(pattern: "(a|aa)*b", input: a + "!", matches: false),
        AdversarialCase(pattern: "(a|aa)*b", input: a + "b", matches: true),
        AdversarialCase(pattern: "(a*)*b", input: a + "!", matches: false),
        AdversarialCase(pattern: "^(a|a?)+$", input: a + "!", matches: false),
        AdversarialCase(pattern: "(x+x+)+y", input: String(repeating: "x", count: length), matches: false),
        AdversarialCase(pattern: #"^([a-z0-9]+\.?)+@acme\.com$"#, input: a + "!", matches: false),
        AdversarialCase(
            pattern: #"^([a-z0-9]+\.?)+@acme\.com$"#,
            input: String(repeating: "ab.", count: length / 3) + "c@acme.com", matches: true),
        AdversarialCase(pattern: "(.*a){20}", input: String(repeating: "a", count: 19) + String(repeating: "b", count: length), matches: false),
        AdversarialCase(pattern: "(.*a){20}", input: String(repeating: "ab", count: length / 2), matches: true),
        AdversarialCase(pattern: #"^(\w+\s?)*$"#, input: String(repeating: "word ", count: length / 5) + "!", matches: false),
        AdversarialCase(pattern: #"^(\w+\s?)*$"#, input: String(repeating: "word ", count: length / 5), matches: true),
        // Non-ASCII and case-folding inputs take the same bounded path.
        AdversarialCase(pattern: "(?i)^(é+)+$", input: String(repeating: "É", count: length) + "!", matches: false),
    ]

    @Test(arguments: cases)
    func stepsAreBoundedByInputTimesProgram(_ row: AdversarialCase) throws {
        let program = try PatternCompiler.compile(row.pattern)
        let steps = program.matchSteps(row.input)
        let bound = (row.input.unicodeScalars.count + 1) * program.size
        #expect(steps <= bound, "\(steps) steps > \(bound)")
        #expect(program.matches(row.input) == row.matches)
    }

    /// The same patterns through the public path: each answers in milliseconds.
    @Test(arguments: cases)
    func answersThroughTheEngine(_ row: AdversarialCase) {
        let clause = Clause(attribute: "email", .matches, [row.pattern])
        #expect(holds(clause, context(nil, ["email": .string(row.input)])) == row.matches)
    }

    /// A pattern starting with a literal skips input where no match can start.
    @Test func literalFirstPatternSkipsToCandidates() throws {
        let program = try PatternCompiler.compile(#"acme\.com\b"#)
        #expect(program.firstScalar == UInt32(("a" as Unicode.Scalar).value))
        let haystack = String(repeating: "x", count: 10_000)
        #expect(program.matchSteps(haystack) == 1)  // the last, failed start at the end
        #expect(program.matches(haystack + "acme.com"))
        #expect(!program.matches(haystack + "acme.comb"))
        #expect(program.matches("acm acme.com!"))
    }

    /// The step count grows linearly: doubling the input at most doubles the steps (plus one position).
    @Test func doublingTheInputDoublesTheSteps() throws {
        let program = try PatternCompiler.compile("^(a|aa)*(a+)+b$")
        let short = program.matchSteps(String(repeating: "a", count: 1_000) + "!")
        let long = program.matchSteps(String(repeating: "a", count: 2_000) + "!")
        #expect(long <= 2 * short + program.size)
    }
}
