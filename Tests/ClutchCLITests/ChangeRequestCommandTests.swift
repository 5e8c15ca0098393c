import ClutchCore
@testable import ClutchServer
import ClutchStore
import Foundation
import ServerTestSupport
import Testing

/// `clutch envs protect` and `clutch requests …` through the real binary against a server of
/// their own (protecting production would hold every other test's changes): in protected
/// production an editor's `clutch on` opens a change request and changes nothing, a second
/// editor's approval lets it apply, and the kill switch never waits. Served values are read
/// through OFREP.
@Suite("clutch requests")
struct ChangeRequestCommandTests {
    /// Two editors, alice and bob, each with a personal token: the environment `clutch` runs with as each.
    static func editors(_ server: TestServer) async throws -> (alice: [String: String], bob: [String: String]) {
        let store = server.application.services.store
        let setup = ChangeInfo(actor: "test")
        var tokens: [String] = []
        for name in ["alice", "bob"] {
            let (person, _) = try await store.createPerson(PersonCreate(email: "\(name)@example.com", role: .editor), change: setup)
            tokens.append(try await store.createToken(TokenCreate(name: "laptop"), personID: person.id, change: setup).secret)
        }
        try await server.application.services.refreshCredentials()
        return (["CLUTCH_TOKEN": tokens[0]], ["CLUTCH_TOKEN": tokens[1]])
    }

    @Test(
        "an editor's on in protected production opens a request that another editor approves; edits and a changed diff need review again; kill applies at once, blocked or not",
        arguments: ServerBackend.allCases)
    func protectedProductionTakesAChangeRequest(_ backend: ServerBackend) async throws {
        try await TestServer.with(backend) { server in
            let (alice, bob) = try await Self.editors(server)
            let (_, sdkKey) = try await server.createKey()
            func served() async throws -> Value? {
                try await server.mustSend("POST", "/ofrep/v1/evaluate/flags/launch", body: #"{"context": {"targetingKey": "u1"}}"#, as: .apiKey(sdkKey))["value"]
            }

            #expect(try await server.clutch("flags", "create", "launch").status == 0)
            let protect = try await server.clutch("envs", "protect", "production", "--approvals", "1")
            #expect(protect.status == 0, "\(protect)")
            let list = try await server.clutch("envs", "list")
            #expect(list.stdout.contains("1 approval"), "\(list)")

            let opened = try await server.clutch("on", "launch", "--env", "production", environment: alice)
            #expect(opened.status == 0, "\(opened)")
            #expect(opened.stdout.contains("Change request 1 opened: needs 1 approval ('clutch requests approve 1')"), "\(opened)")
            #expect(try await served() == .bool(false), "nothing changed")

            let own = try await server.clutch("requests", "approve", "1", environment: alice)
            #expect(own.status == 1, "\(own)")
            #expect(own.stderr.contains("needs the approval of someone else"), "\(own)")
            let approved = try await server.clutch("requests", "approve", "1", environment: bob)
            #expect(approved.status == 0, "\(approved)")
            #expect(approved.stdout.contains("approved"), "\(approved)")
            let applied = try await server.clutch("requests", "apply", "1", environment: alice)
            #expect(applied.status == 0, "\(applied)")
            #expect(try await served() == .bool(true), "the approved change is served")

            // The kill switch never waits: not for review, not for a block.
            let blocked = try await server.clutch("block", "launch", "--env", "production", "--reason", "incident", environment: alice)
            #expect(blocked.status == 0, "\(blocked)")
            let killed = try await server.clutch("kill", "launch", "--env", "production", environment: bob)
            #expect(killed.status == 0, "\(killed)")
            #expect(try await served() == .bool(false))
            let blockID = try #require(try await server.mustSend("GET", "/api/v1/blocks?flag=launch")["blocks[0].id"]?.stringValue)
            #expect(try await server.clutch("unblock", "--id", blockID, environment: alice).status == 0)

            // An edit after approval withdraws it.
            #expect(try await server.clutch("on", "launch", "--env", "production", environment: alice).stdout.contains("Change request 2 opened"))
            #expect(try await server.clutch("requests", "approve", "2", environment: bob).status == 0)
            try await server.mustSend("PATCH", "/api/v1/change-requests/2", body: #"{"instructions": [{"kind": "turnOn"}]}"#)
            let shown = try await server.clutch("requests", "show", "2")
            #expect(shown.stdout.contains("2: open"), "\(shown)")
            #expect(shown.stdout.contains("(withdrawn)"), "\(shown)")

            // A change between approval and apply that alters the diff refuses the apply.
            #expect(try await server.clutch("on", "launch", "--env", "production", environment: alice).stdout.contains("Change request 3 opened"))
            #expect(try await server.clutch("requests", "approve", "2", environment: bob).status == 0)
            #expect(try await server.clutch("requests", "approve", "3", environment: bob).status == 0)
            #expect(try await server.clutch("requests", "apply", "2", environment: alice).status == 0)
            let stale = try await server.clutch("requests", "apply", "3", environment: alice)
            #expect(stale.status == 1, "\(stale)")
            #expect(stale.stderr.contains("environments.production.enabled"), "\(stale)")
            #expect(try await server.clutch("requests", "show", "3").stdout.contains("3: open"))
            #expect(try await served() == .bool(true))

            // Unprotecting sends `"protection": null` (a body without the field is refused).
            let unprotect = try await server.clutch("envs", "unprotect", "production")
            #expect(unprotect.status == 0, "\(unprotect)")
            #expect(try await !server.clutch("envs", "list").stdout.contains("approval"))
            #expect(try await server.clutch("off", "launch", "--env", "production", environment: alice).status == 0)
            let direct = try await server.clutch("on", "launch", "--env", "production", environment: alice)
            #expect(direct.status == 0 && !direct.stdout.contains("Change request"), "\(direct)")
            #expect(try await served() == .bool(true))
        }
    }

    @Test(
        "an editor's clutch cohorts add in protected production opens a request for the members; once another editor approves, apply serves them the flag",
        arguments: ServerBackend.allCases)
    func aCohortMemberChangeInProtectedProductionTakesAChangeRequest(_ backend: ServerBackend) async throws {
        try await TestServer.with(backend) { server in
            let (alice, bob) = try await Self.editors(server)
            let (_, sdkKey) = try await server.createKey()
            func served(_ customer: String) async throws -> Value? {
                try await server.mustSend(
                    "POST", "/ofrep/v1/evaluate/flags/beta-checkout",
                    body: #"{"context": {"targetingKey": "u1", "customerId": "\#(customer)"}}"#, as: .apiKey(sdkKey))["value"]
            }
            #expect(try await server.clutch("cohorts", "create", "beta", "--env", "production", "--customers", "acme").status == 0)
            try await server.createFlag(
                #"{"key": "beta-checkout", "environments": {"production": {"enabled": true, "rules": [{"clauses": [{"cohort": "beta"}], "serve": {"variant": "on"}}], "default": {"variant": "off"}}}}"#)
            #expect(try await server.clutch("envs", "protect", "production", "--approvals", "1").status == 0)

            let opened = try await server.clutch("cohorts", "add", "beta", "--env", "production", "--customers", "globex", environment: alice)
            #expect(opened.status == 0, "\(opened)")
            #expect(opened.stdout.contains("Change request 1 opened: needs 1 approval ('clutch requests approve 1')"), "\(opened)")
            #expect(try await served("globex") == .bool(false), "nothing changed")
            let direct = try await server.send(
                "POST", "/api/v1/environments/production/cohorts/beta/changes", body: #"{"instructions": [{"kind": "addMembers", "values": ["x"]}]}"#)
            #expect(direct.status == 409)
            #expect(direct.errorCode == "review_required")

            let shown = try await server.clutch("requests", "show", "1")
            #expect(shown.stdout.contains("1: open — cohort beta in production"), "\(shown)")
            #expect(shown.stdout.contains("members.added"), "\(shown)")
            #expect(try await server.clutch("requests", "approve", "1", environment: alice).status == 1, "not her own")
            #expect(try await server.clutch("requests", "approve", "1", environment: bob).status == 0)
            let applied = try await server.clutch("requests", "apply", "1", environment: alice)
            #expect(applied.status == 0, "\(applied)")
            #expect(applied.stdout.contains("Applied change request 1 to cohort beta in production"), "\(applied)")
            #expect(try await served("globex") == .bool(true), "the new member is served the flag")
        }
    }
}
