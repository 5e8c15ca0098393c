import Foundation
import TestSupport
import Testing
import ClutchCore

/// ``ClutchJSONDecoder`` against Foundation's `JSONDecoder` (as ``ClutchJSON/decoder()``
/// configures it): the same values, the same refusals, and errors rather than crashes.
@Suite struct ClutchJSONDecoderTests {
    // MARK: Helpers

    /// Decodes `bytes` with both decoders.
    func both<T: Decodable>(
        _ type: T.Type, _ bytes: [UInt8], strict: Bool = false
    ) -> (foundation: Result<T, any Error>, fast: Result<T, any Error>) {
        let foundation = strict ? ClutchJSON.strictDecoder() : ClutchJSON.decoder()
        return (
            Result { try foundation.decode(type, from: Data(bytes)) },
            Result { try ClutchJSON.fastDecoder(refusingUnknownKeys: strict).decode(type, from: bytes) }
        )
    }

    func both<T: Decodable>(_ type: T.Type, _ text: String, strict: Bool = false) -> (foundation: Result<T, any Error>, fast: Result<T, any Error>) {
        both(type, Array(text.utf8), strict: strict)
    }

    /// Expects both decoders to give equal values, or both to throw.
    func expectSame<T: Decodable & Equatable>(
        _ type: T.Type, _ text: String, strict: Bool = false, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        expectSame(type, Array(text.utf8), strict: strict, sourceLocation: sourceLocation)
    }

    func expectSame<T: Decodable & Equatable>(
        _ type: T.Type, _ bytes: [UInt8], strict: Bool = false, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        switch both(type, bytes, strict: strict) {
        case (.success(let a), .success(let b)):
            #expect(a == b, "\(String(decoding: bytes, as: UTF8.self))", sourceLocation: sourceLocation)
        case (.failure(let a), .failure(let b)):
            #expect(a is DecodingError && b is DecodingError, "\(a) / \(b)", sourceLocation: sourceLocation)
        case (let a, let b):
            Issue.record("JSONDecoder: \(a), ClutchJSONDecoder: \(b) for \(String(decoding: bytes, as: UTF8.self))", sourceLocation: sourceLocation)
        }
    }

    /// Values compared with doubles by bit pattern (so `-0.0` differs from `0.0`).
    static func identical(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.double(let x), .double(let y)): return x.bitPattern == y.bitPattern
        case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { identical($0, $1) }
        case (.object(let x), .object(let y)):
            return x.count == y.count && x.allSatisfy { key, value in y[key].map { identical(value, $0) } ?? false }
        default: return a == b
        }
    }

    func expectIdentical(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        expectIdentical(Array(text.utf8), sourceLocation: sourceLocation)
    }

    func expectIdentical(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
        switch both(Value.self, bytes) {
        case (.success(let a), .success(let b)):
            #expect(Self.identical(a, b), "\(String(decoding: bytes, as: UTF8.self)): \(a) / \(b)", sourceLocation: sourceLocation)
        case (.failure, .failure):
            break
        case (let a, let b):
            Issue.record("JSONDecoder: \(a), ClutchJSONDecoder: \(b) for \(String(decoding: bytes, as: UTF8.self))", sourceLocation: sourceLocation)
        }
    }

    /// Expects the fast decoder to throw a `DecodingError` (never to crash).
    func expectRefused(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(throws: DecodingError.self, "\(String(decoding: bytes.prefix(80), as: UTF8.self))", sourceLocation: sourceLocation) {
            try ClutchJSONDecoder().decode(Value.self, from: bytes)
        }
    }

    // MARK: Numbers

    @Test(arguments: [
        "0", "1", "-1", "-0", "-0.0", "0.0", "1.0", "1.5", "-1.5", "1e2", "1E+2", "1e-2", "100e-2", "1.0e2",
        "1e300", "-1e300", "1e400", "-1e400", "1e-400", "4.9e-324", "2.2250738585072014e-308", "1.7976931348623157e308",
        "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
        "18446744073709551615", "18446744073709551616", "123456789012345678901234567890", "0.1", "2.5e-3",
        "12345678901234567890.0", "12345678901234567.0", "9007199254740993", "9007199254740993.0",
        "0.30000000000000004", "123456789.123456789", "1e22", "1e23", "[1, 2.5, -0, 1e2, -0.0]",
    ])
    func numbersReadAsJSONDecoderReadsThem(_ text: String) {
        expectIdentical(text)
    }

    @Test(arguments: [
        "[0]", "[-0]", "[127]", "[128]", "[-128]", "[-129]", "[255]", "[256]", "[-1]", "[1.0]", "[1.5]", "[1e2]", "[1e-400]",
        "[2147483647]", "[2147483648]", "[9223372036854775807]", "[9223372036854775808]", "[18446744073709551615]",
        "[18446744073709551616]", "[12345678901234567.0]", "[12345678901234567.5]", "[9007199254740993.0]",
        "[1e18]", "[1e19]", "[1e20]", "[-0.0]", "[3.4e38]", "[3.5e38]", "[1e39]", "[1e-50]", "[1e-46]", "[1.17549435e-38]",
        "[0.1]", "[1e300]", "[\"1\"]", "[null]", "[true]", "[{}]", "[[]]",
    ])
    func typedNumbersReadAsJSONDecoderReadsThem(_ text: String) {
        expectSame([Int].self, text)
        expectSame([Int8].self, text)
        expectSame([Int16].self, text)
        expectSame([Int32].self, text)
        expectSame([Int64].self, text)
        expectSame([UInt].self, text)
        expectSame([UInt8].self, text)
        expectSame([UInt16].self, text)
        expectSame([UInt32].self, text)
        expectSame([UInt64].self, text)
        expectSame([Double].self, text)
        expectSame([Float].self, text)
        expectSame([Decimal].self, text)
        expectSame([Bool].self, text)
        expectSame([String].self, text)
        // Signs of zeros, which == does not see.
        if case .success(let a) = both([Double].self, text).foundation, case .success(let b) = both([Double].self, text).fast {
            #expect(a.map(\.bitPattern) == b.map(\.bitPattern))
        }
    }

    // MARK: Strings

    @Test(arguments: [
        #""plain""#, #""""#, #""\u00e9""#, #""\u00E9""#, #""\ud83d\ude00""#, #""\uD83D\uDE00""#, #""\/\"\\\b\f\n\r\t""#,
        #""\u0000""#, #""\u001f""#, #""\u2028\u2029""#, "\"é\"", "\"e\u{301}\"", "\"😀\"", "\"\u{7f}\"", "\"中文\"",
        #""a\u0062c""#, #""\uFFFF""#, #""\uDBFF\uDFFF""#, #""long string that is longer than eight bytes, with \"escapes\" late""#,
    ])
    func stringsReadAsJSONDecoderReadsThem(_ text: String) {
        expectIdentical(text)
        expectSame(String.self, text)
    }

    @Test(arguments: [
        #""\ud83d""#, #""\ude00""#, #""\ud83dx""#, #""\ud83d\u0041""#, #""\ud83d\ud83d""#, #""\x""#, #""\u12""#, #""\u12G4""#,
        "\"a\tb\"", "\"a\nb\"", "\"a\u{1}b\"", #""abc"#, #""\"#, #""\u"#,
    ])
    func invalidStringsAreRefused(_ text: String) {
        expectRefused(Array(text.utf8))
        #expect(throws: (any Error).self) { try ClutchJSON.decoder().decode(Value.self, from: Data(text.utf8)) }
    }

    @Test(arguments: [
        [0x22, 0xFF, 0x22], [0x22, 0xC0, 0xAF, 0x22], [0x22, 0xE0, 0x80, 0xAF, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22],
        [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], [0x22, 0xC3, 0x22], [0x22, 0xF0, 0x9F, 0x98, 0x22], [0x22, 0x80, 0x22],
    ] as [[UInt8]])
    func invalidUTF8IsRefused(_ bytes: [UInt8]) {
        expectRefused(bytes)
        #expect(throws: (any Error).self) { try ClutchJSON.decoder().decode(Value.self, from: Data(bytes)) }
    }

    @Test func byteOrderMarkIsSkippedAsByJSONDecoder() {
        expectIdentical([0xEF, 0xBB, 0xBF] + Array(#"{"a": [1, "b"]}"#.utf8))
    }

    // MARK: Structure

    @Test(arguments: [
        "null", "true", "false", "[]", "{}", " [ 1 , 2 ] ", "\t\n\r[\n]\r\n", #"{"a": {"b": {"c": [[], {}, [null]]}}}"#,
        #"{"a": 1, "a": 2}"#, #"{"\u0061": 1, "a": 2}"#, #"{"é": 1, "e\u0301": 2}"#, #"{"e\u0301": 1, "é": 2}"#,
        #"{"K": 1, "\u212a": 2}"#, #"[{"k": 1}, {"k": 1}, {"k": 2}]"#,
    ])
    func structuresReadAsJSONDecoderReadsThem(_ text: String) {
        expectIdentical(text)
    }

    @Test func duplicateAndEquivalentKeysAsJSONDecoder() {
        struct A: Decodable, Equatable { var a: Int }
        struct E: Decodable, Equatable {
            var é: Int
            enum CodingKeys: String, CodingKey { case é = "e\u{301}" }
        }
        expectSame(A.self, #"{"a": 1, "a": 2}"#)
        expectSame(A.self, #"{"a": 1, "a": "two"}"#)
        expectSame([String: Int].self, #"{"a": 1, "a": 2, "b": 3}"#)
        expectSame([String: Int].self, #"{"a": 1, "a": "two"}"#)
        struct Kelvin: Decodable, Equatable {
            var k: Int
            enum CodingKeys: String, CodingKey { case k = "\u{212A}" }
        }
        expectSame(Kelvin.self, #"{"K": 1}"#)
        expectSame(Kelvin.self, #"{"\u212a": 1}"#)
        expectSame(E.self, #"{"é": 5}"#)
        expectSame(E.self, #"{"x": 1, "e\u0301": 5}"#)
        expectSame([String: Int].self, #"{"é": 1, "e\u0301": 2}"#)
    }

    @Test func largeObjectsAndDictionariesAsJSONDecoder() {
        let entries = (0..<200).map { #""key\#($0)": \#($0)"# } + [#""key7": 99"#]
        let text = "{" + entries.joined(separator: ", ") + "}"
        expectSame([String: Int].self, text)
        expectIdentical(text)
        struct Some: Decodable, Equatable { var key3: Int; var key150: Int; var key7: Int }
        expectSame(Some.self, text)
        expectSame([Int: Int].self, #"{"1": 2, "3": 4}"#)
        expectSame([Int: Int].self, #"{"x": 2}"#)
    }

    @Test func nestingUpTo512IsAcceptedAsByJSONDecoder() {
        for depth in [1, 100, 511, 512, 513, 600] {
            let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
            expectIdentical(text)
            let object = String(repeating: #"{"a":"#, count: depth) + "1" + String(repeating: "}", count: depth)
            expectIdentical(object)
        }
        let accepted = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        #expect(throws: Never.self) { try ClutchJSONDecoder().decode(Value.self, from: Array(accepted.utf8)) }
    }

    // MARK: Malformed input

    static let malformed: [String] = [
        "", " ", "[", "]", "{", "}", "[1", "[1,", "[1,]", "[,1]", "[1 2]", "[1] x", "[1]]", "{}{}", "{\"a\"", "{\"a\":",
        "{\"a\":}", "{\"a\" 1}", "{\"a\":1,}", "{,}", "{1:2}", "{a:1}", "{\"a\":1 \"b\":2}", "01", "-01", "00", "-", "--1",
        "1.", ".5", "+1", "1e", "1e+", "1.e5", "0x10", "1_000", "NaN", "Infinity", "-Infinity", "nul", "tru", "fals",
        "truee", "nulll", "True", "'a'", "\"abc", "\"\\", "[\"a\" \"b\"]", "[true false]", "/* c */ 1", "1 // c",
        "\u{0}", "[1]\u{0}", "\u{feff}\u{feff}[1]", "[1]\u{feff}",
    ]

    @Test(arguments: malformed)
    func malformedInputIsRefused(_ text: String) {
        expectRefused(Array(text.utf8))
        expectRefused([0xEF, 0xBB, 0xBF] + Array(text.utf8))
    }

    @Test func trailingCommasAreRefusedThoughJSONDecoderTakesThem() throws {
        // Foundation's JSONDecoder is lenient here; RFC 8259 (and this decoder) is not.
        #expect(try ClutchJSON.decoder().decode([Int].self, from: Data("[1,]".utf8)) == [1])
        expectRefused(Array("[1,]".utf8))
        expectRefused(Array(#"{"a":1,}"#.utf8))
    }

    @Test func deepNestingIsRefusedWithoutOverflowingTheStack() {
        for text in [
            String(repeating: "[", count: 100_000),
            String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000),
            String(repeating: #"{"a":"#, count: 100_000),
            String(repeating: "[{\"a\":", count: 50_000),
        ] {
            expectRefused(Array(text.utf8))
            #expect(throws: DecodingError.self) { try ClutchJSON.fastDecode(Snapshot.self, from: Data(text.utf8)) }
        }
    }

    @Test func everyTruncationOfASnapshotIsRefused() throws {
        let bytes = Array(try ClutchJSON.encode(Self.snapshot(flags: 2)))
        for end in 0..<bytes.count {
            #expect(throws: DecodingError.self) { try ClutchJSONDecoder().decode(Snapshot.self, from: Array(bytes[..<end])) }
        }
        #expect(throws: Never.self) { try ClutchJSONDecoder().decode(Snapshot.self, from: bytes) }
        for garbage in ["x", "}", "]", ",", "0", "{}", "\"\"", " 1"] {
            expectRefused(bytes + Array(garbage.utf8))
        }
    }

    @Test func damagedSnapshotsNeverCrashAndDecodeOnlyWhatJSONDecoderDecodes() throws {
        var random = SplitMix64(seed: 42)
        let original = Array(try ClutchJSON.encode(Self.snapshot(flags: 3)))
        let alphabet = Array(#"{}[]":,.-+eE0123456789 \nnulltruefalse"\u00e9\ud83d"#.utf8) + [0x00, 0x1F, 0x7F, 0xC3, 0xFF]
        for _ in 0..<2_000 {
            var bytes = original
            for _ in 0...random.below(3) {
                let at = random.below(bytes.count)
                switch random.below(3) {
                case 0: bytes.remove(at: at)
                case 1: bytes.insert(random.pick(alphabet), at: at)
                default: bytes[at] = random.pick(alphabet)
                }
            }
            let (foundation, fast) = both(Snapshot.self, bytes)
            if case .success(let value) = fast {
                // Stricter, never more lenient: what this decoder takes, JSONDecoder takes the same way.
                #expect((try? foundation.get()) == value, "\(String(decoding: bytes, as: UTF8.self))")
            } else if case .failure(let error) = fast {
                #expect(error is DecodingError)
            }
        }
    }

    // MARK: Models

    /// A snapshot with every clause kind, variant value kind and optional field.
    static func snapshot(flags count: Int = 3) -> Snapshot {
        let clauses = Operator.allCases.map { op -> Clause in
            let values: [String] = switch op {
            case .exists: []
            case .lessThan, .lessThanOrEqual, .greaterThan, .greaterThanOrEqual: ["10", "2.5"]
            case .semverEqual, .semverLessThan, .semverLessThanOrEqual, .semverGreaterThan, .semverGreaterThanOrEqual: ["1.2.3"]
            case .before, .after: ["2026-01-01T00:00:00Z", "1700000000"]
            case .matches: ["^a.*z$"]
            default: ["x", "y\u{e9}", "😀"]
            }
            return Clause(attribute: "attr-\(op.rawValue)", op, values, negate: op.rawValue.count % 2 == 0)
        } + [.inCohort("staff"), .inCohort("beta", negate: true)]
        var flags: [Flag] = []
        for i in 0..<count {
            flags.append(Flag(
                key: "flag-\(i)", description: "the \"flag\" \(i)\n", tags: ["a", "b\(i)"],
                environments: ["production": FlagState(
                    enabled: i % 2 == 0,
                    targets: [Target(variant: "on", values: ["u\(i)", "u\(i + 1)"]), Target(variant: "off", attribute: "customerId", values: ["c"])],
                    rules: [
                        Rule(description: "everything", clauses: clauses, serve: .variant("on")),
                        Rule(clauses: [Clause(attribute: "role", .in, ["admin"])], serve: .rollout(.percentage(25, of: "on", rest: "off"))),
                    ],
                    default: i % 3 == 0 ? nil : .rollout(Rollout(bucketBy: "customerId", weights: [
                        .init(variant: "on", weight: 33_333), .init(variant: "off", weight: 66_667),
                    ])))]))
        }
        flags.append(Flag(
            key: "object", type: .object, variants: [
                Variant(key: "a", value: ["x": 1, "y": [true, .null, 2.5, "s", -1.25, 1e300], "z": ["nested": [:]]], description: "A"),
                Variant(key: "b", value: [1, 2, 3]),
            ], offVariant: "b", salt: "salt", archived: true,
            environments: ["production": FlagState(enabled: true, default: .variant("a"))]))
        flags.append(Flag(key: "double", type: .double, variants: [Variant(key: "pi", value: 3.14159), Variant(key: "big", value: .double(1e22))]))
        flags.append(Flag(key: "integer", type: .integer, variants: [Variant(key: "max", value: .integer(.max)), Variant(key: "min", value: .integer(.min))]))
        flags.append(Flag(key: "string", type: .string, variants: [Variant(key: "s", value: "\u{0}\u{1F}\u{7F}é😀\\\"/")]))
        return Snapshot(environment: "production", version: 42, flags: flags, cohorts: [
            Cohort(key: "staff", description: "people", members: ["a", "b"], clauses: [Clause(attribute: "email", .endsWith, ["@clutch.dev"])]),
            Cohort(key: "beta", attribute: "targetingKey", members: ["x"]),
        ])
    }

    @Test func snapshotsDecodeToTheSameValues() throws {
        let snapshot = Self.snapshot()
        for bytes in [try ClutchJSON.encode(snapshot), try ClutchJSON.encode(snapshot, pretty: true)] {
            let decoded = try ClutchJSONDecoder().decode(Snapshot.self, from: bytes)
            #expect(decoded == snapshot)
            #expect(decoded == (try ClutchJSON.decode(Snapshot.self, from: bytes)))
            expectSame(Snapshot.self, Array(bytes), strict: true)
        }
        let document = ClutchDocument(flags: snapshot.flags, cohorts: ["production": snapshot.cohorts])
        expectSame(ClutchDocument.self, Array(try ClutchJSON.encode(document)))
        expectSame(ClutchDocument.self, Array(try ClutchJSON.encode(document)), strict: true)
    }

    @Test func manyFlagsSharingValuesDecodeToTheSameValues() throws {
        // Thousands of flags repeating variants, rules and serves: decoded once, shared after.
        var flags: [Flag] = []
        for i in 0..<2_000 {
            flags.append(Flag(key: "f\(i)", environments: ["production": FlagState(
                enabled: i % 5 != 0,
                targets: i % 3 == 0 ? [] : [Target(variant: "on", values: ["c\(i % 7)"])],
                rules: [Rule(clauses: [Clause(attribute: "role", .in, ["admin"])], serve: .variant(i % 2 == 0 ? "on" : "off"))],
                default: .rollout(.percentage(Double(i % 4) * 25, of: "on", rest: "off")))]))
        }
        let snapshot = Snapshot(environment: "production", version: 1, flags: flags)
        let bytes = try ClutchJSON.encode(snapshot)
        #expect(try ClutchJSON.fastDecode(Snapshot.self, from: bytes) == snapshot)
        expectSame(Snapshot.self, Array(bytes), strict: true)
    }

    @Test func defaultsOfMissingFieldsAsJSONDecoder() {
        expectSame(Flag.self, #"{"key": "f"}"#)
        expectSame(Flag.self, #"{"key": "f", "type": "string", "variants": [{"key": "a", "value": "x"}]}"#)
        expectSame(Flag.self, #"{"key": "f", "salt": null, "description": null, "tags": null, "environments": {"p": {}}}"#)
        expectSame(FlagState.self, #"{"default": {"variant": "on"}, "rules": [{"clauses": [], "serve": {"rollout": {"weights": []}}}]}"#)
        expectSame(Snapshot.self, #"{"environment": "e", "version": 1, "flags": [], "cohorts": []}"#)
        expectSame(Variant.self, #"{"key": "v", "value": null}"#)
        expectSame(Cohort.self, #"{"key": "c"}"#)
    }

    @Test(arguments: [
        #"{"key": 1}"#, #"{"type": "boolean"}"#, #"{"key": "f", "type": "boolen"}"#, #"{"key": "f", "tags": "a"}"#,
        #"{"key": "f", "tags": [1]}"#, #"{"key": "f", "archived": "yes"}"#, #"{"key": "f", "variants": {}}"#,
        #"{"key": "f", "environments": []}"#, #"{"key": "f", "environments": {"p": {"enabled": 1}}}"#,
        #"{"key": "f", "environments": {"p": {"rules": [{"clauses": [{"negate": "no"}], "serve": {}}]}}}"#,
        #"{"key": "f", "environments": {"p": {"rules": [{"clauses": []}]}}}"#,
        #"{"key": "f", "environments": {"p": {"default": {"rollout": {"weights": [{"variant": "on", "weight": 1.5}]}}}}}"#,
        #"{"key": "f", "environments": {"p": {"default": {"rollout": {"weights": [{"variant": "on", "weight": 1e30}]}}}}}"#,
        #"{"key": "f", "environments": {"p": {"targets": [{"values": ["a"]}]}}}"#,
        #"{"key": "f", "environments": {"p": {"targets": [{"variant": "on", "values": "a"}]}}}"#,
        #"{"key": "f", "environments": {"p": {"targets": {}}}}"#, "[]", "null", "1",
    ])
    func badFieldsFailAtTheSamePath(_ text: String) {
        let (foundation, fast) = both(Flag.self, text)
        guard case .failure(let a as DecodingError) = foundation, case .failure(let b as DecodingError) = fast else {
            Issue.record("expected both to fail: \(foundation) / \(fast)")
            return
        }
        #expect(Self.kind(a) == Self.kind(b), "\(a) / \(b)")
        // A number no type can hold: JSONDecoder reports invalid JSON without a path; this
        // decoder names the field.
        if Self.kind(a) == "dataCorrupted", Self.path(a).isEmpty {
            #expect(Self.path(b).last == "weight")
        } else {
            #expect(Self.path(a) == Self.path(b), "\(a) / \(b)")
        }
    }

    static func path(_ error: DecodingError) -> [String] {
        let context: DecodingError.Context
        switch error {
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .keyNotFound(_, let c), .dataCorrupted(let c): context = c
        @unknown default: return []
        }
        var path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
        if case .keyNotFound(let key, _) = error { path.append("missing \(key.stringValue)") }
        return path
    }

    static func kind(_ error: DecodingError) -> String {
        switch error {
        case .typeMismatch: return "typeMismatch"
        case .valueNotFound: return "valueNotFound"
        case .keyNotFound: return "keyNotFound"
        case .dataCorrupted: return "dataCorrupted"
        @unknown default: return "unknown"
        }
    }

    // MARK: Unknown keys

    @Test(arguments: [
        #"{"key": "f", "enabld": true}"#,
        #"{"key": "f", "variants": [{"key": "on", "value": true, "extra": 1}]}"#,
        #"{"key": "f", "environments": {"p": {"enabled": true, "rule": []}}}"#,
        #"{"key": "f", "environments": {"p": {"targets": [{"variant": "on", "values": [], "attr": "x"}]}}}"#,
        #"{"key": "f", "environments": {"p": {"rules": [{"clauses": [{"attribute": "a", "operator": "in", "value": ["x"]}], "serve": {"variant": "on"}}]}}}"#,
        #"{"key": "f", "environments": {"p": {"rules": [{"clauses": [], "serve": {"variant": "on", "weight": 1}}]}}}"#,
        #"{"key": "f", "environments": {"p": {"default": {"rollout": {"bucket": "x", "weights": []}}}}}"#,
        #"{"key": "f", "environments": {"p": {"default": {"rollout": {"weights": [{"variant": "on", "weight": 1, "w": 2}]}}}}}"#,
        #"{"key": "f", "b": 1, "a": 2}"#,
    ])
    func unknownKeysAreRefusedWhereTheStrictDecoderRefusesThem(_ text: String) {
        // Accepted (and equal) when not strict.
        expectSame(Flag.self, text)
        #expect(throws: Never.self) { try ClutchJSONDecoder().decode(Flag.self, from: Array(text.utf8)) }
        // Refused, at the same place and naming the same key, when strict.
        let (foundation, fast) = both(Flag.self, text, strict: true)
        guard case .failure(let a as DecodingError) = foundation, case .failure(let b as DecodingError) = fast else {
            Issue.record("expected both to refuse: \(foundation) / \(fast)")
            return
        }
        #expect(Self.path(a) == Self.path(b))
        #expect("\(a)".contains("unknown field") && "\(b)".contains("unknown field"))
        if case .dataCorrupted(let x) = a, case .dataCorrupted(let y) = b { #expect(x.debugDescription == y.debugDescription) }
    }

    @Test func unknownKeysOfEveryModelAreRefusedWhenStrict() {
        expectSame(Cohort.self, #"{"key": "c", "member": ["a"]}"#, strict: true)
        expectSame(ClutchDocument.self, #"{"flags": [], "cohort": {}}"#, strict: true)
        expectSame(Variant.self, #"{"key": "v", "value": 1, "label": "x"}"#, strict: true)
        expectSame(Clause.self, #"{"cohort": "c", "negated": true}"#, strict: true)
        // Value objects may hold any keys.
        expectSame(Variant.self, #"{"key": "v", "value": {"anything": {"goes": 1}}}"#, strict: true)
    }

    // MARK: Dates and Foundation types

    struct Stamped: Codable, Equatable {
        var savedAt: Date
        var url: URL?
        var data: Data?
        var amount: Decimal?
    }

    @Test(arguments: [
        "2024-01-02T03:04:05Z", "2024-01-02T03:04:05.123Z", "2024-01-02T03:04:05+02:00", "2024-01-02T03:04:05-00:30",
        "2024-02-29T23:59:59Z", "2024-01-02", "2024-01-02T03:04:05", "2024-01-02 03:04:05Z", "2024-01-02t03:04:05z",
        "2023-02-29T00:00:00Z", "not a date", "",
    ])
    func datesReadAsISO8601LikeJSONDecoder(_ text: String) {
        expectSame(Stamped.self, #"{"savedAt": "\#(text)"}"#)
    }

    @Test func foundationTypesAsJSONDecoder() throws {
        expectSame(Stamped.self, #"{"savedAt": 5}"#)
        expectSame(Stamped.self, #"{"savedAt": null}"#)
        expectSame(Stamped.self, #"{"savedAt": "2024-01-02T03:04:05Z", "url": "https://example.com/a?b=c", "data": "aGVsbG8=", "amount": 12.5}"#)
        expectSame(Stamped.self, #"{"savedAt": "2024-01-02T03:04:05Z", "data": "not base64!"}"#)
        expectSame(Stamped.self, #"{"savedAt": "2024-01-02T03:04:05Z", "amount": "12"}"#)
        let stamped = Stamped(savedAt: Date(timeIntervalSince1970: 1_700_000_000), url: URL(string: "http://127.0.0.1:9"), data: Data([1, 2, 3]), amount: 7)
        #expect(try ClutchJSON.fastDecode(Stamped.self, from: ClutchJSON.encode(stamped)) == stamped)
    }

    // MARK: Containers

    /// Reads its JSON through every kind of container, recording what it saw.
    struct Probe: Decodable, Equatable {
        var seen: [String] = []

        enum Keys: String, CodingKey { case list, object, missing, nested, extra }
        enum Inner: String, CodingKey { case x, y }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: Keys.self)
            seen.append("keys \(c.allKeys.map(\.stringValue).sorted())")
            seen.append("contains \(c.contains(.list)) \(c.contains(.missing))")
            seen.append("nil \((try? c.decodeNil(forKey: .extra)).map(String.init(describing:)) ?? "throws")")
            var list = try c.nestedUnkeyedContainer(forKey: .list)
            seen.append("count \(list.count ?? -1)")
            while !list.isAtEnd {
                if try list.decodeNil() {
                    seen.append("null at \(list.currentIndex - 1)")
                } else if let i = try? list.decode(Int.self) {
                    seen.append("int \(i)")
                } else if var inner = try? list.nestedUnkeyedContainer() {
                    seen.append("inner \(try inner.decode(String.self)) path \(inner.codingPath.map(\.stringValue))")
                } else {
                    let s = try list.decode(String.self)
                    seen.append("string \(s)")
                }
            }
            seen.append("end \((try? list.decode(Int.self)).map(String.init) ?? "throws")")
            let object = try c.nestedContainer(keyedBy: Inner.self, forKey: .object)
            seen.append("x \(try object.decode(Int.self, forKey: .x)) path \(object.codingPath.map(\.stringValue))")
            seen.append("y \(String(describing: try object.decodeIfPresent(String.self, forKey: .y)))")
            do {
                _ = try object.decode(Bool.self, forKey: .x)
            } catch let error as DecodingError {
                seen.append("error \(ClutchJSONDecoderTests.kind(error)) \(ClutchJSONDecoderTests.path(error))")
            }
            let sup = try c.superDecoder(forKey: .nested)
            seen.append("super \(try sup.singleValueContainer().decode([Int].self)) path \(sup.codingPath.map(\.stringValue))")
            let missing = try c.superDecoder(forKey: .missing)
            seen.append("missing super nil \(try missing.singleValueContainer().decodeNil())")
            let single = try decoder.singleValueContainer()
            seen.append("single \((try? single.decode(Int.self)).map(String.init) ?? "throws")")
        }

        init(seen: [String]) { self.seen = seen }
    }

    @Test func containersBehaveAsJSONDecoderContainers() throws {
        let text = #"{"list": [1, null, "two", ["three"], 4], "object": {"x": 5}, "nested": [6, 7], "extra": null}"#
        let (foundation, fast) = both(Probe.self, text)
        let a = try foundation.get(), b = try fast.get()
        #expect(a == b)
        #expect(b.seen.contains("inner three path [\"list\", \"Index 3\"]") || b.seen.contains { $0.hasPrefix("inner three") })
    }

    // MARK: Random values

    static func randomValue(_ random: inout SplitMix64, depth: Int = 0) -> Value {
        switch random.below(depth > 3 ? 5 : 7) {
        case 0: return .null
        case 1: return .bool(random.below(2) == 0)
        case 2: return .integer(Int64(bitPattern: random.next()) >> Int64(random.below(64)))
        case 3:
            let d = Double(bitPattern: random.next())
            return .double(d.isFinite ? d : Double(random.below(1000)) / 7)
        case 4:
            let scalars = (0..<random.below(12)).map { _ -> Character in
                let pool: [Character] = ["a", "Z", "0", " ", "\"", "\\", "/", "\n", "\u{1}", "é", "€", "😀", "\u{7F}", "\u{2028}"]
                return random.pick(pool)
            }
            return .string(String(scalars))
        case 5: return .array((0..<random.below(5)).map { _ in randomValue(&random, depth: depth + 1) })
        default:
            var object: [String: Value] = [:]
            for _ in 0..<random.below(5) { object["k\(random.below(8))\(random.pick(["", "é", "\\", "\""]))"] = randomValue(&random, depth: depth + 1) }
            return .object(object)
        }
    }

    @Test func randomValuesDecodeAsWithJSONDecoder() throws {
        var random = SplitMix64(seed: 7)
        for _ in 0..<500 {
            let value = Self.randomValue(&random)
            let bytes = Array(try ClutchJSON.encode(value))
            expectIdentical(bytes)
            let text = Array(value.jsonText.utf8)
            expectIdentical(text)
        }
    }
}
