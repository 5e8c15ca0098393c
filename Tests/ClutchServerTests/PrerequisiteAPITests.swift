import ClutchCore
import Foundation
import ServerTestSupport
import TestSupport
import Testing

/// Prerequisites through the API: added and removed as instructions, served over OFREP with
/// reason `PREREQUISITE_FAILED` until the prerequisite holds, explained, and refused when they
/// would form a cycle or when the flag required is deleted. Every answer is held to docs/openapi.json.
@Suite("Prerequisites API")
struct PrerequisiteAPITests {
    static let checkout = #"{"key": "new-checkout", "environments": {"production": {"enabled": true, "targets": [{"variant": "on", "values": ["u1"]}], "default": {"variant": "off"}}}}"#
    static let changes = "/api/v1/flags/new-checkout/environments/production/changes"

    @Test func instructionsOFREPAndExplain() async throws {
        try await TestServer.with { server in
            try await server.createFlag(#"{"key": "payments-v2"}"#)
            try await server.createFlag(Self.checkout)
            let (_, key) = try await server.createKey("production")
            @Sendable func evaluate(_ user: String) async throws -> Reply {
                try await server.send(
                    "POST", "/ofrep/v1/evaluate/flags/new-checkout", body: #"{"context": {"targetingKey": "\#(user)"}}"#, as: .bearer(key))
            }
            #expect(try await evaluate("u1")["reason"] == .string("TARGETING_MATCH"), "before the prerequisite")

            let added = try await server.send(
                "POST", Self.changes, body: #"{"instructions": [{"kind": "addPrerequisite", "flag": "payments-v2", "variant": "on"}]}"#)
            #expect(added.status == 200, "\(added.text)")
            #expect(added["flag.environments.production.prerequisites"] == [["flag": "payments-v2", "variant": "on"]])

            // payments-v2 is off: u1's target does not apply.
            #expect(try await eventually { try await evaluate("u1")["reason"] == .string("PREREQUISITE_FAILED") })
            let failed = try await evaluate("u1")
            #expect(failed.status == 200, "\(failed.text)")
            #expect(failed["variant"] == .string("off"))
            #expect(failed["value"] == .bool(false))

            let explained = try await server.send(
                "POST", "/api/v1/environments/production/explain", body: #"{"flag": "new-checkout", "context": {"targetingKey": "u1"}}"#)
            #expect(explained.status == 200, "\(explained.text)")
            #expect(explained["reason"] == .string("PREREQUISITE_FAILED"))
            #expect(explained["match.kind"] == .string("prerequisite"))
            #expect(explained["match.flag"] == .string("payments-v2"))
            #expect(explained["explanation"] == .string("prerequisite payments-v2 is not serving 'on' (it is off in production)"))

            let on = try await server.send("POST", "/api/v1/flags/payments-v2/environments/production/on")
            #expect(on.status == 200, "\(on.text)")
            #expect(try await eventually { try await evaluate("u1")["reason"] == .string("TARGETING_MATCH") })
            #expect(try await evaluate("u1")["variant"] == .string("on"))
            let other = try await evaluate("u2")
            #expect(other["reason"] == .string("DEFAULT"))
            #expect(other["variant"] == .string("off"))

            let removed = try await server.send(
                "POST", Self.changes, body: #"{"instructions": [{"kind": "removePrerequisite", "flag": "payments-v2"}]}"#)
            #expect(removed.status == 200, "\(removed.text)")
            #expect(removed["flag.environments.production.prerequisites"] == nil, "left out when empty")
        }
    }

    @Test func refusalsNameTheFieldAndChangeNothing() async throws {
        try await TestServer.with { server in
            try await server.createFlag(#"{"key": "payments-v2"}"#)
            try await server.createFlag(Self.checkout)
            let added = try await server.send(
                "POST", Self.changes, body: #"{"instructions": [{"kind": "addPrerequisite", "flag": "payments-v2", "variant": "on"}]}"#)
            #expect(added.status == 200, "\(added.text)")

            let cycle = try await server.send(
                "POST", "/api/v1/flags/payments-v2/environments/production/changes",
                body: #"{"instructions": [{"kind": "addPrerequisite", "flag": "new-checkout", "variant": "on"}]}"#)
            #expect(cycle.status == 400, "\(cycle.text)")
            #expect(cycle.errorField == "environments.production.prerequisites[0].flag")
            #expect(cycle["error.message"] == .string("cycle payments-v2 → new-checkout → payments-v2"))

            let cases: [(body: String, field: String)] = [
                (#"{"instructions": [{"kind": "addPrerequisite", "flag": "ghost", "variant": "on"}]}"#, "environments.production.prerequisites[1].flag"),
                (#"{"instructions": [{"kind": "addPrerequisite", "flag": "payments-v2", "variant": "maybe"}]}"#, "environments.production.prerequisites[0].variant"),
                (#"{"instructions": [{"kind": "addPrerequisite", "flag": "new-checkout", "variant": "on"}]}"#, "instructions[0].flag"),
                (#"{"instructions": [{"kind": "addPrerequisite", "flag": "payments-v2", "variant": "on", "values": []}]}"#, "instructions[0].values"),
                (#"{"instructions": [{"kind": "removePrerequisite", "flag": "ghost"}]}"#, "instructions[0].flag"),
            ]
            for item in cases {
                let reply = try await server.send("POST", Self.changes, body: item.body)
                #expect(reply.status == 400, "\(item.body): \(reply.text)")
                #expect(reply.errorField == item.field, "\(item.body): \(reply.text)")
            }
            #expect(try await server.send("GET", "/api/v1/flags/new-checkout")["revision"] == .integer(2))

            let deleted = try await server.send("DELETE", "/api/v1/flags/payments-v2?force=true")
            #expect(deleted.status == 409, "\(deleted.text)")
            #expect(deleted["error.message"]?.stringValue?.contains("'new-checkout' (production)") == true, "\(deleted.text)")
            let archived = try await server.send("POST", "/api/v1/flags/payments-v2/archive")
            #expect(archived.status == 409, "\(archived.text)")
            #expect(try await server.send("GET", "/api/v1/flags/payments-v2").status == 200)
        }
    }
}
