import ClutchCore
import Foundation
import ServerTestSupport
import Testing

/// `target`, `untarget`, `rollout` and `rules`, checked through the stored state and `explain`.
@Suite("clutch target, rollout, rules")
struct TargetingTests {
    /// The state of `key` in `environment` as the server stores it.
    static func state(_ server: TestServer, _ key: String, _ environment: String = "staging") async throws -> Value {
        let result = try await server.clutch("flags", "get", key, "--json")
        try #require(result.status == 0, "\(result)")
        return try #require(try result.json()["flag"]?["environments"]?[environment])
    }

    /// Edits are sent as instructions applied to the flag as it is when they commit: twenty
    /// `clutch target` processes started at once, each naming a different customer, all land.
    @Test("20 concurrent clutch target processes all land, one revision each")
    func concurrentTargetsCompose() async throws {
        let server = try await TestServer.shared.get()
        let key = uniqueKey("together")
        let created = try await server.clutch("flags", "create", key)
        try #require(created.status == 0, "\(created)")
        let results = try await withThrowingTaskGroup(of: (Int, CLIResult).self) { group in
            for i in 0..<20 {
                group.addTask { (i, try await server.clutch("target", key, "--env", "production", "--customers", "customer-\(i)")) }
            }
            return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        for (i, result) in results.sorted(by: { $0.key < $1.key }) {
            #expect(result.status == 0, "process \(i): \(result)")
        }
        let state = try await Self.state(server, key, "production")
        let targeted = Set((state["targets"]?[0]?["values"]?.array ?? []).compactMap(\.string))
        #expect(targeted == Set((0..<20).map { "customer-\($0)" }))
        let flag = try await server.clutch("flags", "get", key, "--json")
        #expect(try flag.json()["revision"]?.int == 21, "the creation and one revision per process")
    }

    @Test("target admins, customers, users and a cohort; untarget removes them")
    func targetAndUntarget() async throws {
        let server = try await TestServer.shared.get()
        let key = uniqueKey("target")
        _ = try await server.clutch("flags", "create", key)
        let cohort = uniqueKey("beta")
        let made = try await server.clutch("cohorts", "create", cohort, "--env", "staging", "--customers", "initech")
        try #require(made.status == 0, "\(made)")

        let admins = try await server.clutch("target", key, "--env", "staging", "--admins", "--json")
        #expect(admins.status == 0, "\(admins)")
        let rule = try #require(try admins.json()["flag"]?["environments"]?["staging"]?["rules"]?[0])
        #expect(rule["clauses"] == [["attribute": "role", "operator": "in", "values": ["admin"]]])
        #expect(rule["serve"] == ["variant": "on"])

        let customers = try await server.clutch("target", key, "--env", "staging", "--customers", "acme,globex", "--users", "u-7")
        #expect(customers.status == 0, "\(customers)")
        #expect(customers.stdout.contains("customers acme, globex; users u-7 will get 'on' in staging once the flag is on."), "\(customers)")
        #expect(customers.stdout.contains("customerId in acme,globex → on"))
        #expect(customers.stdout.contains("note: \(key) is off in staging"))

        let viaCohort = try await server.clutch("target", key, "--env", "staging", "--cohort", cohort, "-m", "beta testers")
        #expect(viaCohort.status == 0, "\(viaCohort)")
        var state = try await Self.state(server, key)
        #expect(state["targets"] == [
            ["variant": "on", "attribute": "customerId", "values": ["acme", "globex"]],
            ["variant": "on", "attribute": "targetingKey", "values": ["u-7"]],
        ])
        #expect(state["rules"]?.array?.count == 2)
        #expect(state["rules"]?[0]?["clauses"] == [["cohort": .string(cohort)]])

        // Switched on, the targeted contexts get `on` and everyone else keeps `off`.
        _ = try await server.clutch("on", key, "--env", "staging")
        let contexts: Value = [
            ["targetingKey": "a1", "role": ["admin", "beta"]],
            ["targetingKey": "c1", "customerId": "globex"],
            ["targetingKey": "u-7"],
            ["targetingKey": "i1", "customerId": "initech"],
            ["targetingKey": "x1", "customerId": "other", "role": "viewer"],
        ]
        let explained = try await server.clutch("explain", key, "--env", "staging", "--context-json", contexts.jsonText, "--json")
        #expect(explained.status == 0, "\(explained)")
        let variants = try explained.json().array?.map { $0["variant"]?.string } ?? []
        #expect(variants == ["on", "on", "on", "on", "off"], "\(explained)")

        let table = try await server.clutch("explain", key, "--env", "staging", "--context-json", contexts.jsonText)
        #expect(table.status == 0, "\(table)")
        #expect(table.stdout.hasPrefix("CONTEXT"), "\(table)")
        #expect(table.stdout.split(separator: "\n").count == 6)

        let untarget = try await server.clutch("untarget", key, "--env", "staging", "--customers", "globex", "--admins", "--json")
        #expect(untarget.status == 0, "\(untarget)")
        state = try #require(try untarget.json()["flag"]?["environments"]?["staging"])
        #expect(state["targets"]?[0]?["values"] == ["acme"])
        #expect(state["rules"]?.array?.count == 1)

        let again = try await server.clutch("untarget", key, "--env", "staging", "--customers", "globex")
        #expect(again.status == 0)
        #expect(again.stdout.contains("nothing to change"), "\(again)")
    }

    @Test("a customer moves between variants instead of being in two targets")
    func moveBetweenVariants() async throws {
        let server = try await TestServer.shared.get()
        let key = uniqueKey("move")
        _ = try await server.clutch("flags", "create", key, "--type", "string", "--variant", "a=A", "--variant", "b=B", "--variant", "c=C")
        _ = try await server.clutch("target", key, "--env", "staging", "--customers", "acme,globex", "--serve", "a")
        let moved = try await server.clutch("target", key, "--env", "staging", "--customers", "acme", "--serve", "b", "--json")
        #expect(moved.status == 0, "\(moved)")
        let targets = try moved.json()["flag"]?["environments"]?["staging"]?["targets"]
        #expect(targets == [
            ["variant": "a", "attribute": "customerId", "values": ["globex"]],
            ["variant": "b", "attribute": "customerId", "values": ["acme"]],
        ])
    }

    @Test("rollout by percent keeps the chosen variant first and the sticky attribute")
    func rolloutPercent() async throws {
        let server = try await TestServer.shared.get()
        let key = uniqueKey("roll")
        _ = try await server.clutch("flags", "create", key)
        let first = try await server.clutch("rollout", key, "--env", "staging", "--percent", "12.345", "--by", "customerId", "--json")
        #expect(first.status == 0, "\(first)")
        let rollout = try first.json()["flag"]?["environments"]?["staging"]?["default"]?["rollout"]
        #expect(rollout == [
            "bucketBy": "customerId",
            "weights": [["variant": "on", "weight": 12345], ["variant": "off", "weight": 87655]],
        ])

        let raised = try await server.clutch("rollout", key, "--env", "staging", "--percent", "50")
        #expect(raised.status == 0, "\(raised)")
        #expect(raised.stdout.contains("Default in staging was: 12.345% on / 87.655% off by customerId"), "\(raised)")
        #expect(raised.stdout.contains("default:  50% on / 50% off by customerId"), "\(raised)")

        for edge in ["0", "100"] {
            let result = try await server.clutch("rollout", key, "--env", "staging", "--percent", edge, "--json")
            #expect(result.status == 0, "\(result)")
            let weight = try result.json()["flag"]?["environments"]?["staging"]?["default"]?["rollout"]?["weights"]?[0]?["weight"]?.int
            #expect(weight == Int(edge).map { $0 * 1000 })
        }
        let offVariant = try await server.clutch("rollout", key, "--env", "staging", "--percent", "5", "--variant", "off")
        #expect(offVariant.status == 1)
        #expect(offVariant.stderr.contains("is the off variant"))
    }

    @Test("rollout by weights over several variants")
    func rolloutWeights() async throws {
        let server = try await TestServer.shared.get()
        let key = uniqueKey("abc")
        _ = try await server.clutch("flags", "create", key, "--type", "string", "--variant", "a=A", "--variant", "b=B", "--variant", "c=C", "--variant", "none=-", "--off-variant", "none")
        let result = try await server.clutch("rollout", key, "--env", "staging", "--weights", "a=25,b=25.5,c=49.5", "--json")
        #expect(result.status == 0, "\(result)")
        let weights = try result.json()["flag"]?["environments"]?["staging"]?["default"]?["rollout"]?["weights"]
        #expect(weights == [["variant": "a", "weight": 25000], ["variant": "b", "weight": 25500], ["variant": "c", "weight": 49500]])
        let text = try await server.clutch("rollout", key, "--env", "staging", "--weights", "a=50,b=50")
        #expect(text.status == 0)
        #expect(text.stdout.contains("default:  50% a / 50% b by targetingKey"), "\(text)")
        let unknown = try await server.clutch("rollout", key, "--env", "staging", "--weights", "a=50,z=50")
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("unknown variant 'z'"))
    }

    struct WhereCase: Sendable, CustomTestStringConvertible {
        var text: String
        var clause: Value
        var testDescription: String { text }
    }

    static let whereCases: [WhereCase] = [
        WhereCase(text: "plan in enterprise,pro", clause: ["attribute": "plan", "operator": "in", "values": ["enterprise", "pro"]]),
        WhereCase(text: "appVersion semver>= 2.3.0", clause: ["attribute": "appVersion", "operator": "semver>=", "values": ["2.3.0"]]),
        WhereCase(text: "email endsWith @acme.com", clause: ["attribute": "email", "operator": "endsWith", "values": ["@acme.com"]]),
        WhereCase(text: "signupDate after 2026-01-01", clause: ["attribute": "signupDate", "operator": "after", "values": ["2026-01-01"]]),
        WhereCase(text: "not country in FR,DE", clause: ["attribute": "country", "operator": "in", "values": ["FR", "DE"], "negate": true]),
        WhereCase(text: "country not in FR", clause: ["attribute": "country", "operator": "in", "values": ["FR"], "negate": true]),
        WhereCase(text: "in cohort beta", clause: ["cohort": "beta"]),
        WhereCase(text: "not in cohort beta", clause: ["cohort": "beta", "negate": true]),
        WhereCase(text: "email exists", clause: ["attribute": "email", "operator": "exists", "values": []]),
        WhereCase(text: "name startsWith Dr", clause: ["attribute": "name", "operator": "startsWith", "values": ["Dr"]]),
        WhereCase(text: "name contains ann", clause: ["attribute": "name", "operator": "contains", "values": ["ann"]]),
        WhereCase(text: "email matches ^[a-z]+@(a|b){1,2}\\.com$", clause: ["attribute": "email", "operator": "matches", "values": ["^[a-z]+@(a|b){1,2}\\.com$"]]),
        WhereCase(text: "age < 18", clause: ["attribute": "age", "operator": "<", "values": ["18"]]),
        WhereCase(text: "age <= 18", clause: ["attribute": "age", "operator": "<=", "values": ["18"]]),
        WhereCase(text: "age > 64.5", clause: ["attribute": "age", "operator": ">", "values": ["64.5"]]),
        WhereCase(text: "age >= 65", clause: ["attribute": "age", "operator": ">=", "values": ["65"]]),
        WhereCase(text: "appVersion semver= 1.0.0", clause: ["attribute": "appVersion", "operator": "semver=", "values": ["1.0.0"]]),
        WhereCase(text: "appVersion semver< 2.0.0", clause: ["attribute": "appVersion", "operator": "semver<", "values": ["2.0.0"]]),
        WhereCase(text: "appVersion semver<= 2.0.0", clause: ["attribute": "appVersion", "operator": "semver<=", "values": ["2.0.0"]]),
        WhereCase(text: "appVersion semver> 2.0.0", clause: ["attribute": "appVersion", "operator": "semver>", "values": ["2.0.0"]]),
        WhereCase(text: "signupDate before 2026-01-01T00:00:00Z", clause: ["attribute": "signupDate", "operator": "before", "values": ["2026-01-01T00:00:00Z"]]),
        WhereCase(text: "plan = pro", clause: ["attribute": "plan", "operator": "in", "values": ["pro"]]),
        WhereCase(text: "plan != free", clause: ["attribute": "plan", "operator": "in", "values": ["free"], "negate": true]),
    ]

    @Test("--where covers every operator", arguments: whereCases)
    func whereSyntax(_ input: WhereCase) async throws {
        let server = try await TestServer.shared.get()
        let key = uniqueKey("where")
        _ = try await server.clutch("flags", "create", key)
        _ = try await server.clutch("cohorts", "create", "beta", "--env", "development", "--customers", "acme")
        let added = try await server.clutch("rules", "add", key, "--env", "development", "--where", input.text, "--serve", "on", "--json")
        #expect(added.status == 0, "\(added)")
        let clause = try added.json()["flag"]?["environments"]?["development"]?["rules"]?[0]?["clauses"]?[0]
        #expect(clause == input.clause, "\(added)")
    }

    @Test("rules add, list, move and remove")
    func rules() async throws {
        let server = try await TestServer.shared.get()
        let key = uniqueKey("rules")
        _ = try await server.clutch("flags", "create", key)
        let one = try await server.clutch("rules", "add", key, "--env", "staging", "--where", "plan in enterprise,pro", "--serve", "on", "-m", "big plans")
        #expect(one.status == 0, "\(one)")
        #expect(one.stdout.contains("Added rule 1 in staging."))
        let two = try await server.clutch(
            "rules", "add", key, "--env", "staging", "--where", "appVersion semver>= 2.3.0", "--where", "not country in FR,DE",
            "--percent", "25", "--by", "customerId")
        #expect(two.status == 0, "\(two)")
        let three = try await server.clutch("rules", "add", key, "--env", "staging", "--where", "email endsWith @acme.com", "--serve", "off", "--position", "1")
        #expect(three.status == 0, "\(three)")
        #expect(three.stdout.contains("Added rule 1 in staging."))

        let list = try await server.clutch("rules", key, "--env", "staging")
        #expect(list.status == 0, "\(list)")
        let lines = list.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
        #expect(lines == [
            "# WHEN SERVE",
            "1 email endsWith @acme.com off",
            "2 plan in enterprise,pro on",
            "3 appVersion semver>= 2.3.0 and not country in FR,DE 25% on / 75% off by customerId",
            "- everyone else off",
        ], "\(list)")

        let moved = try await server.clutch("rules", "move", key, "--env", "staging", "1", "--to", "3", "--json")
        #expect(moved.status == 0, "\(moved)")
        #expect(try moved.json()["flag"]?["environments"]?["staging"]?["rules"]?[2]?["clauses"]?[0]?["attribute"]?.string == "email")
        let removed = try await server.clutch("rules", "remove", key, "--env", "staging", "1")
        #expect(removed.status == 0, "\(removed)")
        #expect(removed.stdout.contains("Removed rule 1 in staging: plan in enterprise,pro → on"), "\(removed)")
        let listed = try await server.clutch("rules", "list", key, "--env", "staging", "--json")
        let rules = try #require(try listed.json()["rules"]?.array)
        #expect(rules.count == 2)
        #expect(rules[0]["clauses"]?[0]?["attribute"]?.string == "appVersion")
        #expect(rules[1]["clauses"]?[0]?["attribute"]?.string == "email")
        #expect(try listed.json()["revision"]?.int == 6)

        let outOfRange = try await server.clutch("rules", "move", key, "--env", "staging", "1", "--to", "7")
        #expect(outOfRange.status == 1)
        #expect(outOfRange.stderr.contains("there is no rule 7: use 1–2"), "\(outOfRange)")
    }

    @Test("explain with --context pairs infers types and names the deciding rule")
    func explain() async throws {
        let server = try await TestServer.shared.get()
        let key = uniqueKey("explain")
        _ = try await server.clutch("flags", "create", key)
        _ = try await server.clutch("rules", "add", key, "--env", "staging", "--where", "age >= 18", "--where", "beta in true", "--serve", "on")
        _ = try await server.clutch("rollout", key, "--env", "staging", "--percent", "0")
        _ = try await server.clutch("on", key, "--env", "staging")
        let adult = try await server.clutch("explain", key, "--env", "staging", "--context", "targetingKey=u1", "age=30", "beta=true", "--json")
        #expect(adult.status == 0, "\(adult)")
        let json = try adult.json()
        #expect(json["variant"]?.string == "on")
        #expect(json["reason"]?.string == "TARGETING_MATCH")
        #expect(json["match"]?["kind"]?.string == "rule")
        #expect(json["match"]?["index"]?.int == 0)

        let child = try await server.clutch("explain", key, "--env", "staging", "--context", "targetingKey=u2", "age=12")
        #expect(child.status == 0, "\(child)")
        #expect(child.stdout.contains("value:   false (variant off)"), "\(child)")
        #expect(child.stdout.contains("reason:  SPLIT"), "\(child)")
    }
}
