import ClutchCore
import Foundation
import NIOCore
import TestSupport
import Testing

@testable import ClutchServer

/// Property-based tests of the OFREP body parser: random JSON documents round-trip, and
/// random or mutated bytes never crash it (they parse or fail with a message). Bounded and
/// seeded, so a run takes well under a second and a failure repeats.
@Suite("OFREP body parser fuzzing")
struct ParserFuzzTests {
    @Test func randomDocumentsRoundTrip() throws {
        var rng = SplitMix64(seed: 0x0f1e_2d3c)
        for _ in 0..<2_000 {
            let value = Self.randomValue(&rng, depth: 0)
            let text = value.jsonText
            let parsed = try JSONValueParser.parse(Array(text.utf8))
            #expect(parsed == value, "\(text)")
        }
    }

    @Test func randomAndMutatedBytesNeverCrash() {
        var rng = SplitMix64(seed: 0x5eed)
        let alphabet = Array("{}[]\":,.-+eE0123456789 truefalsnl\\u\u{00e9}\n".utf8)
        var parsedCount = 0
        for round in 0..<20_000 {
            var bytes: [UInt8]
            if round % 2 == 0 {
                let length = Int(rng.next() % 40)
                bytes = (0..<length).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            } else {
                // A valid body with a few bytes changed, dropped or added.
                bytes = Array(#"{"context": {"targetingKey": "u1", "n": [1, 2.5e3, -0.1], "o": {"a": null}}}"#.utf8)
                for _ in 0..<(1 + Int(rng.next() % 3)) {
                    let at = Int(rng.next() % UInt64(bytes.count))
                    switch rng.next() % 3 {
                    case 0: bytes[at] = UInt8(truncatingIfNeeded: rng.next())
                    case 1: bytes.remove(at: at)
                    default: bytes.insert(alphabet[Int(rng.next() % UInt64(alphabet.count))], at: at)
                    }
                }
            }
            if (try? JSONValueParser.parse(bytes)) != nil { parsedCount += 1 }
            // The whole OFREP path: parse, then build a context (limits included).
            _ = try? OFREPController.context(from: ByteBuffer(bytes: bytes))
        }
        // Some inputs are valid JSON and some are not: the generator reaches both sides.
        #expect(parsedCount > 0 && parsedCount < 20_000)
    }

    @Test func deepNestingIsRefusedNotOverflowed() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONValueParser.Failure.self) { try JSONValueParser.parse(Array(deep.utf8)) }
    }

    static func randomValue(_ rng: inout SplitMix64, depth: Int) -> Value {
        switch rng.next() % (depth > 3 ? 5 : 7) {
        case 0: return .null
        case 1: return .bool(rng.next() % 2 == 0)
        case 2: return .integer(Int64(bitPattern: rng.next()) >> Int64(rng.next() % 60))
        case 3: return .double(Double(Int64(bitPattern: rng.next()) >> 20) / 1024.5)
        case 4: return .string(randomString(&rng))
        case 5: return .array((0..<Int(rng.next() % 4)).map { _ in randomValue(&rng, depth: depth + 1) })
        default:
            var fields: [String: Value] = [:]
            for _ in 0..<Int(rng.next() % 4) { fields[randomString(&rng)] = randomValue(&rng, depth: depth + 1) }
            return .object(fields)
        }
    }

    static func randomString(_ rng: inout SplitMix64) -> String {
        let pool: [Unicode.Scalar] = ["a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\u{01}", "é", "\u{0301}", "😀", "\u{2028}"]
        return String(String.UnicodeScalarView((0..<Int(rng.next() % 8)).map { _ in pool[Int(rng.next() % UInt64(pool.count))] }))
    }
}
