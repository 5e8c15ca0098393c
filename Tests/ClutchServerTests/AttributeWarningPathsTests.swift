import ClutchAPI
import ClutchCore
import Foundation
import ServerTestSupport
import TestSupport
import Testing

/// Issue 27: every write path that introduces an attribute name, or activates rules naming one,
/// warns when no context of the environment has carried it — whole-flag writes, turning on,
/// rollback and restore, import, schedules and change requests — and the change is made all the
/// same. Which names count is one rule (``AttributeWarnings/names(before:after:)``).
@Suite("Attribute warnings on every write path")
struct AttributeWarningPathsTests {
    static let typo = "customerID has not been seen in production contexts; seen: customerId, email, plan, targetingKey"
    static let rule = #"{"clauses": [{"attribute": "customerID", "operator": "in", "values": ["acme"]}], "serve": {"variant": "on"}}"#

    /// A server whose production contexts have carried `customerId`, `email`, `plan` and `targetingKey`.
    static func withSeenContexts(_ body: (TestServer) async throws -> Void) async throws {
        try await TestServer.with { server in
            try await server.createFlag(#"{"key": "probe", "environments": {"production": {"enabled": true}}}"#)
            let (_, key) = try await server.createKey("production")
            try await server.mustSend(
                "POST", "/ofrep/v1/evaluate/flags/probe",
                body: #"{"context": {"targetingKey": "u1", "customerId": "acme", "email": "a@example.com", "plan": "pro"}}"#, as: .bearer(key))
            try await body(server)
        }
    }

    static func messages(_ reply: Reply, _ path: String = "warnings") -> [String] {
        reply[path]?.arrayValue?.compactMap { $0.objectValue?["message"]?.stringValue } ?? []
    }

    @Test func aNewNameWarnsOnceAndTurningOnWarnsForTheRulesItActivatesButOffAndKillNever() async throws {
        try await Self.withSeenContexts { server in
            let created = try await server.createFlag(
                #"{"key": "checkout", "environments": {"production": {"enabled": false, "rules": [\#(Self.rule)]}}}"#)
            #expect(Self.messages(created) == [Self.typo], "a created flag's names are new")

            let on = try await server.mustSend("POST", "/api/v1/flags/checkout/environments/production/on")
            #expect(Self.messages(on) == [Self.typo], "turning on makes the flag serve through the rule")
            let again = try await server.mustSend("POST", "/api/v1/flags/checkout/environments/production/on")
            #expect(again["warnings"] == nil, "already on: nothing changes")
            let other = try await server.mustSend(
                "POST", "/api/v1/flags/checkout/environments/production/changes",
                body: #"{"instructions": [{"kind": "addTargets", "variant": "on", "attribute": "email", "values": ["a@example.com"]}]}"#)
            #expect(other["warnings"] == nil, "customerID was warned about when it came in; the change adds only a seen name")

            let off = try await server.mustSend("POST", "/api/v1/flags/checkout/environments/production/off")
            #expect(off["warnings"] == nil)
            _ = try await server.mustSend("POST", "/api/v1/flags/checkout/environments/production/on")
            let killed = try await server.mustSend("POST", "/api/v1/flags/checkout/kill")
            #expect(!killed.text.contains("warnings"), "\(killed.text)")

            // A whole-flag write warns for the name it brings into an environment, not for those it keeps.
            let record = try await server.mustSend("GET", "/api/v1/flags/checkout")
            var flag = try #require(record["flag"]?.objectValue)
            flag["description"] = .string("checkout v2")
            let described = try await server.mustSend("PUT", "/api/v1/flags/checkout", body: String(decoding: try ClutchJSON.encode(Value.object(flag)), as: UTF8.self))
            #expect(described["warnings"] == nil, "only the description changed")
        }
    }

    @Test func rollbackAndRestoringADeletedFlagWarnAboutTheNamesTheyBringBack() async throws {
        try await Self.withSeenContexts { server in
            try await server.createFlag(#"{"key": "pilot", "environments": {"production": {"enabled": true}}}"#)
            let added = try await server.mustSend(
                "POST", "/api/v1/flags/pilot/environments/production/changes", body: #"{"instructions": [{"kind": "addRule", "rule": \#(Self.rule)}]}"#)
            #expect(Self.messages(added) == [Self.typo])
            let removed = try await server.mustSend(
                "PUT", "/api/v1/flags/pilot/environments/production", body: #"{"enabled": true}"#)
            #expect(removed["warnings"] == nil)
            let rolledBack = try await server.mustSend("POST", "/api/v1/flags/pilot/rollback", body: #"{"revision": 2, "environment": "production"}"#)
            #expect(rolledBack["flag.environments.production.rules[0].clauses[0].attribute"] == .string("customerID"), "restored")
            #expect(Self.messages(rolledBack) == [Self.typo])

            try await server.mustSend("DELETE", "/api/v1/flags/pilot?force=true", expected: 204)
            let restored = try await server.mustSend("POST", "/api/v1/flags/pilot/restore", expected: 201)
            #expect(Self.messages(restored) == [Self.typo])
        }
    }

    @Test func anImportWarnsOncePerNameAndEnvironmentAndItsDryRunToo() async throws {
        try await Self.withSeenContexts { server in
            let flag = { (key: String) in
                #"{"key": "\#(key)", "type": "boolean", "environments": {"production": {"enabled": true, "rules": [\#(Self.rule)]}}}"#
            }
            let document = #"{"flags": [\#(flag("imported-a")), \#(flag("imported-b"))], "cohorts": {}}"#
            let dryRun = try await server.mustSend("POST", "/api/v1/import?dryRun=true", body: document)
            #expect(Self.messages(dryRun) == [Self.typo])
            let applied = try await server.mustSend("POST", "/api/v1/import", body: document)
            #expect(applied["applied"] == .bool(true))
            #expect(Self.messages(applied) == [Self.typo], "two flags, one name: one warning")
            let same = try await server.mustSend("POST", "/api/v1/import", body: document)
            #expect(same["warnings"] == nil, "importing what is stored changes nothing")
        }
    }

    @Test func aScheduleAndAChangeRequestWarnAboutWhatTheyWillApply() async throws {
        try await Self.withSeenContexts { server in
            try await server.createFlag(#"{"key": "later", "environments": {"production": {"enabled": false, "rules": [\#(Self.rule)]}}}"#)
            let at = Timestamp.format(Date().addingTimeInterval(3_600))
            let schedule = try await server.mustSend(
                "POST", "/api/v1/schedules",
                body: #"{"flag": "later", "environment": "production", "at": "\#(at)", "instructions": [{"kind": "turnOn"}]}"#, expected: 201)
            #expect(Self.messages(schedule) == [Self.typo], "turning on will activate the rule")
            let listed = try await server.mustSend("GET", "/api/v1/schedules")
            #expect(!listed.text.contains("warnings"), "reads carry none")
            let quiet = try await server.mustSend(
                "POST", "/api/v1/schedules",
                body: #"{"flag": "later", "environment": "production", "at": "\#(at)", "instructions": [{"kind": "turnOff"}]}"#, expected: 201)
            #expect(quiet["warnings"] == nil)

            let request = try await server.mustSend(
                "POST", "/api/v1/change-requests",
                body: #"{"flag": "later", "environment": "production", "instructions": [{"kind": "turnOn"}]}"#, expected: 201)
            #expect(Self.messages(request) == [Self.typo])
        }
    }

    @Test func theRuleCountsNewNamesAndEveryNameWhenTurnedOnAndNothingWhenUnchangedOrTurnedOff() {
        var off = FlagState(enabled: false)
        off.rules = [Rule(clauses: [Clause(attribute: "plan", .in, ["pro"])], serve: Serve(variant: "on"))]
        var on = off
        on.enabled = true
        var more = on
        more.targets = [Target(variant: "on", attribute: "region", values: ["eu"])]
        #expect(AttributeWarnings.names(before: nil, after: off) == ["plan"], "new")
        #expect(AttributeWarnings.names(before: off, after: on) == ["plan"], "turned on")
        #expect(AttributeWarnings.names(before: on, after: off).isEmpty, "turned off")
        #expect(AttributeWarnings.names(before: on, after: on).isEmpty, "unchanged")
        #expect(AttributeWarnings.names(before: on, after: more) == ["region"], "only what the change brings in")
    }
}
