import ClutchAPI
import ClutchCore
import ClutchServer
import Foundation
import ServerTestSupport
import TestSupport
import Testing

/// What the server has seen of its contexts' attribute names (OFREP, client streams, SDK usage
/// reports), and the warning on a change that names one never seen.
@Suite("Seen attributes")
struct SeenAttributesAPITests {
    /// The names `GET /api/v1/environments/{env}/attributes` lists, with their kinds.
    static func seen(_ server: TestServer, _ environment: String = "production") async throws -> [String: [String]] {
        let reply = try await server.mustSend("GET", "/api/v1/environments/\(environment)/attributes")
        var names: [String: [String]] = [:]
        for attribute in reply["attributes"]?.arrayValue ?? [] {
            guard let name = attribute.objectValue?["name"]?.stringValue else { continue }
            names[name] = attribute.objectValue?["kinds"]?.arrayValue?.compactMap(\.stringValue) ?? []
        }
        return names
    }

    @Test func theNamesOFREPContextsCarryAppearInTheAPIWithTheirKindsAndNoValues() async throws {
        try await TestServer.with { server in
            try await OFREPFixtures.seed(server)
            let (_, key) = try await server.createKey("production")
            #expect(try await Self.seen(server).isEmpty, "nothing seen yet")
            try await server.mustSend(
                "POST", "/ofrep/v1/evaluate/flags/dark-mode",
                body: #"{"context": {"targetingKey": "u1", "customerId": "acme", "seats": 3, "beta": true, "roles": ["admin"], "user": {"plan": "pro", "address": {"city": "Oslo"}}, "app.version": "1.2.0", "gone": null}}"#,
                as: .bearer(key))
            try await server.mustSend("POST", "/ofrep/v1/evaluate/flags", body: #"{"context": {"targetingKey": "u2", "email": "a@example.com", "seats": "many"}}"#, as: .bearer(key))
            let seen = try await Self.seen(server)
            #expect(seen == [
                "targetingKey": ["string"], "customerId": ["string"], "seats": ["string", "number"], "beta": ["bool"], "roles": ["list"],
                "user": ["object"], "user.plan": ["string"], "user.address": ["object"], "user.address.city": ["string"],
                "app\\.version": ["string"], "email": ["string"],
            ])
            let reply = try await server.mustSend("GET", "/api/v1/environments/production/attributes")
            #expect(!reply.text.contains("acme") && !reply.text.contains("Oslo"), "names only, never values")
            #expect(try await Self.seen(server, "staging").isEmpty, "per environment")
            #expect(try await server.send("GET", "/api/v1/environments/nowhere/attributes").status == 404)
        }
    }

    @Test func theNamesAnSDKUsageReportListsAppearAndABadNameIsRefusedNamingTheField() async throws {
        try await TestServer.with { server in
            try await OFREPFixtures.seed(server)
            let (_, key) = try await server.createKey("production")
            let report = #"{"counts": [{"flag": "dark-mode", "variant": "on", "count": 2}], "attributes": [{"name": "plan", "kind": "string"}, {"name": "org.id", "kind": "number"}]}"#
            try await server.mustSend("POST", "/sdk/v1/usage", body: report, as: .bearer(key), expected: 202)
            #expect(try await Self.seen(server) == ["plan": ["string"], "org.id": ["number"]])

            let bad = try await server.send(
                "POST", "/sdk/v1/usage", body: #"{"counts": [], "attributes": [{"name": "ok", "kind": "string"}, {"name": "a..b", "kind": "string"}]}"#,
                as: .bearer(key))
            #expect(bad.status == 400)
            #expect(bad.errorField == "attributes[1].name")
            let tooMany = (0...SeenAttributeLimits.maxPerReport).map { #"{"name": "n\#($0)", "kind": "bool"}"# }.joined(separator: ",")
            let refused = try await server.send("POST", "/sdk/v1/usage", body: #"{"counts": [], "attributes": [\#(tooMany)]}"#, as: .bearer(key))
            #expect(refused.status == 400)
            #expect(refused.errorField == "attributes")
            #expect(try await Self.seen(server).count == 2, "a refused report records nothing")
        }
    }

    @Test func aClientStreamsContextCountsAsSeen() async throws {
        try await TestServer.with { server in
            try await OFREPFixtures.seed(server)
            let (_, key) = try await server.createKey("production", kind: "client")
            let stream = SSEClient(
                port: server.port, path: "/sdk/v1/client/stream", headers: ["Authorization": "Bearer \(key)"],
                body: #"{"context": {"targetingKey": "device-1", "deviceModel": "iPhone"}}"#)
            defer { stream.close() }
            #expect(try await stream.wait { !$0.events.isEmpty }, "the stream answered")
            #expect(try await Self.seen(server) == ["targetingKey": ["string"], "deviceModel": ["string"]])
        }
    }

    @Test func aChangeNamingAnAttributeNeverSeenIsMadeAndWarnsWithTheClosestSeenNameFirst() async throws {
        try await TestServer.with { server in
            try await OFREPFixtures.seed(server)
            let (_, key) = try await server.createKey("production")
            let rollout = #"{"message": "10 %", "instructions": [{"kind": "setRollout", "percent": 10, "variant": "on", "bucketBy": "customerID"}]}"#
            // Before any context was seen nothing warns: a fresh install would warn on every name.
            let fresh = try await server.mustSend("POST", "/api/v1/flags/rollout/environments/production/changes", body: rollout)
            #expect(fresh["warnings"] == nil)

            try await server.mustSend(
                "POST", "/ofrep/v1/evaluate/flags/dark-mode", body: #"{"context": {"customerId": "acme", "email": "a@b.c", "plan": "pro"}}"#,
                as: .bearer(key))
            // A dry run warns as the change would.
            let dryRun = try await server.mustSend("POST", "/api/v1/flags/dark-mode/environments/production/changes?dryRun=true", body: rollout)
            #expect(dryRun["record.warnings[0].attribute"] == .string("customerID"))
            let changed = try await server.mustSend("POST", "/api/v1/flags/dark-mode/environments/production/changes", body: rollout)
            #expect(changed["flag.environments.production.default.rollout.bucketBy"] == .string("customerID"), "the change is made")
            #expect(changed["warnings[0].attribute"] == .string("customerID"))
            #expect(changed["warnings[0].suggestion"] == .string("customerId"))
            #expect(changed["warnings[0].message"] == .string("customerID has not been seen in production contexts; seen: customerId, email, plan"))
            #expect(changed["warnings"]?.arrayCount == 1)

            // Sent again it changes nothing, and a name warned about when it came in is not repeated.
            let again = try await server.mustSend("POST", "/api/v1/flags/dark-mode/environments/production/changes", body: rollout)
            #expect(again["warnings"] == nil)
            // A whole-state write warns too; a seen name does not.
            let state = try await server.mustSend(
                "PUT", "/api/v1/flags/dark-mode/environments/production",
                body: #"{"enabled": true, "rules": [{"clauses": [{"attribute": "Plan", "operator": "in", "values": ["pro"]}], "serve": {"variant": "on"}}]}"#)
            #expect(state["warnings[0].suggestion"] == .string("plan"))
            let fine = try await server.mustSend(
                "PUT", "/api/v1/flags/dark-mode/environments/production",
                body: #"{"enabled": true, "default": {"rollout": {"bucketBy": "customerId", "weights": [{"variant": "on", "weight": 100000}, {"variant": "off", "weight": 0}]}}}"#)
            #expect(fine["warnings"] == nil)
            // Another environment has seen nothing: no warning there.
            let staging = try await server.mustSend("POST", "/api/v1/flags/dark-mode/environments/staging/changes", body: rollout)
            #expect(staging["warnings"] == nil)
        }
    }

    @Test func theClosestSeenNameIsACaseDifferenceThenTheFewestEditsAndNothingFarAway() {
        let seen = ["customerId", "email", "plan", "targetingKey"]
        #expect(AttributeWarnings.closest(to: "customerID", in: seen) == "customerId")
        #expect(AttributeWarnings.closest(to: "custmerId", in: seen) == "customerId")
        #expect(AttributeWarnings.closest(to: "emial", in: seen) == "email")
        #expect(AttributeWarnings.closest(to: "region", in: seen) == nil)
        #expect(AttributeWarnings.check(used: ["plan", "region"], seen: seen, environment: "staging").map(\.message) == [
            "region has not been seen in staging contexts; seen: customerId, email, plan, targetingKey",
        ])
        #expect(AttributeWarnings.check(used: ["region"], seen: [], environment: "staging").isEmpty, "nothing seen: no warning")
        #expect(AttributeWarnings.check(used: ["app.version"], seen: ["app\\.version"], environment: "staging").isEmpty, "a flat name with a dot")
    }
}
