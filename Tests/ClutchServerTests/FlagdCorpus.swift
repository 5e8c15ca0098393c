import ClutchCore
import TestSupport

/// Flags of every kind Clutch can say in flagd's terms (targets, every operator plain and
/// negated, several clauses, cohorts by members and by clauses, nested attributes, rollouts by
/// user, by customer and with a salt, a disabled flag, every type), three flagd cannot, and
/// contexts whose attributes take every kind of value those flags compare.
enum FlagdCorpus {
    static let environment = "production"

    /// A string flag answering `yes` when the clause holds, `negated` when its negation does,
    /// and `no` otherwise: each rule tells holds, fails and "cannot compare" apart.
    static func operatorFlag(_ key: String, _ clause: Clause) -> Flag {
        var negated = clause
        negated.negate = true
        return Flag(
            key: key, type: .string,
            variants: [Variant(key: "yes", value: "Y"), Variant(key: "negated", value: "N"), Variant(key: "no", value: "-")],
            offVariant: "no",
            environments: [environment: FlagState(
                enabled: true,
                rules: [Rule(clauses: [clause], serve: .variant("yes")), Rule(clauses: [negated], serve: .variant("negated"))],
                default: .variant("no"))])
    }

    static let cohorts = [
        Cohort(key: "vip", members: ["acme", "globex", "7"]),
        Cohort(key: "staff", attribute: "email", clauses: [Clause(attribute: "email", .endsWith, ["@clutch.dev"])]),
        Cohort(key: "pilots", members: ["initech"], clauses: [Clause(attribute: "user.plan", .in, ["enterprise"])]),
        Cohort(key: "regexes", members: ["hooli"], clauses: [Clause(attribute: "email", .matches, ["^ops"])]),
    ]

    static var flags: [Flag] {
        var flags: [Flag] = [
            operatorFlag("op-in", Clause(attribute: "role", .in, ["admin", "5.0", "true"])),
            operatorFlag("op-starts-with", Clause(attribute: "email", .startsWith, ["adm", "ops@"])),
            operatorFlag("op-ends-with", Clause(attribute: "email", .endsWith, ["@acme.com"])),
            operatorFlag("op-contains", Clause(attribute: "email", .contains, ["+test", "example"])),
            operatorFlag("op-less", Clause(attribute: "age", .lessThan, ["18"])),
            operatorFlag("op-less-or-equal", Clause(attribute: "age", .lessThanOrEqual, ["18", "65.5"])),
            operatorFlag("op-greater", Clause(attribute: "age", .greaterThan, ["65.5"])),
            operatorFlag("op-greater-or-equal", Clause(attribute: "age", .greaterThanOrEqual, ["18"])),
            operatorFlag("op-semver-equal", Clause(attribute: "appVersion", .semverEqual, ["2.0.0", "v1.2"])),
            operatorFlag("op-semver-less", Clause(attribute: "appVersion", .semverLessThan, ["2.0.0"])),
            operatorFlag("op-semver-less-or-equal", Clause(attribute: "appVersion", .semverLessThanOrEqual, ["2.1"])),
            operatorFlag("op-semver-greater", Clause(attribute: "appVersion", .semverGreaterThan, ["2.0.0-beta.1"])),
            operatorFlag("op-semver-greater-or-equal", Clause(attribute: "appVersion", .semverGreaterThanOrEqual, ["2"])),
            operatorFlag("op-exists", Clause(attribute: "beta", .exists)),
            operatorFlag("op-targeting-key", Clause(attribute: "targetingKey", .startsWith, ["u1"])),
            operatorFlag("op-nested", Clause(attribute: "user.plan", .in, ["pro", "enterprise"])),
            operatorFlag("op-nested-index", Clause(attribute: "orgs.0.id", .startsWith, ["org-"])),
            operatorFlag("op-cohort", .inCohort("vip")),
            operatorFlag("op-cohort-clauses", .inCohort("staff")),
            operatorFlag("op-cohort-both", .inCohort("pilots")),
        ]
        flags.append(Flag(
            key: "targets", type: .string,
            variants: [Variant(key: "gold", value: "g"), Variant(key: "silver", value: "s"), Variant(key: "none", value: "n")],
            offVariant: "none",
            environments: [environment: FlagState(
                enabled: true,
                targets: [
                    Target(variant: "gold", values: ["u1", "u7"]),
                    Target(variant: "silver", attribute: "customerId", values: ["acme", "42", "true"]),
                ],
                rules: [Rule(
                    clauses: [Clause(attribute: "country", .in, ["FR", "DE"]), Clause(attribute: "age", .greaterThanOrEqual, ["18"])],
                    serve: .variant("gold"))],
                default: .variant("none"))]))
        flags.append(Flag(
            key: "rollout-users",
            environments: [environment: FlagState(enabled: true, default: .rollout(.percentage(30, of: "on", rest: "off")))]))
        flags.append(Flag(
            key: "rollout-customers", type: .string,
            variants: [Variant(key: "a", value: "A"), Variant(key: "b", value: "B"), Variant(key: "c", value: "C"), Variant(key: "off", value: "-")],
            offVariant: "off", salt: "experiment-7",
            environments: [environment: FlagState(
                enabled: true,
                rules: [Rule(clauses: [.inCohort("staff")], serve: .variant("c"))],
                default: .rollout(Rollout(bucketBy: "customerId", weights: [
                    Rollout.Weight(variant: "a", weight: 20000), Rollout.Weight(variant: "b", weight: 45000),
                    Rollout.Weight(variant: "c", weight: 35000),
                ])))]))
        flags.append(Flag(
            key: "rollout-in-rule", type: .integer,
            variants: [Variant(key: "small", value: 10), Variant(key: "big", value: 1000)], offVariant: "small",
            environments: [environment: FlagState(
                enabled: true,
                rules: [Rule(
                    clauses: [Clause(attribute: "user.plan", .in, ["pro"])],
                    serve: .rollout(.percentage(50, of: "big", rest: "small", bucketBy: "user.id")))],
                default: .variant("small"))]))
        flags.append(Flag(
            key: "ratio", type: .double,
            variants: [Variant(key: "whole", value: 1.0), Variant(key: "quarter", value: 0.25)], offVariant: "quarter",
            environments: [environment: FlagState(
                enabled: true, rules: [Rule(clauses: [.inCohort("vip", negate: true)], serve: .variant("whole"))],
                default: .variant("quarter"))]))
        flags.append(Flag(
            key: "config", type: .object,
            variants: [Variant(key: "v1", value: ["retries": 3, "endpoints": ["a", "b"]]), Variant(key: "none", value: [:])],
            offVariant: "none",
            environments: [environment: FlagState(enabled: true, default: .variant("v1"))]))
        flags.append(Flag(key: "static", environments: [environment: FlagState(enabled: true)]))
        flags.append(Flag(
            key: "disabled", type: .string, variants: [Variant(key: "on", value: "new"), Variant(key: "off", value: "old")],
            offVariant: "off",
            environments: [environment: FlagState(enabled: false, default: .variant("on"))]))
        flags += unexpressible
        return flags
    }

    /// What flagd cannot say, by flag, with the path the export names.
    static let unexpressibleIssues = [
        ("regex", "flags.regex.rules[0].clauses[0].operator"),
        ("dates", "flags.dates.rules[0].clauses[0].operator"),
        ("prerequisite", "flags.prerequisite.prerequisites[0]"),
        ("regex-cohort", "flags.regex-cohort.rules[0].clauses[0]"),
    ]

    static var unexpressible: [Flag] {
        [
            operatorFlag("regex", Clause(attribute: "email", .matches, ["^adm"])),
            operatorFlag("dates", Clause(attribute: "signup", .after, ["2026-01-01"])),
            Flag(key: "prerequisite", environments: [environment: FlagState(
                enabled: true, prerequisites: [Prerequisite(flag: "static", variant: "on")])]),
            operatorFlag("regex-cohort", .inCohort("regexes")),
        ]
    }

    /// `count` contexts, the same every run.
    static func contexts(_ count: Int, seed: UInt64 = 30) -> [Value] {
        var random = SplitMix64(seed: seed)
        let customers: [Value?] = ["acme", "globex", "initech", "hooli", "umbrella", "42", 42, 7, "true", true, nil]
        let roles: [Value?] = ["admin", "editor", ["editor", "admin"], ["viewer"], [], 5, 5.0, true, "5.0", nil]
        let emails: [Value?] = [
            "admin@acme.com", "ops@clutch.dev", "bob+test@acme.com", "carol@example.org", "dave@clutch.dev", 17,
            ["x@acme.com", "ops@y.org"], nil,
        ]
        let ages: [Value?] = [17, 18, 18.0, 30, 65.5, 70, "42", "17", "abc", true, [12, 40], [], nil]
        let versions: [Value?] = [
            "1.2.3", "1.2.0", "2.0.0", "2.0.0-beta.1", "2.0.0-beta.2", "v2.1", "2", "2.1.0", "1.10.0", 2.5, 3, "banana",
            "2.0.0+build.5", ["1.0.0", "3.0.0"], nil,
        ]
        let betas: [Value?] = [true, false, "yes", 0, nil]
        let countries: [Value?] = ["FR", "DE", "US", ["FR", "US"], ["US"], nil]
        let plans: [Value?] = ["pro", "free", "enterprise", nil]
        var contexts: [Value] = []
        for _ in 0..<count {
            var context: [String: Value] = [:]
            if random.below(10) > 0 { context["targetingKey"] = .string("u\(random.below(60))") }
            func set(_ name: String, _ pool: [Value?]) {
                if let value = random.pick(pool) { context[name] = value }
            }
            set("customerId", customers)
            set("role", roles)
            set("email", emails)
            set("age", ages)
            set("appVersion", versions)
            set("beta", betas)
            set("country", countries)
            switch random.below(4) {
            case 0: break
            case 1: context["user"] = ["id": .string("user-\(random.below(500))")]
            default:
                var user: [String: Value] = ["id": .string("user-\(random.below(500))")]
                if let plan = random.pick(plans) { user["plan"] = plan }
                context["user"] = .object(user)
            }
            switch random.below(4) {
            case 0: context["orgs"] = [["id": "org-1"], ["id": "x"]]
            case 1: context["orgs"] = [["id": "x"]]
            case 2: context["orgs"] = []
            default: break
            }
            contexts.append(.object(context))
        }
        return contexts
    }
}
