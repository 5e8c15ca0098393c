import ClutchCore
import Foundation
import ServerTestSupport
import TestSupport
import Testing

@testable import ClutchServer

/// The flag page's controls, history, cohorts and audit pages over HTTP against a real server:
/// each change lands as instructions (checked through the API and OFREP), production asks for
/// its name, and every new route is behind the session and the CSRF check.
@Suite struct ConsoleControlsTests {
    /// A signed-in client, its CSRF token, and an OFREP evaluator for `env`.
    struct Setup {
        let client: ConsoleClient
        let csrf: String
        let server: TestServer
        let key: String

        func post(_ path: String, _ form: [(String, String)]) async throws -> ConsoleClient.Answer {
            try await client.post(path, form: [("csrf", csrf)] + form)
        }

        func evaluate(_ flag: String, _ context: String) async throws -> Value? {
            try await server.send("POST", "/ofrep/v1/evaluate/flags/\(flag)", body: #"{"context": \#(context)}"#, as: .apiKey(key))["value"]
        }

        func state(_ flag: String, _ env: String) async throws -> Reply {
            try await server.send("GET", "/api/v1/flags/\(flag)")
        }
    }

    static func setup(_ server: TestServer, env: String = "staging") async throws -> Setup {
        let client = try await ConsoleTests.signIn(server)
        let (_, key) = try await server.createKey(env)
        return Setup(client: client, csrf: try await ConsoleTests.csrf(client), server: server, key: key)
    }

    @Test func everyControlIsAnInstructionThatReachesOFREP() async throws {
        try await TestServer.with { server in
            try await server.createFlag(#"{"key": "beta", "type": "boolean"}"#)
            try await server.send("POST", "/api/v1/flags/beta/environments/staging/on")
            let s = try await Self.setup(server)
            let staging: [(String, String)] = [("env", "staging")]
            // Admins only.
            #expect(try await s.post("/ui/flags/beta/admins", staging + [("to", "on"), ("message", "admins first")]).location == "/ui/flags/beta?env=staging&done=admins-on")
            #expect(try await s.evaluate("beta", #"{"targetingKey": "a", "role": ["beta", "admin"]}"#) == .bool(true))
            #expect(try await s.evaluate("beta", #"{"targetingKey": "u"}"#) == .bool(false), "everyone else is pinned to off")
            // Customers, comma- and newline-separated, shown on the page.
            #expect(try await s.post("/ui/flags/beta/customers", staging + [("customers", "acme,\nglobex , acme"), ("do", "add")]).status == 303)
            #expect(try await s.evaluate("beta", #"{"targetingKey": "u", "customerId": "globex"}"#) == .bool(true))
            let page = try await s.client.get("/ui/flags/beta?env=staging")
            #expect(page.body.contains(#"<span class="chip">acme</span>"#))
            #expect(page.body.contains(#"<span class="chip">globex</span>"#))
            #expect(try await s.post("/ui/flags/beta/customers", staging + [("customers", "acme"), ("do", "remove")]).status == 303)
            #expect(try await s.evaluate("beta", #"{"targetingKey": "u", "customerId": "acme"}"#) == .bool(false))
            // A cohort, with its size on the page.
            try await server.send("POST", "/api/v1/environments/staging/cohorts", body: #"{"key": "pilots", "members": ["p1", "p2", "p3"]}"#)
            #expect(try await s.post("/ui/flags/beta/cohorts", staging + [("cohort", "pilots"), ("do", "add")]).status == 303)
            #expect(try await s.evaluate("beta", #"{"targetingKey": "u", "customerId": "p2"}"#) == .bool(true))
            #expect(try await s.client.get("/ui/flags/beta?env=staging").body.contains("pilots</a> (3 members)"))
            // Rollout: 100 % by customerId, then 0 %.
            #expect(try await s.post("/ui/flags/beta/rollout", staging + [("percent", "100"), ("bucketBy", "customerId")]).status == 303)
            #expect(try await s.evaluate("beta", #"{"targetingKey": "u", "customerId": "zz"}"#) == .bool(true))
            let rolled = try await s.state("beta", "staging")
            #expect(rolled["flag.environments.staging.default.rollout.bucketBy"] == .string("customerId"))
            #expect(try await s.post("/ui/flags/beta/rollout", staging + [("percent", "0"), ("bucketBy", "other"), ("bucketOther", "accountId")]).status == 303)
            #expect(try await s.state("beta", "staging")["flag.environments.staging.default.rollout.bucketBy"] == .string("accountId"))
            #expect(try await s.evaluate("beta", #"{"targetingKey": "u", "customerId": "zz"}"#) == .bool(false))
            // Rules in the --where grammar: add first, move, remove.
            #expect(try await s.post("/ui/flags/beta/rules", staging + [("conditions", "plan in enterprise,pro\nnot country in FR"), ("position", "last")]).status == 303)
            #expect(try await s.evaluate("beta", #"{"targetingKey": "u", "plan": "pro", "country": "DE"}"#) == .bool(true))
            #expect(try await s.evaluate("beta", #"{"targetingKey": "u", "plan": "pro", "country": "FR"}"#) == .bool(false))
            let bad = try await s.post("/ui/flags/beta/rules", staging + [("conditions", "plan frobnicates x")])
            #expect(bad.status == 400)
            #expect(bad.body.contains("unknown operator"))
            let rules = try await s.state("beta", "staging")
            let ids = (0..<3).compactMap { rules["flag.environments.staging.rules[\($0)].id"]?.stringValue }
            #expect(ids.count == 3, "admins, cohort, plan")
            #expect(try await s.post("/ui/flags/beta/rules/\(ids[2])/move", staging + [("to", "up")]).location == "/ui/flags/beta?env=staging&done=rule-moved")
            #expect(try await s.state("beta", "staging")["flag.environments.staging.rules[1].id"]?.stringValue == ids[2])
            #expect(try await s.post("/ui/flags/beta/rules/\(ids[2])/remove", staging).status == 303)
            #expect(try await s.evaluate("beta", #"{"targetingKey": "u", "plan": "pro", "country": "DE"}"#) == .bool(false))
            // Admins off again.
            #expect(try await s.post("/ui/flags/beta/admins", staging + [("to", "off")]).status == 303)
            #expect(try await s.evaluate("beta", #"{"targetingKey": "a", "role": "admin"}"#) == .bool(false))
            // Every change is one revision with the console user as actor, the message kept.
            let revisions = try await server.send("GET", "/api/v1/flags/beta/revisions")
            #expect(revisions.text.contains("admins first"))
            #expect(revisions["revisions[0].actor"] == .string("admin (service token)"))
        }
    }

    @Test func tryItExplainsWhoDecides() async throws {
        try await TestServer.with { server in
            try await server.createFlag(#"{"key": "beta", "type": "boolean"}"#)
            try await server.send("POST", "/api/v1/flags/beta/environments/staging/on")
            let s = try await Self.setup(server)
            _ = try await s.post("/ui/flags/beta/customers", [("env", "staging"), ("customers", "acme"), ("do", "add")])
            _ = try await s.post("/ui/flags/beta/rules", [("env", "staging"), ("conditions", "plan in pro")])
            func tryIt(_ query: String) async throws -> String {
                try await s.client.get("/ui/flags/beta?env=staging&try=1&" + query).body
            }
            let target = try await tryIt("try-customerId=acme")
            #expect(target.contains(#"<dd id="try-variant">on</dd>"#))
            #expect(target.contains("TARGETING_MATCH"))
            #expect(target.contains("target #1: customerId = acme"))
            let rule = try await tryIt("try-targetingKey=u1&try-attributes=" + ConsoleClient.encode("plan=pro\nseats=12"))
            #expect(rule.contains("rule #1: plan in pro"))
            let neither = try await tryIt("try-targetingKey=u2&try-role=admin,beta")
            #expect(neither.contains(#"<dd id="try-variant">off</dd>"#))
            // As a browser sends a GET form: `+` for spaces.
            let spaced = try await tryIt("try-customerId=acme&try-attributes=note%3Dtwo+words")
            #expect(spaced.contains(">note=two words</textarea>"))
            let bad = try await tryIt("try-attributes=" + ConsoleClient.encode("no equals sign"))
            #expect(bad.contains("one name=value per line"))
        }
    }

    /// Every change in production needs the environment's name, and nothing changes without it.
    @Test func productionConfirmationAppliesToEveryControl() async throws {
        try await TestServer.with { server in
            try await server.createFlag(#"{"key": "prod", "type": "boolean"}"#)
            let s = try await Self.setup(server, env: "production")
            let before = try await s.state("prod", "production").text
            let attempts: [(String, [(String, String)])] = [
                ("admins", [("to", "on")]),
                ("customers", [("customers", "acme"), ("do", "add")]),
                ("rollout", [("percent", "10")]),
                ("rules", [("conditions", "plan in pro")]),
                ("toggle", [("to", "on")]),
                ("restore", [("revision", "1"), ("scope", "production")]),
            ]
            for (path, form) in attempts {
                let answer = try await s.post("/ui/flags/prod/\(path)", [("env", "production")] + form)
                #expect(answer.status == 400, "\(path)")
                #expect(answer.body.contains("type its name"), "\(path)")
                let wrong = try await s.post("/ui/flags/prod/\(path)", [("env", "production"), ("confirm", "staging")] + form)
                #expect(wrong.status == 400, "\(path)")
            }
            #expect(try await s.state("prod", "production").text == before)
            // A new cohort in production too.
            #expect(try await s.post("/ui/cohorts", [("env", "production"), ("key", "new-prod")]).status == 400)
            #expect(try await server.send("GET", "/api/v1/environments/production/cohorts/new-prod").status == 404)
            let confirmed = try await s.post("/ui/flags/prod/customers", [("env", "production"), ("confirm", "production"), ("customers", "acme"), ("do", "add")])
            #expect(confirmed.status == 303)
            #expect(try await s.state("prod", "production")["flag.environments.production.targets[0].values[0]"] == .string("acme"))
        }
    }

    /// The Rollout control says how many of the last day's evaluations (reported through the SDK
    /// usage endpoint) reached the rollout and how many its percentage covers; without usage, that
    /// there is none.
    @Test func theRolloutShowsHowManyOfTheLastDaysEvaluationsItCovers() async throws {
        try await TestServer.with { server in
            try await server.createFlag(#"{"key": "ramp", "type": "boolean"}"#)
            let s = try await Self.setup(server)
            let empty = try await s.client.get("/ui/flags/ramp?env=staging")
            #expect(empty.body.contains("No evaluations of this flag in staging were reported in the last day"))
            func pageOnceUsageIsWritten(_ text: String) async throws -> String {
                // Usage is written in batches (every 250 ms): poll for it.
                for _ in 0..<120 {
                    let page = try await s.client.get("/ui/flags/ramp?env=staging").body
                    if page.contains(text) { return page }
                    try await Task.sleep(for: .milliseconds(250))
                }
                return try await s.client.get("/ui/flags/ramp?env=staging").body
            }
            // Evaluations before any rollout: every one counted, so the figure is an upper bound.
            let before = try await server.send(
                "POST", "/sdk/v1/usage", body: #"{"counts": [{"flag": "ramp", "variant": "off", "count": 5000}]}"#, as: .bearer(s.key))
            #expect(before.status == 202 || before.status == 200, "\(before.status)")
            #expect(try await s.post("/ui/flags/ramp/rollout", [("env", "staging"), ("percent", "10"), ("bucketBy", "customerId")]).status == 303)
            let bound = try await pageOnceUsageIsWritten("5,000 evaluations of this flag in staging were counted")
            #expect(bound.contains("none decided by a percentage rollout"))
            #expect(bound.contains("10 % would cover at most about 500."))
            // Evaluations the rollout decided, as an SDK reports them (`rollout: true`).
            try await server.send("POST", "/sdk/v1/usage", body: """
                {"counts": [{"flag": "ramp", "variant": "on", "count": 1234, "rollout": true},
                            {"flag": "ramp", "variant": "off", "count": 11106, "rollout": true}]}
                """, as: .bearer(s.key))
            let page = try await pageOnceUsageIsWritten("12,340 evaluations in staging reached the rollout")
            #expect(page.contains("In the last day, 12,340 evaluations in staging reached the rollout."))
            #expect(page.contains("10 % would cover about 1,234."))
            #expect(page.contains(#"data-reachable="12340""#), "what console.js recomputes from")
            // Another environment's page has its own figure.
            #expect(try await s.client.get("/ui/flags/ramp?env=production").body.contains("No evaluations of this flag in production"))
        }
    }

    /// The kill switch turns every environment off: the flag's key must be typed, checked by the
    /// server (the form works without JavaScript), and nothing changes without it.
    /// The attribute inputs suggest the names the environment's contexts carried; a rollout by
    /// a name none carried is made and the page warns as the API does; without `bucketBy` the
    /// rollout is sticky on the one default, `targetingKey`.
    @Test func theFormsSuggestTheSeenAttributesAndThePageWarnsOnOneNeverSeen() async throws {
        try await TestServer.with { server in
            try await server.createFlag(#"{"key": "seen", "type": "boolean", "environments": {"staging": {"enabled": true}}}"#)
            let s = try await Self.setup(server)
            let fresh = try await s.client.get("/ui/flags/seen?env=staging")
            #expect(!fresh.body.contains("Attributes seen in staging"), "nothing seen yet")
            #expect(fresh.body.contains(#"<option value="targetingKey" selected>targetingKey</option>"#), "the default is chosen first")
            #expect(try await s.post("/ui/flags/seen/rollout", [("env", "staging"), ("percent", "10")]).status == 303)
            #expect(try await s.state("seen", "staging")["flag.environments.staging.default.rollout.bucketBy"] == .string(Rollout.defaultBucketBy))

            _ = try await s.evaluate("seen", #"{"targetingKey": "u1", "customerId": "acme", "plan": "pro"}"#)
            #expect(try await s.post("/ui/flags/seen/rollout", [("env", "staging"), ("percent", "10"), ("bucketBy", "other"), ("bucketOther", "customerID")]).status == 303)
            let page = try await s.client.get("/ui/flags/seen?env=staging").body
            #expect(page.contains(#"<input name="bucketOther" type="text" value="customerID" list="seen-attributes""#))
            #expect(page.contains(#"<datalist id="seen-attributes"><option value="customerId"></option><option value="plan"></option><option value="targetingKey"></option></datalist>"#))
            #expect(page.contains("Attributes seen in staging&#39;s contexts: customerId, plan, targetingKey") || page.contains("Attributes seen in staging's contexts: customerId, plan, targetingKey"))
            #expect(page.contains("Warning: customerID has not been seen in staging contexts; seen: customerId, plan, targetingKey"))
        }
    }

    @Test func theKillSwitchNeedsTheFlagKeyTyped() async throws {
        try await TestServer.with { server in
            try await server.createFlag(#"{"key": "doomed", "type": "boolean"}"#)
            try await server.send("POST", "/api/v1/flags/doomed/environments/staging/on")
            try await server.send("POST", "/api/v1/flags/doomed/environments/production/on")
            let s = try await Self.setup(server)
            let page = try await s.client.get("/ui/flags/doomed?env=staging")
            #expect(page.body.contains(#"<form method="post" action="/ui/flags/doomed/kill" class="change kill" data-confirm-env="doomed">"#))
            #expect(page.body.contains("Type the flag's key, <strong>doomed</strong>, to confirm"))
            let before = try await s.state("doomed", "staging").text
            for confirm in [nil, "", "production", "staging", "Doomed"] as [String?] {
                let form = [("env", "staging"), ("message", "stop")] + (confirm.map { [("confirm", $0)] } ?? [])
                let refused = try await s.post("/ui/flags/doomed/kill", form)
                #expect(refused.status == 400, "\(String(describing: confirm))")
                #expect(refused.body.contains("“confirm”"), "the field is named")
            }
            #expect(try await s.state("doomed", "staging").text == before, "nothing changed")
            #expect(try await s.evaluate("doomed", #"{"targetingKey": "u"}"#) == .bool(true))
            let killed = try await s.post("/ui/flags/doomed/kill", [("env", "staging"), ("message", "stop"), ("confirm", " doomed ")])
            #expect(killed.location == "/ui/flags/doomed?env=staging&done=kill")
            let after = try await s.state("doomed", "staging")
            #expect(after["flag.environments.staging.enabled"] == .bool(false))
            #expect(after["flag.environments.production.enabled"] == .bool(false))
        }
    }

    @Test func historyPreviewsAndRestoresARevision() async throws {
        try await TestServer.with { server in
            try await server.createFlag(#"{"key": "h", "type": "boolean"}"#)
            let s = try await Self.setup(server)
            _ = try await s.post("/ui/flags/h/toggle", [("env", "staging"), ("to", "on"), ("message", "on for QA")])
            _ = try await s.post("/ui/flags/h/rollout", [("env", "staging"), ("percent", "25"), ("message", "a quarter")])
            #expect(try await s.post("/ui/flags/h/kill", [("env", "staging"), ("message", "stop"), ("confirm", "h")]).status == 303)
            let history = try await s.client.get("/ui/flags/h/history?env=staging")
            #expect(history.status == 200)
            let order = ["stop", "a quarter", "on for QA"].compactMap { history.body.range(of: $0)?.lowerBound }
            #expect(order.count == 3 && order == order.sorted(), "newest first")
            // What changed, in plain language rather than paths.
            #expect(history.body.contains("<li>staging: switched off: everyone gets “off”</li>"))
            #expect(!history.body.contains("environments.staging.enabled"))
            // The preview of restoring revision 3 (the quarter) in staging says what it does, changes nothing.
            let preview = try await s.client.get("/ui/flags/h/history?env=staging&restore=3&scope=env")
            #expect(preview.body.contains("Restore revision 3: the staging environment"))
            #expect(preview.body.contains("<li>staging: switched on; everyone still gets a rollout: 25% “on”, 75% “off”, sticky by targetingKey</li>"))
            #expect(try await s.evaluate("h", #"{"targetingKey": "u"}"#) == .bool(false))
            let restored = try await s.post("/ui/flags/h/restore", [("env", "staging"), ("revision", "3"), ("scope", "staging"), ("message", "back")])
            #expect(restored.location == "/ui/flags/h/history?env=staging&done=restored")
            let state = try await s.state("h", "staging")
            #expect(state["flag.environments.staging.enabled"] == .bool(true))
            #expect(state["flag.environments.staging.default.rollout.weights[0].weight"] == .integer(25_000))
            // The whole flag is every environment: its key must be typed.
            let whole = try await s.post("/ui/flags/h/restore", [("env", "staging"), ("revision", "1"), ("scope", "all"), ("confirm", "production")])
            #expect(whole.status == 400)
            #expect(whole.body.contains("type the flag&#39;s key, “h”"), "\(whole.body)")
            #expect(try await s.client.get("/ui/flags/h/history?env=staging&restore=1&scope=all").body.contains("Type <strong>h</strong> to confirm"))
            let bad = try await s.post("/ui/flags/h/restore", [("env", "staging"), ("revision", "99"), ("scope", "staging")])
            #expect(bad.status == 404)
            #expect(try await s.state("h", "staging")["revision"] == .integer(5), "the refused restores wrote nothing")
        }
    }

    @Test func cohortPagesListPageAndChangeMembers() async throws {
        try await TestServer.with { server in
            let members = (0..<250).map { String(format: "m%03d", $0) }
            let body = try JSONSerialization.data(withJSONObject: ["key": "pilots", "description": "Pilot customers", "members": members])
            try await server.send("POST", "/api/v1/environments/staging/cohorts", data: body)
            try await server.createFlag(#"{"key": "uses", "type": "boolean"}"#)
            let s = try await Self.setup(server)
            _ = try await s.post("/ui/flags/uses/cohorts", [("env", "staging"), ("cohort", "pilots"), ("do", "add")])
            let list = try await s.client.get("/ui/cohorts?env=staging")
            #expect(list.body.contains(#"<a href="/ui/cohorts/pilots?env=staging">pilots</a>"#))
            #expect(list.body.contains("<td>250</td>"))
            #expect(list.body.contains(#"<a href="/ui/flags/uses?env=staging">uses</a>"#))
            let first = try await s.client.get("/ui/cohorts/pilots?env=staging")
            #expect(first.body.contains("Members (250)"))
            #expect(first.body.contains(#"<span class="chip">m099</span>"#))
            #expect(!first.body.contains(#"<span class="chip">m100</span>"#))
            #expect(first.body.contains("/ui/cohorts/pilots?env=staging&amp;after=m099"))
            let second = try await s.client.get("/ui/cohorts/pilots?env=staging&after=m099")
            #expect(second.body.contains(#"<span class="chip">m100</span>"#))
            let added = try await s.post("/ui/cohorts/pilots/members", [("env", "staging"), ("members", "new1\nnew2"), ("do", "add"), ("message", "two more")])
            #expect(added.location == "/ui/cohorts/pilots?env=staging&done=added")
            #expect(try await s.evaluate("uses", #"{"targetingKey": "u", "customerId": "new2"}"#) == .bool(false), "the flag is off")
            let cohort = try await server.send("GET", "/api/v1/environments/staging/cohorts/pilots")
            #expect(cohort.text.contains("new2"))
            _ = try await s.post("/ui/cohorts/pilots/members", [("env", "staging"), ("members", "m000, m001"), ("do", "remove")])
            #expect(try await s.client.get("/ui/cohorts/pilots?env=staging").body.contains("Members (250)"))
            let created = try await s.post("/ui/cohorts", [("env", "staging"), ("key", "fresh"), ("description", "New"), ("members", "a,b")])
            #expect(created.location == "/ui/cohorts/fresh?env=staging&done=created")
            let badKey = try await s.post("/ui/cohorts", [("env", "staging"), ("key", "Not A Key")])
            #expect(badKey.status == 400)
            // Production members need confirming.
            try await server.send("POST", "/api/v1/environments/production/cohorts", body: #"{"key": "vip", "members": ["x"]}"#)
            #expect(try await s.post("/ui/cohorts/vip/members", [("env", "production"), ("members", "y")]).status == 400)
        }
    }

    @Test func theAuditLogFiltersByFlagActorAndTime() async throws {
        try await TestServer.with { server in
            try await server.createFlag(#"{"key": "a1", "type": "boolean"}"#)
            try await server.createFlag(#"{"key": "a2", "type": "boolean"}"#)
            let s = try await Self.setup(server)
            _ = try await s.post("/ui/flags/a1/toggle", [("env", "staging"), ("to", "on"), ("message", "console change")])
            let all = try await s.client.get("/ui/audit")
            #expect(all.status == 200)
            #expect(all.body.contains("console change"))
            let byFlag = try await s.client.get("/ui/audit?flag=a2")
            #expect(byFlag.body.contains(">a2</a>"))
            #expect(!byFlag.body.contains(">a1</a>"))
            let byActor = try await s.client.get("/ui/audit?actor=nobody")
            #expect(byActor.body.contains("No events match."))
            let today = ISO8601DateFormatter().string(from: Date()).prefix(10)
            #expect(try await s.client.get("/ui/audit?from=\(today)&to=\(today)").body.contains("console change"))
            #expect(try await s.client.get("/ui/audit?from=2000-01-01&to=2000-01-02").body.contains("No events match."))
            #expect(try await s.client.get("/ui/audit?from=yesterday").status == 400)
        }
    }

    /// Every page but sign-in needs a session; every POST needs the token and the console's origin.
    @Test func everyNewRouteIsGuarded() async throws {
        try await TestServer.with { server in
            try await server.createFlag(#"{"key": "g", "type": "boolean"}"#)
            try await server.send("POST", "/api/v1/environments/staging/cohorts", body: #"{"key": "c", "members": ["x"]}"#)
            let anonymous = ConsoleClient(port: server.port)
            for path in ["/ui/flags/g/history", "/ui/cohorts", "/ui/cohorts/c?env=staging", "/ui/audit", "/ui/flags/g/events?env=staging",
                         "/ui/flags/g?env=staging&try=1&try-customerId=a", "/ui/new-flag", "/ui/flags/g/details"] {
                let answer = try await anonymous.get(path)
                #expect(answer.status == 303, "\(path)")
                #expect(answer.location == "/ui/login", "\(path)")
            }
            let s = try await Self.setup(server)
            let posts: [(String, [(String, String)])] = [
                ("/ui/flags/g/admins", [("to", "on")]), ("/ui/flags/g/customers", [("customers", "a"), ("do", "add")]),
                ("/ui/flags/g/cohorts", [("cohort", "c"), ("do", "add")]), ("/ui/flags/g/rollout", [("percent", "50")]),
                ("/ui/flags/g/rules", [("conditions", "plan in pro")]), ("/ui/flags/g/restore", [("revision", "1"), ("scope", "staging")]),
                ("/ui/cohorts/c/members", [("members", "y"), ("do", "add")]), ("/ui/cohorts", [("key", "d")]),
                ("/ui/flags/g/kill", [("confirm", "g")]), ("/ui/flags/g/toggle", [("to", "on")]),
                ("/ui/flags/g/apply", [("pending", #"{"base": {"enabled": false}, "state": {"enabled": true}}"#)]),
                ("/ui/new-flag", [("key", "h")]), ("/ui/flags/g/details", [("description", "x")]),
                ("/ui/flags/g/archive", [("to", "archive")]), ("/ui/flags/g/delete", [("confirm", "g")]),
            ]
            let before = try await server.send("GET", "/api/v1/flags/g").text
            for (path, form) in posts {
                let fields = [("env", "staging")] + form
                let noToken = try await s.client.post(path, form: fields)
                let foreign = try await s.client.post(path, form: fields + [("csrf", s.csrf)], origin: "https://evil.example")
                let signedOut = try await anonymous.post(path, form: fields + [("csrf", s.csrf)])
                #expect(noToken.status == 403, "\(path)")
                #expect(foreign.status == 403, "\(path)")
                #expect(signedOut.status == 303 && signedOut.location == "/ui/login", "\(path)")
            }
            #expect(try await server.send("GET", "/api/v1/flags/g").text == before)
            let cohort = try await server.send("GET", "/api/v1/environments/staging/cohorts/c")
            #expect(cohort["cohort.members"] == .array([.string("x")]))
            #expect(try await server.send("GET", "/api/v1/environments/staging/cohorts/d").status == 404)
            #expect(try await server.send("GET", "/api/v1/flags/h").status == 404)
        }
    }

    /// Hostile text in every free-text field renders as text: cohort descriptions, member ids,
    /// messages, rule descriptions, context values in Try it.
    @Test func hostileTextInEveryFieldRendersAsText() async throws {
        try await TestServer.with { server in
            let payload = ConsoleRenderingTests.payloads.joined(separator: " | ")
            let safe = ConsoleRenderingTests.escaped
            try await server.createFlag(#"{"key": "x", "type": "boolean"}"#)
            let s = try await Self.setup(server)
            let created = try await s.post("/ui/cohorts", [("env", "staging"), ("key", "evil"), ("description", payload), ("members", payload), ("message", payload)])
            #expect(created.status == 303)
            _ = try await s.post("/ui/cohorts/evil/members", [("env", "staging"), ("members", ConsoleRenderingTests.payloads.joined(separator: "\n")), ("do", "add")])
            _ = try await s.post("/ui/flags/x/customers", [("env", "staging"), ("customers", ConsoleRenderingTests.payloads[0]), ("message", payload)])
            _ = try await s.post("/ui/flags/x/rules", [("env", "staging"), ("conditions", "plan in " + ConsoleRenderingTests.payloads[0]), ("description", payload)])
            _ = try await s.post("/ui/flags/x/cohorts", [("env", "staging"), ("cohort", "evil"), ("do", "add"), ("message", payload)])
            let tryQuery = ["try-targetingKey", "try-customerId", "try-role"].map { "\($0)=\(ConsoleClient.encode(payload))" }.joined(separator: "&")
                + "&try-attributes=" + ConsoleClient.encode("note=" + payload)
            let pages = [
                "/ui/cohorts?env=staging", "/ui/cohorts/evil?env=staging", "/ui/flags/x?env=staging", "/ui/flags/x/history?env=staging",
                "/ui/audit", "/ui/flags/x?env=staging&try=1&" + tryQuery, "/ui/flags/x/history?env=staging&restore=1&scope=env",
            ]
            for path in pages {
                let page = try await s.client.get(path)
                #expect(page.status == 200, "\(path): \(page.status)")
                for (raw, escaped) in zip(ConsoleRenderingTests.payloads, safe) where raw != escaped {
                    #expect(!page.body.contains(raw), "\(path) must not contain \(raw)")
                }
                #expect(safe.contains { page.body.contains($0) }, "\(path) shows the text")
                #expect(!ConsoleRenderingTests.containsRawQuoteBeforeCombiningMark(page.body), "\(path)")
                #expect(!page.body.contains("href=\"javascript:"), "\(path)")
                #expect(page.body.components(separatedBy: "<script").count == 2, "\(path): only console.js")
            }
        }
    }

    /// The console's stream says `ready`, then `change` when its environment or another one changes.
    @Test func theFlagPageStreamAnnouncesChanges() async throws {
        try await TestServer.with(configure: { $0.heartbeatInterval = .milliseconds(200) }) { server in
            try await server.createFlag(#"{"key": "live", "type": "boolean"}"#)
            let s = try await Self.setup(server)
            let events = SSEClient(port: server.port, path: "/ui/flags/live/events?env=staging", headers: ["Cookie": "clutch_session=\(s.client.session ?? "")"])
            defer { events.close() }
            #expect(try await events.wait(timeout: .seconds(30)) { $0.events.contains { $0.name == "ready" } })
            #expect(events.status == 200)
            try await server.send("POST", "/api/v1/flags/live/environments/staging/on")
            #expect(try await events.wait(timeout: .seconds(30)) { $0.events.contains { $0.name == "change" } })
            #expect(try await events.wait(timeout: .seconds(30)) { $0.text.contains(": heartbeat") })
            // A change in another environment too: the page shows every environment's state.
            let changes = events.events.filter { $0.name == "change" }.count
            try await server.send("POST", "/api/v1/flags/live/environments/production/on")
            #expect(try await events.wait(timeout: .seconds(30)) { $0.events.filter { $0.name == "change" }.count > changes })
            // The stream counts once, in its own environment.
            let environments = try await server.send("GET", "/api/v1/environments")
            for i in 0..<3 {
                let key = environments["environments[\(i)].key"]?.stringValue ?? ""
                #expect(environments["environments[\(i)].streams"] == .integer(key == "staging" ? 1 : 0), "\(key)")
            }
        }
    }

    @Test func aBlockIsABannerOnTheFlagPageOfItsEnvironmentOnly() async throws {
        try await TestServer.with { server in
            try await server.createFlag(#"{"key": "beta", "type": "boolean"}"#)
            let s = try await Self.setup(server)
            #expect(try await s.client.get("/ui/flags/beta?env=production").body.contains("is blocked") == false)
            try await server.mustSend(
                "POST", "/api/v1/blocks", body: #"{"environment": "production", "flag": "beta", "reason": "payments incident"}"#, expected: 201)
            let blocked = try await s.client.get("/ui/flags/beta?env=production").body
            #expect(blocked.contains(#"<p class="problem blocked" role="alert">beta in production is blocked by admin (service token): payments incident"#), "\(blocked)")
            #expect(try await s.client.get("/ui/flags/beta?env=staging").body.contains("is blocked") == false)
        }
    }
}
