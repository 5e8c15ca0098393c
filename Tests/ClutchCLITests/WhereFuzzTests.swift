import ClutchCore
import TestSupport
import Testing

@testable import ClutchCLI

/// Property-based tests of the `--where` parser: generated conditions parse to the clause they
/// describe, and random text never crashes it (it parses or fails with a message). Seeded and
/// bounded.
@Suite("--where parser fuzzing")
struct WhereFuzzTests {
    @Test func generatedConditionsParseToTheirClause() throws {
        var rng = SplitMix64(seed: 42)
        let attributes = ["plan", "customerId", "app.version", "email", "role"]
        let operators = Operator.allCases.filter { $0 != .exists }
        // Values each operator accepts (the parser checks numbers, versions and dates).
        func values(for op: Operator) -> [String] {
            switch op {
            case .lessThan, .lessThanOrEqual, .greaterThan, .greaterThanOrEqual: ["18", "2.5", "-3"]
            case .semverEqual, .semverLessThan, .semverLessThanOrEqual, .semverGreaterThan, .semverGreaterThanOrEqual:
                ["2.3.0", "1.0.0-beta", "10.20.30"]
            case .before, .after: ["2026-01-01", "2026-01-01T09:00:00Z", "1767225600"]
            default: ["pro", "enterprise", "@acme.com", "a_b", "2.3.0"]
            }
        }
        for _ in 0..<2_000 {
            let attribute = attributes[Int(rng.next() % UInt64(attributes.count))]
            let op = operators[Int(rng.next() % UInt64(operators.count))]
            let pool = values(for: op)
            // A pattern is the whole rest of the condition (commas belong to it).
            let count = op == .matches ? 1 : 1 + Int(rng.next() % 3)
            let chosen = (0..<count).map { _ in pool[Int(rng.next() % UInt64(pool.count))] }
            let negate = rng.next() % 2 == 0
            let text = (negate ? "not " : "") + "\(attribute) \(op.rawValue) \(chosen.joined(separator: ","))"
            let clause = try WhereOption.parse(text)
            #expect(clause == Clause(attribute: attribute, op, chosen, negate: negate), "\(text)")
        }
    }

    @Test func randomTextNeverCrashes() {
        var rng = SplitMix64(seed: 7)
        let words = ["not", "in", "cohort", "exists", "plan", "=", "!=", "semver>=", "matches", ",", " ", "\t", "'", "\"", "é", ""]
        var parsed = 0
        for _ in 0..<20_000 {
            let text = (0..<Int(rng.next() % 6)).map { _ in words[Int(rng.next() % UInt64(words.count))] }.joined(separator: " ")
            if (try? WhereOption.parse(text)) != nil { parsed += 1 }
        }
        #expect(parsed > 0 && parsed < 20_000)
    }
}
