import ClutchCore
import Foundation
import TestSupport

/// LaunchDarkly flags as its SDKs' file data source reads them: every operator the importer maps,
/// targets, a segment of keys and one of clauses, a prerequisite, nested attributes, an object flag —
/// and two rollouts, compared by proportion.
enum LaunchDarklyCorpus {
    static let environment = "production"

    /// Flags answered deterministically: compared context by context.
    static let compared = [
        "ld-off", "ld-targets", "ld-email-rule", "ld-plan", "ld-strings", "ld-age", "ld-semver", "ld-not-country",
        "ld-segment", "ld-segment-rule", "ld-prerequisite", "ld-matches", "ld-json", "ld-before", "ld-city",
    ]
    /// Rollouts: compared by the share of contexts each variation gets.
    static let rollouts = ["ld-rollout", "ld-rule-rollout"]

    static let document = #"""
    {
      "flags": {
        "ld-off": {"key": "ld-off", "version": 3, "on": false, "variations": [true, false], "offVariation": 1,
                   "fallthrough": {"variation": 0}, "salt": "a"},
        "ld-targets": {"key": "ld-targets", "version": 1, "on": true, "variations": [true, false], "offVariation": 1,
                       "targets": [{"values": ["user-1", "user-2"], "variation": 0}, {"values": ["user-3"], "variation": 1}],
                       "contextTargets": [{"contextKind": "user", "values": [], "variation": 0}],
                       "rules": [{"id": "all", "clauses": [{"attribute": "key", "op": "startsWith", "values": ["user-3"]}], "variation": 0}],
                       "fallthrough": {"variation": 1}, "salt": "b"},
        "ld-email-rule": {"key": "ld-email-rule", "version": 1, "on": true, "variations": [true, false], "offVariation": 1,
                          "rules": [{"id": "corp", "clauses": [{"attribute": "email", "op": "endsWith", "values": ["@corp.io"]}], "variation": 0}],
                          "fallthrough": {"variation": 1}, "salt": "c"},
        "ld-plan": {"key": "ld-plan", "version": 1, "on": true, "variations": ["basic", "premium", "gold"], "offVariation": 0,
                    "rules": [{"id": "p", "clauses": [{"attribute": "plan", "op": "in", "values": ["pro"]}], "variation": 1},
                              {"id": "e", "clauses": [{"attribute": "plan", "op": "in", "values": ["enterprise", "gold"]}], "variation": 2}],
                    "fallthrough": {"variation": 0}, "salt": "d"},
        "ld-strings": {"key": "ld-strings", "version": 1, "on": true, "variations": [true, false], "offVariation": 1,
                       "rules": [{"id": "s", "clauses": [{"attribute": "email", "op": "startsWith", "values": ["u1"]}], "variation": 0},
                                 {"id": "c", "clauses": [{"attribute": "email", "op": "contains", "values": ["7@"]}], "variation": 0}],
                       "fallthrough": {"variation": 1}, "salt": "e"},
        "ld-age": {"key": "ld-age", "version": 1, "on": true, "variations": [1, 2, 3], "offVariation": 1,
                   "rules": [{"id": "young", "clauses": [{"attribute": "age", "op": "lessThan", "values": [18]}], "variation": 0},
                             {"id": "old", "clauses": [{"attribute": "age", "op": "greaterThanOrEqual", "values": [65]}], "variation": 2},
                             {"id": "mid", "clauses": [{"attribute": "age", "op": "lessThanOrEqual", "values": [30]},
                                                       {"attribute": "age", "op": "greaterThan", "values": [25]}], "variation": 0}],
                   "fallthrough": {"variation": 1}, "salt": "f"},
        "ld-semver": {"key": "ld-semver", "version": 1, "on": true, "variations": [true, false], "offVariation": 1,
                      "rules": [{"id": "v", "clauses": [{"attribute": "version", "op": "semVerGreaterThan", "values": ["1.2.2"]}], "variation": 0},
                                {"id": "w", "clauses": [{"attribute": "version", "op": "semVerEqual", "values": ["1.0.0"]}], "variation": 0}],
                      "fallthrough": {"variation": 1}, "salt": "g"},
        "ld-not-country": {"key": "ld-not-country", "version": 1, "on": true, "variations": [true, false], "offVariation": 1,
                           "rules": [{"id": "n", "clauses": [{"attribute": "country", "op": "in", "values": ["FR", "DE"], "negate": true}], "variation": 0}],
                           "fallthrough": {"variation": 1}, "salt": "h"},
        "ld-segment": {"key": "ld-segment", "version": 1, "on": true, "variations": [true, false], "offVariation": 1,
                       "rules": [{"id": "beta", "clauses": [{"attribute": "segmentMatch", "op": "segmentMatch", "values": ["beta-testers"]}], "variation": 0}],
                       "fallthrough": {"variation": 1}, "salt": "i"},
        "ld-segment-rule": {"key": "ld-segment-rule", "version": 1, "on": true, "variations": [true, false], "offVariation": 1,
                            "rules": [{"id": "big", "clauses": [{"attribute": "segmentMatch", "op": "segmentMatch", "values": ["big-customers"], "negate": true}], "variation": 0}],
                            "fallthrough": {"variation": 1}, "salt": "j"},
        "ld-prerequisite": {"key": "ld-prerequisite", "version": 1, "on": true, "variations": ["new", "old"], "offVariation": 1,
                            "prerequisites": [{"key": "ld-email-rule", "variation": 0}],
                            "fallthrough": {"variation": 0}, "salt": "k"},
        "ld-matches": {"key": "ld-matches", "version": 1, "on": true, "variations": [true, false], "offVariation": 1,
                       "rules": [{"id": "m", "clauses": [{"attribute": "email", "op": "matches", "values": ["^u[0-9]*5@"]}], "variation": 0}],
                       "fallthrough": {"variation": 1}, "salt": "l"},
        "ld-json": {"key": "ld-json", "version": 1, "on": true, "variations": [{"color": "red"}, {"color": "blue", "size": 2}], "offVariation": 0,
                    "rules": [{"id": "f", "clauses": [{"attribute": "plan", "op": "in", "values": ["free"]}], "variation": 1}],
                    "fallthrough": {"variation": 0}, "salt": "m"},
        "ld-before": {"key": "ld-before", "version": 1, "on": true, "variations": [true, false], "offVariation": 1,
                      "rules": [{"id": "d", "clauses": [{"attribute": "signedUp", "op": "before", "values": ["2026-01-01T00:00:00Z"]}], "variation": 0},
                                {"id": "e", "clauses": [{"attribute": "signedUp", "op": "after", "values": [1798761600000]}], "variation": 0}],
                      "fallthrough": {"variation": 1}, "salt": "n"},
        "ld-city": {"key": "ld-city", "version": 1, "on": true, "variations": [true, false], "offVariation": 1,
                    "rules": [{"id": "p", "clauses": [{"attribute": "/address/city", "op": "in", "values": ["Paris"], "contextKind": "user"}], "variation": 0}],
                    "fallthrough": {"variation": 1}, "salt": "o"},
        "ld-rollout": {"key": "ld-rollout", "version": 1, "on": true, "variations": [true, false], "offVariation": 1,
                       "fallthrough": {"rollout": {"variations": [{"variation": 0, "weight": 30000}, {"variation": 1, "weight": 70000}]}},
                       "salt": "p"},
        "ld-rule-rollout": {"key": "ld-rule-rollout", "version": 1, "on": true, "variations": ["a", "b", "c"], "offVariation": 0,
                            "rules": [{"id": "r", "clauses": [{"attribute": "plan", "op": "in", "values": ["pro"]}],
                                       "rollout": {"bucketBy": "key", "variations": [{"variation": 1, "weight": 50000}, {"variation": 2, "weight": 49999}]}}],
                            "fallthrough": {"variation": 0}, "salt": "q"}
      },
      "segments": {
        "beta-testers": {"key": "beta-testers", "version": 1, "included": ["user-3", "user-10", "user-11"], "excluded": [], "rules": [], "salt": "s"},
        "big-customers": {"key": "big-customers", "version": 1, "included": [], "excluded": [],
                          "rules": [{"clauses": [{"attribute": "plan", "op": "in", "values": ["enterprise"]}]}], "salt": "t"}
      }
    }
    """#

    /// Contexts as a LaunchDarkly user sends them: typed attributes, some missing.
    static func contexts(_ count: Int, seed: UInt64 = 23) -> [Value] {
        var random = SplitMix64(seed: seed)
        let plans: [Value?] = ["pro", "free", "enterprise", "gold", nil]
        let domains = ["corp.io", "example.com", "mail.org"]
        let countries: [Value?] = ["FR", "DE", "US", nil]
        let versions: [Value?] = ["1.2.3", "1.2.2", "1.0.0", "2.0.0", "1.10.1", "banana", nil]
        let dates: [Value?] = ["2025-06-01T12:00:00Z", "2027-02-01T00:00:00Z", "2026-06-01T00:00:00Z", nil]
        let cities: [Value?] = ["Paris", "Berlin", nil]
        return (0..<count).map { index in
            var context: [String: Value] = ["targetingKey": .string("user-\(index)")]
            context["email"] = .string("u\(random.below(40))@\(random.pick(domains))")
            if let plan = random.pick(plans) { context["plan"] = plan }
            if random.below(5) > 0 { context["age"] = .integer(Int64(random.below(90))) }
            if let country = random.pick(countries) { context["country"] = country }
            if let version = random.pick(versions) { context["version"] = version }
            if let date = random.pick(dates) { context["signedUp"] = date }
            if let city = random.pick(cities) { context["address"] = .object(["city": city]) }
            return .object(context)
        }
    }
}

/// Unleash features as its client API serves them (the file its SDKs bootstrap from): every
/// strategy and constraint operator the importer maps, inverted constraints on missing
/// attributes, a segment, variants — and a partial rollout, compared by proportion.
enum UnleashCorpus {
    static let environment = "production"

    static let compared = [
        "unl-default", "unl-off", "unl-users", "unl-constraints", "unl-strings", "unl-numbers", "unl-num-eq",
        "unl-semver", "unl-inverted", "unl-segment", "unl-variant", "unl-no-strategies", "unl-rollout-full",
    ]
    /// Features with variants: their answer is the variant's name.
    static let withVariants = ["unl-variant", "unl-split"]
    static let rollouts = ["unl-rollout", "unl-split"]

    static let document = #"""
    {"version": 2, "features": [
      {"name": "unl-default", "enabled": true, "strategies": [{"name": "default", "parameters": {}, "constraints": []}]},
      {"name": "unl-off", "enabled": false, "strategies": [{"name": "default", "parameters": {}}]},
      {"name": "unl-no-strategies", "enabled": true, "strategies": []},
      {"name": "unl-users", "enabled": true, "strategies": [{"name": "userWithId", "parameters": {"userIds": "user-1, user-2,user-3"}}]},
      {"name": "unl-constraints", "enabled": true, "strategies": [
        {"name": "flexibleRollout", "parameters": {"rollout": "100", "stickiness": "default", "groupId": "unl-constraints"},
         "constraints": [{"contextName": "plan", "operator": "IN", "values": ["pro", "enterprise"]},
                         {"contextName": "country", "operator": "NOT_IN", "values": ["FR"]}]}]},
      {"name": "unl-strings", "enabled": true, "strategies": [
        {"name": "default", "constraints": [{"contextName": "email", "operator": "STR_ENDS_WITH", "values": ["@corp.io"]}]},
        {"name": "default", "constraints": [{"contextName": "email", "operator": "STR_STARTS_WITH", "values": ["u1"]},
                                             {"contextName": "email", "operator": "STR_CONTAINS", "values": ["example"]}]}]},
      {"name": "unl-numbers", "enabled": true, "strategies": [
        {"name": "default", "constraints": [{"contextName": "age", "operator": "NUM_GTE", "value": "18"},
                                             {"contextName": "age", "operator": "NUM_LT", "value": "65"},
                                             {"contextName": "age", "operator": "NUM_LTE", "value": "60", "inverted": true}]}]},
      {"name": "unl-num-eq", "enabled": true, "strategies": [
        {"name": "default", "constraints": [{"contextName": "age", "operator": "NUM_EQ", "value": "42"}]},
        {"name": "default", "constraints": [{"contextName": "age", "operator": "NUM_GT", "value": "80"}]}]},
      {"name": "unl-semver", "enabled": true, "strategies": [
        {"name": "default", "constraints": [{"contextName": "version", "operator": "SEMVER_GT", "value": "1.2.2"}]},
        {"name": "default", "constraints": [{"contextName": "version", "operator": "SEMVER_EQ", "value": "1.0.0"}]}]},
      {"name": "unl-inverted", "enabled": true, "strategies": [
        {"name": "default", "constraints": [{"contextName": "plan", "operator": "STR_CONTAINS", "values": ["ree"], "inverted": true},
                                             {"contextName": "userId", "operator": "IN", "values": ["user-7", "user-8"], "inverted": true}]}]},
      {"name": "unl-segment", "enabled": true, "strategies": [{"name": "default", "constraints": [], "segments": [1]}]},
      {"name": "unl-variant", "enabled": true, "strategies": [
        {"name": "default", "constraints": [{"contextName": "plan", "operator": "IN", "values": ["pro"]}]}],
       "variants": [{"name": "blue", "weight": 1000, "weightType": "variable", "stickiness": "default",
                     "payload": {"type": "string", "value": "b"}}]},
      {"name": "unl-rollout-full", "enabled": true, "strategies": [
        {"name": "flexibleRollout", "parameters": {"rollout": "0", "stickiness": "userId", "groupId": "g"}},
        {"name": "flexibleRollout", "parameters": {"rollout": "100", "stickiness": "userId", "groupId": "g"},
         "constraints": [{"contextName": "plan", "operator": "IN", "values": ["free"]}]}]},
      {"name": "unl-rollout", "enabled": true, "strategies": [
        {"name": "userWithId", "parameters": {"userIds": "user-1"}},
        {"name": "flexibleRollout", "parameters": {"rollout": "30", "stickiness": "userId", "groupId": "unl-rollout"}}]},
      {"name": "unl-split", "enabled": true, "strategies": [
        {"name": "flexibleRollout", "parameters": {"rollout": "100", "stickiness": "default", "groupId": "unl-split"}}],
       "variants": [{"name": "red", "weight": 250, "weightType": "variable", "stickiness": "default"},
                    {"name": "green", "weight": 750, "weightType": "variable", "stickiness": "default"}]}
    ],
    "segments": [{"id": 1, "name": "beta", "constraints": [{"contextName": "userId", "operator": "IN", "values": ["user-3", "user-5"]}]}]}
    """#

    /// Contexts as an Unleash application sends them: the user id, and properties as text.
    static func contexts(_ count: Int, seed: UInt64 = 29) -> [Value] {
        var random = SplitMix64(seed: seed)
        let plans: [Value?] = ["pro", "free", "enterprise", "three", nil]
        let domains = ["corp.io", "example.com", "mail.org"]
        let countries: [Value?] = ["FR", "DE", nil]
        let versions: [Value?] = ["1.2.3", "1.2.2", "1.0.0", "2.0.0", "1.10.1", nil]
        return (0..<count).map { index in
            var context: [String: Value] = ["targetingKey": .string("user-\(index % 200)")]
            context["email"] = .string("u\(random.below(40))@\(random.pick(domains))")
            if let plan = random.pick(plans) { context["plan"] = plan }
            if random.below(5) > 0 { context["age"] = .string(String(random.below(90))) }
            if let country = random.pick(countries) { context["country"] = country }
            if let version = random.pick(versions) { context["version"] = version }
            return .object(context)
        }
    }
}
