import Testing
@testable import ClutchCore

/// One row: does `pattern` match somewhere in `input`?
struct PatternCase: CustomTestStringConvertible, Sendable {
    let pattern: String
    let input: String
    let matches: Bool

    init(_ pattern: String, _ input: String, _ matches: Bool) {
        self.pattern = pattern
        self.input = input
        self.matches = matches
    }

    var testDescription: String { "/\(pattern)/ on \"\(input)\" → \(matches)" }
}

/// One refused pattern: the message must contain `mentions` and point at `offset`.
struct RefusedPattern: CustomTestStringConvertible, Sendable {
    let pattern: String
    let mentions: String
    let offset: Int

    init(_ pattern: String, _ mentions: String, at offset: Int) {
        self.pattern = pattern
        self.mentions = mentions
        self.offset = offset
    }

    var testDescription: String { "/\(pattern)/ refused: \(mentions)" }
}

@Suite struct PatternSyntaxTests {
    static let cases: [PatternCase] = [
        // Literals and search semantics.
        PatternCase("abc", "xxabcxx", true),
        PatternCase("abc", "ab", false),
        PatternCase("", "", true),
        PatternCase("", "anything", true),
        PatternCase("é", "café", true),
        PatternCase("😀+", "hi 😀😀", true),
        // `.`: any scalar but \n; a multi-byte character is one.
        PatternCase("^.$", "é", true),
        PatternCase("^.$", "😀", true),
        PatternCase("^..$", "😀", false),
        PatternCase("a.c", "a\nc", false),
        PatternCase("(?s)a.c", "a\nc", true),
        PatternCase("^.$", "\u{65}\u{301}", false),  // e + combining accent: two scalars
        // Escapes.
        PatternCase(#"a\.c"#, "abc", false),
        PatternCase(#"a\.c"#, "a.c", true),
        PatternCase(#"\\"#, #"a\b"#, true),
        PatternCase(#"\*\+\?"#, "*+?", true),
        PatternCase(#"\(\)\[\]\{\}"#, "()[]{}", true),
        PatternCase(#"\|\^\$\/\-"#, "|^$/-", true),
        PatternCase(#"\t\n\r"#, "\t\n\r", true),
        PatternCase(#"\x41\x{1F600}"#, "A😀", true),
        PatternCase(#"\@"#, "a@b", true),
        // Class escapes.
        PatternCase(#"^\d+$"#, "0123456789", true),
        PatternCase(#"\d"#, "٣", false),  // Arabic-Indic digit: \d is ASCII as in RE2
        PatternCase(#"^\D+$"#, "abc", true),
        PatternCase(#"\D"#, "123", false),
        PatternCase(#"^\w+$"#, "Az_09", true),
        PatternCase(#"\w"#, "-.!", false),
        PatternCase(#"^\W+$"#, "-.!é", true),
        PatternCase(#"\s"#, "a b", true),
        PatternCase(#"\s"#, "a\u{0B}b", false),  // \v is not in RE2's \s
        PatternCase(#"^\S+$"#, "ab", true),
        PatternCase(#"\S"#, " \t", false),
        // Word boundaries.
        PatternCase(#"\bcat\b"#, "a cat sat", true),
        PatternCase(#"\bcat\b"#, "concatenate", false),
        PatternCase(#"\Bcat\B"#, "concatenate", true),
        PatternCase(#"\Bcat"#, "cat", false),
        PatternCase(#"\b"#, "", false),
        PatternCase(#"\B"#, "", true),
        PatternCase(#"é\b"#, "é", false),  // é is not an ASCII word character
        PatternCase(#"a\b"#, "ab a", true),
        PatternCase(#"a\B"#, "xa", false),
        PatternCase(#"a\Bb"#, "xab", true),
        // Anchors.
        PatternCase("^abc", "abcd", true),
        PatternCase("^abc", "xabc", false),
        PatternCase("abc$", "xabc", true),
        PatternCase("abc$", "abc\n", false),  // $ is the very end, as in RE2
        PatternCase(#"\Aabc\z"#, "abc", true),
        PatternCase(#"\Aabc\z"#, "abcd", false),
        PatternCase("(?m)^b$", "a\nb\nc", true),
        PatternCase("^b$", "a\nb\nc", false),
        PatternCase("a|^b", "xb", false),
        PatternCase("a|^b", "xa", true),
        // Classes.
        PatternCase("^[abc]+$", "cab", true),
        PatternCase("[abc]", "xyz", false),
        PatternCase("^[a-z0-9_.-]+$", "a.b-c_9", true),
        PatternCase("[a-z0-9_.-]", "A!", false),
        PatternCase("^[^abc]+$", "xyz", true),
        PatternCase("[^abc]", "abc", false),
        PatternCase("[^a]", "é", true),
        PatternCase("^[é-ë]$", "ê", true),
        PatternCase(#"^[\d\s]+$"#, "1 2\t3", true),
        PatternCase(#"[\w]"#, "!", false),
        PatternCase(#"^[^\d]$"#, "x", true),
        PatternCase(#"[^\d]"#, "5", false),
        PatternCase(#"^[\D]$"#, "x", true),
        PatternCase("^[]a]+$", "]a]", true),
        PatternCase("^[^]a]$", "b", true),
        PatternCase("^[-a]+$", "-a", true),
        PatternCase("^[a-]+$", "-a", true),
        PatternCase(#"[\]]"#, "]", true),
        PatternCase(#"[\-]"#, "-", true),
        PatternCase("[[:alpha:]]+", "123abc", true),
        PatternCase("[[:alpha:]]", "123", false),
        PatternCase("^[[:^alpha:]]+$", "123", true),
        PatternCase("^[[:digit:][:upper:]]+$", "A1B2", true),
        PatternCase("^[[:xdigit:]]+$", "c0ffee", true),
        PatternCase("^[[:punct:]]+$", "!?.", true),
        PatternCase("^[[:space:]]+$", " \t\u{0B}", true),
        PatternCase("^[a[]+$", "a[", true),  // `[` without `:` is an ordinary member
        // Groups and alternation.
        PatternCase("^(ab)+$", "ababab", true),
        PatternCase("^(ab)+$", "ababa", false),
        PatternCase("^(?:ab|cd)+$", "abcdab", true),
        PatternCase("^(?P<user>[a-z]+)@(?<host>[a-z]+)$", "jo@acme", true),
        PatternCase("^(?P<user>[a-z]+)@(?<host>[a-z]+)$", "jo@", false),
        PatternCase("cat|dog", "hotdog", true),
        PatternCase("cat|dog", "bird", false),
        PatternCase("^(|a)$", "", true),
        PatternCase("^()$", "", true),
        PatternCase("^(a|b|c|d)$", "d", true),
        // Quantifiers, greedy and lazy alike.
        PatternCase("^a*$", "", true),
        PatternCase("^a*$", "aaa", true),
        PatternCase("^a+$", "", false),
        PatternCase("^ab?c$", "ac", true),
        PatternCase("^ab?c$", "abbc", false),
        PatternCase("^a{3}$", "aaa", true),
        PatternCase("^a{3}$", "aa", false),
        PatternCase("^a{2,}$", "aaaaa", true),
        PatternCase("^a{2,}$", "a", false),
        PatternCase("^a{2,3}$", "aaa", true),
        PatternCase("^a{2,3}$", "aaaa", false),
        PatternCase("^a{0}$", "", true),
        PatternCase("^a{0,1}b$", "b", true),
        PatternCase("^a*?$", "aa", true),
        PatternCase("^a+?b$", "aab", true),
        PatternCase("^a??b$", "ab", true),
        PatternCase("^a{2,3}?$", "aaa", true),
        PatternCase("^a{2}?$", "aa", true),
        PatternCase("^(a*)*$", "aaa", true),
        PatternCase("^(a*)+b$", "aab", true),
        PatternCase("^a{1000}$", String(repeating: "a", count: 1000), true),
        PatternCase("^a{1000}$", String(repeating: "a", count: 999), false),
        // A brace that is not a repetition is literal, as in RE2.
        PatternCase("a{", "a{", true),
        PatternCase("a{x}", "a{x}", true),
        PatternCase("a{,2}", "a{,2}", true),
        PatternCase("^{$", "{", true),
        PatternCase("a}", "a}", true),
        PatternCase("a]", "a]", true),
        // Case-insensitivity.
        PatternCase("(?i)hello", "HeLLo", true),
        PatternCase("(?i)^[a-z]+$", "ABC", true),
        PatternCase("(?i)^[^a]$", "A", false),
        PatternCase("(?i)é", "É", true),
        PatternCase("(?i)k", "\u{212A}", true),  // KELVIN SIGN lowercases to k
        PatternCase("(?i:ab)c", "ABc", true),
        PatternCase("(?i:ab)c", "ABC", false),
        PatternCase("a(?i)b", "aB", true),
        PatternCase("a(?i)b", "AB", false),
        PatternCase("(?i)a(?-i)b", "Ab", true),
        PatternCase("(?i)a(?-i)b", "AB", false),
        PatternCase(#"(?i)\d"#, "5", true),
        PatternCase("(?i)[[:upper:]]", "a", true),
        PatternCase("[[:upper:]]", "a", false),
        PatternCase("(?i)straße", "STRAßE", true),
        // Realistic targeting patterns.
        PatternCase(#"^[a-z]+@acme\.com$"#, "jo@acme.com", true),
        PatternCase(#"^[a-z]+@acme\.com$"#, "JO@acme.com", false),
        PatternCase(#"^([a-z0-9]+\.?)+@acme\.com$"#, "jo.doe@acme.com", true),
        PatternCase(#"^([a-z0-9]+\.?)+@acme\.com$"#, "jo..doe@acme.com", false),
        PatternCase(#"^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$"#, "1.2.3-beta.1", true),
        PatternCase(#"(?i)\b(iphone|ipad)\b"#, "Mozilla (iPhone; CPU)", true),
        // Found by the differential test, where ICU (NSRegularExpression) is wrong:
        // a lazy loop over a possibly-empty body inside a repeated group.
        PatternCase("((?:[-a]{0,2})*?-)+-b", "--b", true),
        // ICU gives up on the nested loops (backtracking limit) and finds no match; `_` matches.
        PatternCase(#"(?i:(?i:(?:\w+[^a-c1] {1,3}|(?i:$.\.|B* *|[A-Z][^\s]?[[:^alpha:]])*.*|\z\B[\d]+).*){2,}$){1,3}[\w-]\z|_"#, "a_bb1", true),
        PatternCase(#"((?:[-a]{0,2}c*?)*?c??-){1,}(?i:[[:^alpha:]]([A-Z]\B|\.b.+)+)A"#, "b_--baaA", true),
    ]

    @Test(arguments: cases)
    func matches(_ row: PatternCase) throws {
        let program = try PatternCompiler.compile(row.pattern)
        #expect(program.matches(row.input) == row.matches)
    }

    static let refused: [RefusedPattern] = [
        RefusedPattern(#"(a)\1"#, #"backreference '\1'"#, at: 3),
        RefusedPattern(#"(?<n>a)\k<n>"#, #"backreference '\k'"#, at: 7),
        RefusedPattern(#"(?P<n>a)(?P=n)"#, "backreference '(?P='", at: 8),
        RefusedPattern("a(?=b)", "lookahead '(?='", at: 1),
        RefusedPattern("a(?!b)", "negative lookahead '(?!'", at: 1),
        RefusedPattern("(?<=a)b", "lookbehind '(?<='", at: 0),
        RefusedPattern("(?<!a)b", "negative lookbehind '(?<!'", at: 0),
        RefusedPattern("(?>a+)b", "atomic group '(?>'", at: 0),
        RefusedPattern("a*+", "possessive quantifier '*+'", at: 1),
        RefusedPattern("a++", "possessive quantifier '++'", at: 1),
        RefusedPattern("a?+", "possessive quantifier '?+'", at: 1),
        RefusedPattern("xa{2}+", "possessive quantifier '{2}+'", at: 2),
        RefusedPattern(#"\q"#, #"unknown escape '\q'"#, at: 0),
        RefusedPattern(#"ab\p{L}"#, #"unknown escape '\p'"#, at: 2),
        RefusedPattern(#"[\y]"#, #"unknown escape '\y'"#, at: 1),
        RefusedPattern(#"\Z"#, #"unknown escape '\Z'"#, at: 0),
        RefusedPattern("ab\\", "trailing backslash", at: 2),
        RefusedPattern("(unclosed", "missing ')'", at: 0),
        RefusedPattern("a(b(c)", "missing ')'", at: 1),
        RefusedPattern("ab)", "unmatched ')'", at: 2),
        RefusedPattern("[abc", "missing ']'", at: 0),
        RefusedPattern("x[]", "missing ']'", at: 1),
        RefusedPattern("[z-a]", "invalid range 'z-a'", at: 1),
        RefusedPattern(#"[\d-z]"#, "class escape cannot start a range", at: 1),
        RefusedPattern(#"[a-\d]"#, "class escape cannot end a range", at: 3),
        RefusedPattern("[[:alfa:]]", "unknown POSIX class '[:alfa:]'", at: 1),
        RefusedPattern("a{1001}", "exceeds 1000", at: 1),
        RefusedPattern("a{2,1001}", "exceeds 1000", at: 1),
        RefusedPattern("a{99999999999999999999}", "exceeds 1000", at: 1),
        RefusedPattern("a{3,2}", "maximum is below the minimum", at: 1),
        RefusedPattern("(a{1000}){1000}", "more than 10000 instructions", at: 0),
        RefusedPattern("((((a{100}){100}){100}){100}){100}", "more than 10000 instructions", at: 0),
        RefusedPattern("[a-z]{1000}[0-9]{1000}x{1000}y{1000}z{1000}w{1000}v{1000}u{1000}t{1000}s{1000}", "more than 10000 instructions", at: 0),
        RefusedPattern("*a", "missing argument to repetition operator '*'", at: 0),
        RefusedPattern("a|+", "missing argument to repetition operator '+'", at: 2),
        RefusedPattern("(?i)?", "missing argument to repetition operator '?'", at: 4),
        RefusedPattern("a**", "cannot follow another repetition", at: 2),
        RefusedPattern("a{2}{3}", "cannot follow another repetition", at: 4),
        RefusedPattern("(?x)a", "unknown group flag or syntax 'x'", at: 2),
        RefusedPattern("(?#comment)", "unknown group flag or syntax '#'", at: 2),
        RefusedPattern("(?)", "unknown group flag or syntax ')'", at: 2),
        RefusedPattern("(?P>n)", "unknown group syntax '(?P'", at: 0),
        RefusedPattern("(?<>a)", "empty group name", at: 0),
        RefusedPattern("(?<a-b>x)", "invalid character '-' in group name", at: 4),
        RefusedPattern(#"\x4"#, #"invalid escape '\x'"#, at: 0),
        RefusedPattern(#"\x{110000}"#, "names no Unicode scalar", at: 0),
        RefusedPattern(#"[\b]"#, #"assertion '\b' is not allowed in a class"#, at: 1),
        RefusedPattern(String(repeating: "(", count: 101) + String(repeating: ")", count: 101), "nested more than 100 deep", at: 100),
        RefusedPattern(String(repeating: "a", count: 1001), "the limit is 1000", at: 1000),
    ]

    @Test(arguments: refused)
    func refusedWithMessage(_ row: RefusedPattern) {
        #expect {
            _ = try PatternCompiler.compile(row.pattern)
        } throws: { error in
            guard let error = error as? PatternError else { return false }
            #expect(error.message.contains(row.mentions), "\(error)")
            #expect(error.offset == row.offset, "\(error)")
            return true
        }
    }

    @Test func nestingAndLengthAtTheLimitsCompile() throws {
        _ = try PatternCompiler.compile(String(repeating: "(", count: 100) + "a" + String(repeating: ")", count: 100))
        _ = try PatternCompiler.compile(String(repeating: "a", count: 1000))
        // 9 × 1000 + 1000 + match = 10,001 is one too many; 9 × 1000 + 999 + match fits.
        _ = try PatternCompiler.compile(String(repeating: "a{1000}", count: 9) + "b{999}")
        #expect(throws: PatternError.self) {
            try PatternCompiler.compile(String(repeating: "a{1000}", count: 10))
        }
    }

    @Test func compilerReportsInvalidPatternAtTheValuePath() throws {
        let flag = Flag(key: "f", environments: ["production": FlagState(
            enabled: true, rules: [Rule(clauses: [Clause(attribute: "email", .matches, ["ok", "(a)\\1"])], serve: .variant("on"))],
            default: .variant("off"))])
        let error = try #require(throws: ValidationError.self) { try flag.validate(cohorts: ["production": []]) }
        #expect(error.path == "environments.production.rules[0].clauses[0].values[1]", "\(error)")
        #expect(error.issues.first?.message == #"invalid regular expression '(a)\1': backreference '\1' is not supported at offset 3"#, "\(error)")
    }

    @Test func onlyStringsMatch() {
        let clause = Clause(attribute: "v", .matches, ["^1"])
        #expect(holds(clause, context(nil, ["v": "12"])))
        #expect(!holds(clause, context(nil, ["v": 12])))
        #expect(!holds(clause, context(nil, ["v": true])))
        #expect(holds(clause, context(nil, ["v": ["x", "1a"]])))
        #expect(!holds(clause, context(nil, ["v": [12, 13]])))
    }
}
