import Foundation
import Testing
import ClutchCore

@Suite struct JSONTests {
    @Test func minimalBooleanFlagGetsItsDefaults() throws {
        let flag = try ClutchJSON.decode(Flag.self, from: Data(#"{"key": "new-checkout"}"#.utf8))
        #expect(flag.type == .boolean)
        #expect(flag.variants.map(\.key) == ["on", "off"])
        #expect(flag.offVariant == "off")
        #expect(flag.effectiveSalt == "new-checkout")
        #expect(flag.environments.isEmpty)
    }

    @Test func documentedExampleDecodesAndEvaluates() throws {
        let json = #"""
        {
          "key": "new-checkout",
          "type": "boolean",
          "description": "The new checkout flow",
          "environments": {
            "production": {
              "enabled": true,
              "targets": [{"variant": "on", "attribute": "customerId", "values": ["acme", "globex"]}],
              "rules": [
                {"clauses": [{"attribute": "role", "operator": "in", "values": ["admin"]}], "serve": {"variant": "on"}},
                {"clauses": [{"cohort": "beta-customers"}], "serve": {"variant": "on"}}
              ],
              "default": {"rollout": {"bucketBy": "customerId",
                          "weights": [{"variant": "on", "weight": 5000}, {"variant": "off", "weight": 95000}]}}
            }
          }
        }
        """#
        let flag = try ClutchJSON.decode(Flag.self, from: Data(json.utf8))
        let cohort = Cohort(key: "beta-customers", members: ["initech"])
        try flag.validate(cohorts: ["production": ["beta-customers"]])
        let e = engine([flag], cohorts: [cohort])
        #expect(e.evaluate("new-checkout", context: context("u1", ["customerId": "acme"])).reason == .targetingMatch)
        #expect(e.evaluate("new-checkout", context: context("u1", ["role": ["admin"]])).match == .rule(index: 0))
        #expect(e.evaluate("new-checkout", context: context("u1", ["customerId": "initech"])).match == .rule(index: 1))
        #expect(e.evaluate("new-checkout", context: context("u1", ["customerId": "hooli"])).reason == .split)
    }

    @Test func roundTripIsLosslessAndBytesAreStable() throws {
        let flag = Flag(key: "f", type: .object, description: "d", tags: ["t"],
                        variants: [Variant(key: "a", value: ["x": 1, "y": [true, .null, 2.5, "s"]]), Variant(key: "b", value: [:])],
                        offVariant: "b", salt: "s", environments: ["production": FlagState(enabled: true, rules: [
                            Rule(description: "r", clauses: [Clause(attribute: "c", .in, ["1"], negate: true), .inCohort("k")],
                                 serve: .rollout(.percentage(33.333, of: "a", rest: "b")))])])
        let data = try ClutchJSON.encode(flag)
        let decoded = try ClutchJSON.decode(Flag.self, from: data)
        #expect(decoded == flag)
        #expect(try ClutchJSON.encode(decoded) == data)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.hasPrefix(#"{"archived":false,"description":"d","environments""#))
    }

    @Test(arguments: [
        (Value.double(1), "1.0"), (.double(-0.5), "-0.5"), (.integer(3), "3"), (.double(1e20), "1e+20"),
        (.string("a\"b\\c\n"), #""a\"b\\c\n""#), (.object(["b": 1, "a": [.null, true]]), #"{"a":[null,true],"b":1}"#),
    ])
    func exactJSONText(value: Value, expected: String) {
        #expect(value.jsonText == expected)
    }

    @Test func valuesKeepIntegersAndDoublesApart() throws {
        let values = try ClutchJSON.decode([Value].self, from: Data("[1, 1.5, true, \"x\", null]".utf8))
        #expect(values == [.integer(1), .double(1.5), .bool(true), .string("x"), .null])
    }
}
