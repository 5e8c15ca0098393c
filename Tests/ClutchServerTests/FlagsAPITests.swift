import ClutchCore
import ClutchServer
import Foundation
import ServerTestSupport
import TestSupport
import Testing

@Suite("Admin API: flags")
struct FlagsAPITests {
    static let checkout = #"""
    {"key": "new-checkout", "description": "the new checkout", "tags": ["web"],
     "environments": {"production": {"enabled": true, "rules": [{"clauses": [{"attribute": "role", "operator": "in", "values": ["admin"]}], "serve": {"variant": "on"}}], "default": {"variant": "off"}}}}
    """#

    @Test func createReadListUpdateDelete() async throws {
        try await TestServer.with { server in
            let created = try await server.createFlag(Self.checkout)
            #expect(created["revision"] == .integer(1))
            #expect(created.headers["etag"] == "\"1\"")
            #expect(created["flag.environments.staging.enabled"] == .bool(false))
            #expect(created["updatedBy"] == .string("admin (service token)"))

            let read = try await server.send("GET", "/api/v1/flags/new-checkout")
            #expect(read.status == 200)
            #expect(read["flag.description"] == .string("the new checkout"))

            try await server.createFlag(#"{"key": "a-first"}"#)
            let list = try await server.send("GET", "/api/v1/flags")
            #expect(list["flags[0].flag.key"] == .string("a-first"))
            #expect(list["flags[1].flag.key"] == .string("new-checkout"))

            var flag = try #require(try read.json().at("flag"))
            if case .object(var object) = flag {
                object["description"] = "renamed"
                flag = .object(object)
            }
            let updated = try await server.send("PUT", "/api/v1/flags/new-checkout", body: flag.jsonText, headers: ["If-Match": "\"1\""])
            #expect(updated.status == 200)
            #expect(updated["revision"] == .integer(2))
            #expect(updated["flag.description"] == .string("renamed"))

            let duplicate = try await server.send("POST", "/api/v1/flags", body: #"{"key": "a-first"}"#)
            #expect(duplicate.status == 409)
            #expect(duplicate.errorCode == "conflict")

            let deleted = try await server.send("DELETE", "/api/v1/flags/a-first")
            #expect(deleted.status == 204)
            #expect(try await server.send("GET", "/api/v1/flags/a-first").status == 404)
            // The key may be created again.
            try await server.createFlag(#"{"key": "a-first"}"#)
        }
    }

    @Test func staleIfMatchIsRefusedAndChangesNothing() async throws {
        try await TestServer.with { server in
            try await server.createFlag(Self.checkout)
            let first = try await server.send("POST", "/api/v1/flags/new-checkout/environments/staging/on", headers: ["If-Match": "1"])
            #expect(first.status == 200)
            #expect(first["revision"] == .integer(2))
            // A second editor still holding revision 1.
            let stale = try await server.send(
                "PUT", "/api/v1/flags/new-checkout/environments/production", body: #"{"enabled": false}"#,
                headers: ["If-Match": "\"1\""])
            #expect(stale.status == 409)
            #expect(stale.errorCode == "conflict")
            let after = try await server.send("GET", "/api/v1/flags/new-checkout")
            #expect(after["revision"] == .integer(2))
            #expect(after["flag.environments.production.enabled"] == .bool(true))
        }
    }

    @Test func stateToggleArchiveAndKill() async throws {
        try await TestServer.with { server in
            try await server.createFlag(Self.checkout)
            let state = try await server.send(
                "PUT", "/api/v1/flags/new-checkout/environments/staging",
                body: #"{"enabled": true, "targets": [{"variant": "on", "values": ["u1"]}]}"#)
            #expect(state.status == 200)
            #expect(state["flag.environments.staging.targets[0].values[0]"] == .string("u1"))

            let on = try await server.send("POST", "/api/v1/flags/new-checkout/environments/development/on")
            #expect(on["flag.environments.development.enabled"] == .bool(true))
            let revision = on["revision"]
            // A no-op answers 200 without a new revision.
            let again = try await server.send("POST", "/api/v1/flags/new-checkout/environments/development/on")
            #expect(again.status == 200)
            #expect(again["revision"] == revision)

            let kill = try await server.send("POST", "/api/v1/flags/new-checkout/kill", body: "{}")
            #expect(kill.status == 200)
            #expect(kill["environments"] == .array(["development", "production", "staging"]))
            #expect(kill["flag.flag.environments.production.enabled"] == .bool(false))
            #expect(kill["flag.flag.environments.staging.enabled"] == .bool(false))
            #expect(kill["notifiedStreams"] == .integer(0))

            let archived = try await server.send("POST", "/api/v1/flags/new-checkout/archive")
            #expect(archived["flag.archived"] == .bool(true))
            #expect(try await server.send("GET", "/api/v1/flags")["flags"]?.arrayCount == 0)
            #expect(try await server.send("GET", "/api/v1/flags?archived=true")["flags"]?.arrayCount == 1)
            let unarchived = try await server.send("POST", "/api/v1/flags/new-checkout/unarchive")
            #expect(unarchived["flag.archived"] == .bool(false))
        }
    }

    @Test func revisionsDiffAndRollback() async throws {
        try await TestServer.with { server in
            try await server.createFlag(Self.checkout)
            try await server.send("POST", "/api/v1/flags/new-checkout/environments/production/off", headers: ["X-Clutch-Message": "incident%2042%20%E2%9C%93"])
            try await server.send("POST", "/api/v1/flags/new-checkout/environments/staging/on")

            let revisions = try await server.send("GET", "/api/v1/flags/new-checkout/revisions")
            #expect(revisions["revisions"]?.arrayCount == 3)
            #expect(revisions["revisions[0].number"] == .integer(3))
            #expect(revisions["revisions[1].message"] == .string("incident 42 ✓"))
            #expect(revisions["revisions[1].actor"] == .string("admin (service token)"))
            let production = try await server.send("GET", "/api/v1/flags/new-checkout/revisions?environment=production")
            #expect(production["revisions"]?.arrayCount == 2)

            let two = try await server.send("GET", "/api/v1/flags/new-checkout/revisions/2")
            #expect(two["flag.environments.production.enabled"] == .bool(false))
            #expect(try await server.send("GET", "/api/v1/flags/new-checkout/revisions/99").status == 404)

            let diff = try await server.send("GET", "/api/v1/flags/new-checkout/diff?from=1&to=2")
            #expect(diff["changes[0].path"] == .string("environments.production.enabled"))
            #expect(diff["changes[0].before"] == .bool(true))
            #expect(diff["changes[0].after"] == .bool(false))
            let toLatest = try await server.send("GET", "/api/v1/flags/new-checkout/diff?from=1")
            #expect(toLatest["to"] == .integer(3))
            #expect(toLatest["changes"]?.arrayCount == 2)

            // Restore production's state of revision 1 only.
            let rollback = try await server.send("POST", "/api/v1/flags/new-checkout/rollback", body: #"{"revision": 1, "environment": "production"}"#)
            #expect(rollback.status == 200)
            #expect(rollback.headers["x-clutch-restored"] == "1")
            #expect(rollback["revision"] == .integer(4))
            #expect(rollback["flag.environments.production.enabled"] == .bool(true))
            #expect(rollback["flag.environments.staging.enabled"] == .bool(true))
            // Default: the revision before the latest (3), whole flag.
            let back = try await server.send("POST", "/api/v1/flags/new-checkout/rollback")
            #expect(back.headers["x-clutch-restored"] == "3")
            #expect(back["flag.environments.production.enabled"] == .bool(false))
        }
    }

    @Test func staleFlagsAndUsage() async throws {
        try await TestServer.with { server in
            try await server.createFlag(#"{"key": "used"}"#)
            try await server.createFlag(#"{"key": "unused"}"#)
            let (_, key) = try await server.createKey("production")
            let usage = try await server.send(
                "POST", "/sdk/v1/usage", body: #"{"counts": [{"flag": "used", "variant": "on", "count": 12}], "from": "2026-01-01T00:00:00Z", "to": "2026-01-01T00:01:00Z"}"#,
                as: .bearer(key))
            #expect(usage.status == 202)
            let recent = try await server.send("GET", "/api/v1/flags/stale?days=30")
            #expect(recent.status == 200)
            #expect(recent["flags"]?.arrayCount == 0)  // both are younger than 30 days
            // With a zero-day window every flag is old enough; `unused` was never evaluated.
            let stale = try await server.send("GET", "/api/v1/flags/stale?days=0")
            let entries: [Value] = if case .array(let items)? = stale["flags"] { items } else { [] }
            let unused = entries.first { $0.at("key") == .string("unused") }
            #expect(unused?.at("reason") == .string("never evaluated in the 0 days since it was created"))
            #expect(unused?.at("lastEvaluated") == .null)
            let used = entries.first { $0.at("key") == .string("used") }
            #expect(used?.at("lastEvaluated")?.stringValue != nil)
            #expect(try await server.send("GET", "/api/v1/flags/stale?days=-1").status == 400)
            let read = try await server.send("GET", "/api/v1/flags/used")
            #expect(read["usage.production.variants.on"] == .integer(12))
        }
    }
}
