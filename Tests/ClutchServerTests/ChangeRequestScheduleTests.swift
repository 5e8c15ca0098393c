import ClutchAPI
import ClutchCore
import ClutchStore
import Foundation
import ServerTestSupport
import TestSupport
import Testing

@testable import ClutchServer

/// An approved change request with a time (`at`) against a real server on a ``TestClock``: the
/// scheduler applies it then, as `clutch-scheduler` for its author, and fails it with the reason
/// when its author's credential no longer has the rights.
@Suite(.serialized) struct ChangeRequestScheduleTests {
    @Test("an approved request with a time applies then as the scheduler, and fails when its author lost the rights")
    func anApprovedRequestWithATimeAppliesThenWithItsAuthorsRights() async throws {
        let clock = TestClock()
        try await TestServer.with(configure: TestServer.on(clock)) { server in
            let turns = server.application.scheduleTurns
            let store = server.application.services.store
            try await server.createFlag(#"{"key": "launch"}"#)
            try await server.mustSend(
                "PATCH", "/api/v1/environments/production", body: #"{"protection": {"requiredApprovals": 1, "allowSelfApproval": true}}"#)
            let due = Timestamp.format(clock.now().addingTimeInterval(10))
            let opened = try await server.mustSend(
                "POST", "/api/v1/change-requests",
                body: #"{"flag": "launch", "environment": "production", "instructions": [{"kind": "turnOn"}], "at": "\#(due)"}"#, expected: 201)
            let id = try #require(opened["id"]).jsonText
            try await server.mustSend("POST", "/api/v1/change-requests/\(id)/reviews", body: #"{"verdict": "approve"}"#)
            #expect(try await server.send("GET", "/api/v1/flags/launch")["flag.environments.production.enabled"] == .bool(false))
            try await advance(clock, by: .seconds(11), thenTurnOf: turns)
            let applied = try await server.mustSend("GET", "/api/v1/change-requests/\(id)")
            #expect(applied["status"] == .string("applied"), "\(applied.text)")
            #expect(try await server.send("GET", "/api/v1/flags/launch")["flag.environments.production.enabled"] == .bool(true))
            let history = try await server.send("GET", "/api/v1/flags/launch/revisions")
            #expect(history["revisions[0].actor"] == .string("clutch-scheduler for admin (service token)"))

            // An author who is a viewer by the time it is due: failed, with the reason.
            let (dev, _) = try await store.createPerson(PersonCreate(email: "dev@example.com", role: .editor), change: ChangeInfo(actor: "t"))
            let (_, secret) = try await store.createToken(TokenCreate(name: "laptop"), personID: dev.id, change: ChangeInfo(actor: "t"))
            try await server.application.services.refreshCredentials()
            let later = Timestamp.format(clock.now().addingTimeInterval(10))
            let second = try await server.send(
                "POST", "/api/v1/change-requests",
                body: #"{"flag": "launch", "environment": "production", "instructions": [{"kind": "addTargets", "variant": "on", "values": ["acme"]}], "at": "\#(later)"}"#,
                as: .bearer(secret))
            #expect(second.status == 201, "\(second.text)")
            let secondID = try #require(second["id"]).jsonText
            try await server.mustSend("POST", "/api/v1/change-requests/\(secondID)/reviews", body: #"{"verdict": "approve"}"#)
            try await server.mustSend("PUT", "/api/v1/users/dev@example.com/role", body: #"{"role": "viewer"}"#)
            try await advance(clock, by: .seconds(11), thenTurnOf: turns)
            let failed = try await server.mustSend("GET", "/api/v1/change-requests/\(secondID)")
            #expect(failed["status"] == .string("failed"), "\(failed.text)")
            // Lowering a role ends the person's tokens; the reason names what the person lacks now.
            #expect(failed["reason"]?.stringValue?.contains("dev@example.com is a viewer in production; changing it needs editor") == true, "\(failed.text)")
            #expect(try await !server.send("GET", "/api/v1/flags/launch").text.contains("acme"), "nothing of it was applied")
        }
    }
}
