import ClutchCore
import Foundation
import Testing

@testable import ClutchServer

@Suite("JSON value parser")
struct JSONValueParserTests {
    @Test(arguments: [
        (#"{"a": 1, "b": [true, false, null], "c": {"d": "e"}}"#, Value.object(["a": 1, "b": [true, false, nil], "c": ["d": "e"]])),
        ("  -12 ", .integer(-12)),
        ("1.0", .double(1.0)),
        ("2.5e3", .double(2500)),
        ("9223372036854775808", .double(9_223_372_036_854_775_808)),
        (#""tab\tquote\"slash\/é\u00e9\ud83d\ude00""#, .string("tab\tquote\"slash/éé😀")),
        ("[]", .array([])),
        ("{}", .object([:])),
    ])
    func parses(_ text: String, _ expected: Value) throws {
        #expect(try JSONValueParser.parse(Array(text.utf8)) == expected)
    }

    @Test(arguments: ["", "{", #"{"a" 1}"#, "[1,]", "01", "1.", "tru", #""\x""#, #""\ud83d""#, "{} x", "\"a\nb\"", String(repeating: "[", count: 100)])
    func refuses(_ text: String) {
        #expect(throws: JSONValueParser.Failure.self) { try JSONValueParser.parse(Array(text.utf8)) }
    }

    @Test func agreesWithJSONDecoderOnAContext() throws {
        let text = #"{"context": {"targetingKey": "u1", "plan": "pro", "seats": 12, "ratio": 0.25, "roles": ["a", "b"], "beta": true}}"#
        let decoded = try JSONDecoder().decode(Value.self, from: Data(text.utf8))
        #expect(try JSONValueParser.parse(Array(text.utf8)) == decoded)
    }
}
