import ClutchCore
import ClutchServer
import Foundation
import ServerTestSupport
import TestSupport
import Testing

@Suite("Admin API: cohorts, environments, keys, audit, explain, export/import")
struct AdminAPITests {
    @Test func cohortsAndMembers() async throws {
        try await TestServer.with { server in
            let created = try await server.send(
                "POST", "/api/v1/environments/production/cohorts", body: #"{"key": "beta", "members": ["acme"]}"#)
            #expect(created.status == 201)
            #expect(created["environment"] == .string("production"))
            #expect(created["cohort.attribute"] == .string("customerId"))
            #expect(try await server.send("POST", "/api/v1/environments/production/cohorts", body: #"{"key": "beta", "members": ["x"]}"#).status == 409)

            let members = try await server.send(
                "POST", "/api/v1/environments/production/cohorts/beta/members", body: #"{"add": ["globex", "initech"], "remove": ["acme"]}"#)
            #expect(members.status == 200)
            #expect(members["added"] == .array(["globex", "initech"]))
            #expect(members["removed"] == .array(["acme"]))
            #expect(members["size"] == .integer(2))
            #expect(members["revision"] == .integer(2))
            #expect(try await server.send("GET", "/api/v1/environments/production/cohorts/beta")["cohort.members"] == .array(["globex", "initech"]))
            // Adding present members and removing absent ones changes nothing: no new revision.
            let unchanged = try await server.send(
                "POST", "/api/v1/environments/production/cohorts/beta/members", body: #"{"add": ["globex"], "remove": ["nobody"]}"#)
            #expect(unchanged["revision"] == .integer(2))
            #expect(unchanged["added"] == .array([]))
            // One member both added and removed, or an empty member, is refused, naming the field.
            let both = try await server.send(
                "POST", "/api/v1/environments/production/cohorts/beta/members", body: #"{"add": ["x"], "remove": ["x"]}"#)
            #expect(both.status == 400)
            #expect(both.text.contains("remove"), "\(both.text)")
            let empty = try await server.send(
                "POST", "/api/v1/environments/production/cohorts/beta/members", body: #"{"add": ["ok", ""]}"#)
            #expect(empty.status == 400)
            #expect(empty.text.contains("add[0]"), "\(empty.text)")

            let updated = try await server.send(
                "PUT", "/api/v1/environments/production/cohorts/beta", body: #"{"key": "beta", "description": "beta customers", "members": ["globex"]}"#)
            #expect(updated["cohort.description"] == .string("beta customers"))
            #expect(try await server.send("GET", "/api/v1/environments/production/cohorts")["cohorts"]?.arrayCount == 1)
            #expect(try await server.send("GET", "/api/v1/environments/staging/cohorts")["cohorts"]?.arrayCount == 0)
            #expect(try await server.send("GET", "/api/v1/environments/production/cohorts/beta")["cohort.members"] == .array(["globex"]))

            // A flag naming the cohort keeps it from being deleted.
            try await server.createFlag(
                #"{"key": "beta-feature", "environments": {"production": {"enabled": true, "rules": [{"clauses": [{"cohort": "beta"}], "serve": {"variant": "on"}}], "default": {"variant": "off"}}}}"#)
            let refused = try await server.send("DELETE", "/api/v1/environments/production/cohorts/beta")
            #expect(refused.status == 409)
            #expect(refused.text.contains("beta-feature"))

            // The rule works through the cohort.
            let explain = try await server.send(
                "POST", "/api/v1/environments/production/explain", body: #"{"flag": "beta-feature", "context": {"targetingKey": "u1", "customerId": "globex"}}"#)
            #expect(explain.status == 200)
            #expect(explain["value"] == .bool(true))
            #expect(explain["reason"] == .string("TARGETING_MATCH"))
            #expect(explain["match.kind"] == .string("rule"))
            #expect(explain["match.index"] == .integer(0))
            #expect(explain["explanation"] == .string("rule #1: in cohort beta"))

            try await server.send("PUT", "/api/v1/flags/beta-feature/environments/production", body: #"{"enabled": false}"#)
            #expect(try await server.send("DELETE", "/api/v1/environments/production/cohorts/beta").status == 204)
            #expect(try await server.send("GET", "/api/v1/environments/production/cohorts/beta").status == 404)
        }
    }

    @Test func theFlagListPagesAndSearchesWhenAskedAndAnswersEveryFlagOtherwise() async throws {
        try await TestServer.with { server in
            for i in 0..<5 {
                let body = #"{"key": "flag-\#(i)", "description": "\#(i == 3 ? "Checkout" : "other")"}"#
                #expect(try await server.send("POST", "/api/v1/flags", body: body).status == 201)
            }
            let all = try await server.send("GET", "/api/v1/flags")
            #expect(all["flags"]?.arrayCount == 5)
            #expect(all["matched"] == nil && all["nextOffset"] == nil, "unpaged, as before paging")
            let first = try await server.send("GET", "/api/v1/flags?limit=2")
            #expect(first["flags"]?.arrayCount == 2)
            #expect(first["flags[0].flag.key"] == .string("flag-0"))
            #expect(first["matched"] == .integer(5) && first["nextOffset"] == .integer(2))
            let last = try await server.send("GET", "/api/v1/flags?limit=2&offset=4")
            #expect(last["flags[0].flag.key"] == .string("flag-4"))
            #expect(last["nextOffset"] == nil)
            let found = try await server.send("GET", "/api/v1/flags?q=CHECK")
            #expect(found["flags"]?.arrayCount == 1 && found["flags[0].flag.key"] == .string("flag-3"))
            let bad = try await server.send("GET", "/api/v1/flags?limit=0")
            #expect(bad.status == 400)
            #expect(bad["error.field"] == .string("limit"), "\(bad.text)")
        }
    }

    @Test func explainTargetsDefaultsAndUnknowns() async throws {
        try await TestServer.with { server in
            try await server.createFlag(
                #"{"key": "vip", "environments": {"production": {"enabled": true, "targets": [{"variant": "on", "attribute": "customerId", "values": ["acme"]}], "default": {"variant": "off"}}}}"#)
            let target = try await server.send(
                "POST", "/api/v1/environments/production/explain", body: #"{"flag": "vip", "context": {"targetingKey": "u1", "customerId": "acme"}}"#)
            #expect(target["match.kind"] == .string("target"))
            #expect(target["match.attribute"] == .string("customerId"))
            #expect(target["match.value"] == .string("acme"))
            #expect(target["variant"] == .string("on"))
            let fallback = try await server.send(
                "POST", "/api/v1/environments/production/explain", body: #"{"flag": "vip", "context": {"targetingKey": "u1"}}"#)
            #expect(fallback["match.kind"] == .string("default"))
            #expect(fallback["value"] == .bool(false))
            #expect(try await server.send("POST", "/api/v1/environments/production/explain", body: #"{"flag": "nope"}"#).status == 404)
            #expect(try await server.send("POST", "/api/v1/environments/nowhere/explain", body: #"{"flag": "vip"}"#).status == 404)
        }
    }

    @Test func environmentsKeysStatusAudit() async throws {
        try await TestServer.with { server in
            let list = try await server.send("GET", "/api/v1/environments")
            let keys = (list["environments"].flatMap { value -> [String]? in
                guard case .array(let items) = value else { return nil }
                return items.compactMap { $0.at("key")?.stringValue }
            }) ?? []
            #expect(keys.sorted() == ["development", "production", "staging"])

            let qa = try await server.send("POST", "/api/v1/environments", body: #"{"key": "qa"}"#)
            #expect(qa.status == 201)
            #expect(qa["key"] == .string("qa"))
            #expect(try await server.send("POST", "/api/v1/environments", body: #"{"key": "qa"}"#).status == 409)
            #expect(try await server.send("POST", "/api/v1/environments", body: #"{"key": "Not Valid"}"#).status == 400)

            // The new environment is served at once.
            try await server.createFlag(#"{"key": "everywhere", "environments": {"qa": {"enabled": true}}}"#)
            let (_, qaKey) = try await server.createKey("qa")
            let evaluation = try await server.send("POST", "/ofrep/v1/evaluate/flags/everywhere", body: "{}", as: .bearer(qaKey))
            #expect(evaluation["value"] == .bool(true))

            let created = try await server.send("POST", "/api/v1/environments/production/keys", body: #"{"name": "web"}"#)
            #expect(created.status == 201)
            #expect(created["key"]?.stringValue?.hasPrefix("clutch_sdk_") == true)
            #expect(created["environment"] == .string("production"))
            #expect(try await server.send("POST", "/api/v1/environments/nowhere/keys", body: #"{"name": "web"}"#).status == 404)

            let status = try await server.send("GET", "/api/v1/status")
            #expect(status["version"] == .string("0.1.0"))
            #expect(status["environments"]?.arrayCount == 4)

            try await server.send("POST", "/api/v1/flags/everywhere/environments/production/on", headers: ["X-Clutch-Message": "launch"])
            let audit = try await server.send("GET", "/api/v1/audit?since=1h&flag=everywhere&limit=10")
            #expect(audit.status == 200)
            #expect(audit["events[0].message"] == .string("launch"))
            #expect(audit["events[0].actor"] == .string("admin (service token)"))
            #expect(audit["events[0].entity"] == .string("flag"))
            #expect(audit["events"]?.arrayCount == 2)
            let all = try await server.send("GET", "/api/v1/audit?since=2020-01-01T00:00:00Z")
            #expect((all["events"]?.arrayCount ?? 0) >= 4)
            #expect(try await server.send("GET", "/api/v1/audit?since=yesterday").status == 400)
        }
    }

    @Test func exportAndImportJSONAndYAML() async throws {
        try await TestServer.with { server in
            try await OFREPFixtures.seed(server)
            try await server.send("POST", "/api/v1/environments/production/cohorts", body: #"{"key": "beta", "members": ["acme"]}"#)
            let export = try await server.send("GET", "/api/v1/export")
            #expect(export.status == 200)
            #expect(export["flags"]?.arrayCount == OFREPFixtures.flags.count)
            #expect(export["cohorts.production[0].key"] == .string("beta"))
            let yaml = try await server.send("GET", "/api/v1/export?format=yaml")
            #expect(yaml.headers["content-type"] == "application/yaml")
            #expect(yaml.text.contains("dark-mode"))

            // Into a fresh server: dry run first (nothing written), then for real.
            try await TestServer.with { other in
                let dry = try await other.send("POST", "/api/v1/import?dryRun=true", data: export.body)
                #expect(dry.status == 200)
                #expect(dry["dryRun"] == .bool(true))
                #expect(dry["applied"] == .bool(false))
                #expect(dry["changes[0].action"] == .string("create"))
                #expect(try await other.send("GET", "/api/v1/flags")["flags"]?.arrayCount == 0)

                let applied = try await other.send(
                    "POST", "/api/v1/import", data: yaml.body, headers: ["Content-Type": "application/yaml"])
                #expect(applied.status == 200, "\(applied.text)")
                #expect(applied["applied"] == .bool(true))
                #expect(try await other.send("GET", "/api/v1/flags")["flags"]?.arrayCount == OFREPFixtures.flags.count)
                let again = try await other.send("POST", "/api/v1/import?dryRun=true", data: export.body)
                #expect(again["changes[0].action"] == .string("unchanged"))

                // All or nothing: one bad flag refuses the whole document.
                let bad = #"{"flags": [{"key": "fine"}, {"key": "broken", "environments": {"production": {"enabled": true, "default": {"variant": "blue"}}}}]}"#
                let refused = try await other.send("POST", "/api/v1/import", body: bad)
                #expect(refused.status == 400)
                #expect(refused.errorCode == "validation_failed")
                #expect(refused.errorField?.hasPrefix("flags[1]") == true, "\(refused.text)")
                #expect(try await other.send("GET", "/api/v1/flags/fine").status == 404)
            }
        }
    }
}
