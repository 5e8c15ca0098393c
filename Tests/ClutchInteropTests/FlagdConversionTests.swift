import ClutchAPI
import ClutchCore
import ClutchInterop
import Foundation
import Testing

@Suite("flagd documents to Clutch and back, construct by construct")
struct FlagdConversionTests {
    func convert(_ json: String, environment: String? = "staging") throws -> Conversion {
        try FlagdImport().convert(Data(json.utf8), environment: environment)
    }

    func state(_ conversion: Conversion, _ key: String) -> FlagState? {
        conversion.document.flags.first { $0.key == key }?.environments["staging"]
    }

    @Test("an or becomes one rule per branch, and sem_ver ~ two clauses")
    func orAndTilde() throws {
        let conversion = try convert(#"""
            {"flags": {"f": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off",
              "targeting": {"if": [{"or": [{"==": ["pro", {"var": "plan"}]}, {"sem_ver": [{"var": "v"}, "~", "1.2.3"]}]}, "on", null]}}}}
            """#)
        #expect(conversion.unmapped.isEmpty, "\(conversion.unmapped)")
        let rules = try #require(state(conversion, "f")?.rules)
        #expect(rules.map(\.clauses) == [
            [Clause(attribute: "plan", .in, ["pro"])],
            [Clause(attribute: "v", .semverGreaterThanOrEqual, ["1.2.0-0"]), Clause(attribute: "v", .semverLessThan, ["1.3.0-0"])],
        ])
        #expect(rules.allSatisfy { $0.serve == .variant("on") })
        #expect(state(conversion, "f")?.default == .variant("off"))
    }

    @Test("fractional keeps flagd's buckets: the seed is the salt, weights scale to 100,000ths")
    func fractional() throws {
        let conversion = try convert(#"""
            {"flags": {"f": {"state": "ENABLED", "variants": {"a": "A", "b": "B"}, "defaultVariant": "a",
              "targeting": {"fractional": [{"cat": ["seed-1", {"var": "customerId"}]}, ["a", 1], ["b", 3]]}}}}
            """#)
        let flag = try #require(conversion.document.flags.first)
        #expect(flag.salt == "seed-1")
        #expect(flag.offVariant == "a", "what flagd serves a context it cannot bucket")
        #expect(flag.environments["staging"]?.default == .rollout(Rollout(bucketBy: "customerId", weights: [
            Rollout.Weight(variant: "a", weight: 25000), Rollout.Weight(variant: "b", weight: 75000),
        ])))
        #expect(conversion.notes.isEmpty, "4 divides 100,000: nothing moves")
    }

    @Test("two seeds in one flag, a computed branch and an or inside an and are named, and the flag is not converted")
    func unmappable() throws {
        let conversion = try convert(#"""
            {"flags": {"f": {"state": "ENABLED", "variants": {"a": "A", "b": "B"}, "defaultVariant": "a",
              "targeting": {"if": [{"and": [{"==": [{"var": "x"}, 1]}, {"or": [{"==": [{"var": "y"}, 1]}, {"==": [{"var": "z"}, 1]}]}]},
                {"if": [true, "a", "b"]},
                {"if": [{"==": [{"var": "x"}, 2]}, {"fractional": [{"cat": ["one", {"var": "id"}]}, ["a", 1], ["b", 1]]},
                  {"fractional": [{"cat": ["two", {"var": "id"}]}, ["a", 1], ["b", 1]]}]}]}}}}
            """#)
        #expect(conversion.document.flags.isEmpty)
        #expect(Set(conversion.unmapped.map(\.path)) == [
            "flags.f.targeting.if[0].and[1]", "flags.f.targeting.if[1]", "flags.f.targeting.if[2].if[2].fractional[0]",
        ], "\(conversion.unmapped)")
    }

    @Test("an environment is required, and a file that is not a flagd document fails as a whole")
    func refused() {
        #expect(throws: ConversionFailure.self) { try convert(#"{"flags": {}}"#, environment: nil) }
        #expect(throws: ConversionFailure(path: "flags", "a flagd document has its flags under \"flags\" (an object by key, or a list)")) {
            try convert(#"{"flag": {}}"#)
        }
    }

    @Test("export leaves out whole the flags flagd cannot express, and writes a disabled flag as serving its off variant")
    func export() {
        let snapshot = Snapshot(environment: "production", version: 3, flags: [
            Flag(key: "off-now", environments: ["production": FlagState(enabled: false, default: .variant("on"))]),
            Flag(key: "needs", environments: ["production": FlagState(enabled: true, prerequisites: [Prerequisite(flag: "off-now", variant: "on")])]),
            Flag(key: "dotted", environments: ["production": FlagState(
                enabled: true, rules: [Rule(clauses: [Clause(attribute: #"app\.version"#, .semverEqual, ["1.0.0"])], serve: .variant("on"))])]),
        ])
        let exported = FlagdExport.document(snapshot)
        #expect(exported.json.at("flags.off-now") == ["state": "ENABLED", "variants": ["on": true, "off": false], "defaultVariant": "off"])
        #expect(exported.json.at("flags.needs") == nil)
        #expect(exported.json.at("flags.dotted") == nil)
        #expect(exported.unexpressed.map(\.path) == ["flags.needs.prerequisites[0]", "flags.dotted.rules[0].clauses[0].attribute"])
        #expect(exported.json.at("metadata.version") == "3")
    }
}

extension Value {
    /// The member at a dotted path of object keys.
    func at(_ path: String) -> Value? {
        var current: Value? = self
        for key in path.split(separator: ".") {
            guard case .object(let members)? = current else { return nil }
            current = members[String(key)]
        }
        return current
    }
}
