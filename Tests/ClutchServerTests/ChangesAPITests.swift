import ClutchCore
import Foundation
import ServerTestSupport
import TestSupport
import Testing

/// `POST /api/v1/flags/{key}/environments/{env}/changes`: instructions applied by the server.
@Suite("Changes as instructions")
struct ChangesAPITests {
    static let flag = #"{"key": "checkout", "environments": {"production": {"enabled": false, "rules": [{"clauses": [{"attribute": "role", "operator": "in", "values": ["admin"]}], "serve": {"variant": "on"}}]}}}"#
    static let path = "/api/v1/flags/checkout/environments/production/changes"

    @Test func instructionsApplyInOneRevision() async throws {
        try await TestServer.with { server in
            let created = try await server.createFlag(Self.flag)
            // Rules get stable ids when written.
            let ruleID = try #require(created["flag.environments.production.rules[0].id"]?.stringValue)
            let reply = try await server.send("POST", Self.path, body: """
                {"instructions": [
                    {"kind": "turnOn"},
                    {"kind": "addTargets", "variant": "on", "attribute": "customerId", "values": ["acme"]},
                    {"kind": "addRule", "rule": {"clauses": [{"attribute": "plan", "operator": "in", "values": ["pro"]}], "serve": {"variant": "on"}}, "position": 0},
                    {"kind": "setRollout", "percent": 25, "bucketBy": "customerId"}
                ], "message": "open to acme and pro plans"}
                """)
            #expect(reply.status == 200, "\(reply.text)")
            #expect(reply["revision"] == .integer(2))
            #expect(reply.headers["etag"] == "\"2\"")
            #expect(reply["flag.environments.production.enabled"] == .bool(true))
            #expect(reply["flag.environments.production.targets"] == [["attribute": "customerId", "values": ["acme"], "variant": "on"]])
            #expect(reply["flag.environments.production.rules"]?.arrayCount == 2)
            #expect(reply["flag.environments.production.rules[1].id"]?.stringValue == ruleID, "the existing rule keeps its id")
            #expect(reply["flag.environments.production.default.rollout.bucketBy"] == .string("customerId"))
            let history = try await server.send("GET", "/api/v1/flags/checkout/revisions")
            #expect(history["revisions"]?.arrayCount == 2)
            #expect(history["revisions[0].message"] == .string("open to acme and pro plans"))

            // Rules are named by id, whatever happened to their positions.
            let removed = try await server.send(
                "POST", Self.path, body: #"{"instructions": [{"kind": "removeRule", "ruleId": "\#(ruleID)"}]}"#)
            #expect(removed.status == 200, "\(removed.text)")
            #expect(removed["flag.environments.production.rules"]?.arrayCount == 1)
        }
    }

    @Test func aBadInstructionNamesItsIndexAndChangesNothing() async throws {
        try await TestServer.with { server in
            _ = try await server.createFlag(Self.flag)
            let cases: [(body: String, field: String)] = [
                (#"{"instructions": [{"kind": "turnOn"}, {"kind": "addTargets", "variant": "on", "values": []}]}"#, "instructions[1].values"),
                (#"{"instructions": [{"kind": "turnOn"}, {"kind": "removeRule", "ruleId": "nope"}]}"#, "instructions[1].ruleId"),
                (#"{"instructions": [{"kind": "addTargets", "variant": "on", "values": ["a"], "valuez": 1}]}"#, "instructions[0].valuez"),
                (#"{"instructions": [{"kind": "turnSideways"}]}"#, "instructions[0].kind"),
                (#"{"instructions": []}"#, "instructions"),
                (#"{"instructions": [{"kind": "setDefault", "serve": {"variant": "maybe"}}]}"#, "environments.production.default.variant"),
            ]
            for item in cases {
                let reply = try await server.send("POST", Self.path, body: item.body)
                #expect(reply.status == 400, "\(item.body): \(reply.text)")
                #expect(reply.errorField == item.field, "\(item.body): \(reply.text)")
            }
            let flag = try await server.send("GET", "/api/v1/flags/checkout")
            #expect(flag["revision"] == .integer(1))
            #expect(flag["flag.environments.production.enabled"] == .bool(false))
            #expect(try await server.send("POST", "/api/v1/flags/nope/environments/production/changes", body: #"{"instructions": [{"kind": "turnOn"}]}"#).status == 404)
            #expect(try await server.send("POST", "/api/v1/flags/checkout/environments/nowhere/changes", body: #"{"instructions": [{"kind": "turnOn"}]}"#).status == 404)
        }
    }

    @Test func aDryRunAnswersTheRecordAndDiffWithoutWriting() async throws {
        try await TestServer.with { server in
            _ = try await server.createFlag(Self.flag)
            let reply = try await server.send("POST", Self.path + "?dryRun=true", body: #"{"instructions": [{"kind": "turnOn"}]}"#)
            #expect(reply.status == 200, "\(reply.text)")
            #expect(reply["dryRun"] == .bool(true))
            #expect(reply["record.flag.environments.production.enabled"] == .bool(true))
            #expect(reply["diff"] == [["after": true, "before": false, "path": "environments.production.enabled"]])
            let flag = try await server.send("GET", "/api/v1/flags/checkout")
            #expect(flag["revision"] == .integer(1))
            #expect(flag["flag.environments.production.enabled"] == .bool(false))
        }
    }

    @Test func ifMatchStillGuards() async throws {
        try await TestServer.with { server in
            _ = try await server.createFlag(Self.flag)
            let stale = try await server.send("POST", Self.path, body: #"{"instructions": [{"kind": "turnOn"}]}"#, headers: ["If-Match": "\"9\""])
            #expect(stale.status == 409)
            let current = try await server.send("POST", Self.path, body: #"{"instructions": [{"kind": "turnOn"}]}"#, headers: ["If-Match": "\"1\""])
            #expect(current.status == 200)
        }
    }

    /// Independent edits compose: twenty callers each add a different customer at the same
    /// moment, without If-Match and without retrying, and all twenty are targeted.
    @Test func concurrentIndependentEditsAllLand() async throws {
        try await TestServer.with { server in
            _ = try await server.createFlag(Self.flag)
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for i in 0..<20 {
                    group.addTask {
                        try await server.send("POST", Self.path, body: """
                            {"instructions": [{"kind": "addTargets", "variant": "on", "attribute": "customerId", "values": ["customer-\(i)"]}]}
                            """).status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses == Array(repeating: 200, count: 20))
            let flag = try await server.send("GET", "/api/v1/flags/checkout")
            var values: [String] = []
            if case .array(let items)? = flag["flag.environments.production.targets[0].values"] {
                values = items.compactMap(\.stringValue)
            }
            #expect(Set(values) == Set((0..<20).map { "customer-\($0)" }))
            #expect(flag["revision"] == .integer(21))
        }
    }

    /// A cohort takes the same shape: member instructions applied in order as one change,
    /// a bad one named by index, and concurrent additions all landing.
    @Test func cohortMemberInstructions() async throws {
        try await TestServer.with { server in
            let cohorts = "/api/v1/environments/production/cohorts"
            #expect(try await server.send("POST", cohorts, body: #"{"key": "pilots", "members": ["acme"]}"#).status == 201)
            let path = "\(cohorts)/pilots/changes"
            let applied = try await server.send("POST", path, body: """
                {"instructions": [{"kind": "addMembers", "values": ["globex", "initech"]}, {"kind": "removeMembers", "values": ["acme", "initech"]}],
                 "message": "pilot wave 2"}
                """)
            #expect(applied.status == 200, "\(applied.text)")
            #expect(applied["added"] == .array(["globex"]))
            #expect(applied["removed"] == .array(["acme"]))
            #expect(applied["size"] == .integer(1))
            let audit = try await server.send("GET", "/api/v1/audit?limit=1")
            #expect(audit["events[0].message"] == .string("pilot wave 2"))

            let bad = try await server.send("POST", path, body: #"{"instructions": [{"kind": "addMembers", "values": ["x"]}, {"kind": "removeMembers", "values": [""]}]}"#)
            #expect(bad.status == 400)
            #expect(bad.errorField == "instructions[1].values[0]")
            let misspelt = try await server.send("POST", path, body: #"{"instructions": [{"kind": "addMembers", "valuez": ["x"]}]}"#)
            #expect(misspelt.status == 400)
            #expect(misspelt.errorField == "instructions[0].valuez")

            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for i in 0..<10 {
                    group.addTask {
                        try await server.send("POST", path, body: #"{"instructions": [{"kind": "addMembers", "values": ["c-\#(i)"]}]}"#).status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses == Array(repeating: 200, count: 10))
            let cohort = try await server.send("GET", "\(cohorts)/pilots")
            #expect(cohort["cohort.members"] == .array((["globex"] + (0..<10).map { "c-\($0)" }).sorted().map { .string($0) }))
        }
    }
}
