import ClutchStore
import Foundation
import ServerTestSupport
import TestSupport
import Testing

@testable import ClutchServer

/// The console asks the one policy: a control the person may not use is not on their page, and
/// a form sent anyway is refused with the policy's sentence and changes nothing. "Your tokens"
/// makes and revokes a person's own tokens.
@Suite struct ConsoleRolesTests {
    static let flag = #"{"key": "checkout", "environments": {"production": {"enabled": true}, "staging": {"enabled": false}}}"#

    @Test func aFormSentWithoutItsControlIsRefusedWithThePolicysReasonAndChangesNothing() async throws {
        try await TestServer.with { server in
            try await server.createFlag(Self.flag)
            _ = try await SignInTests.invite(server, "viewer@example.com", role: .viewer)
            _ = try await SignInTests.invite(server, "responder@example.com", role: .responder)
            let viewer = try await SignInTests.signIn(server, "viewer@example.com")
            let responder = try await SignInTests.signIn(server, "responder@example.com")

            let page = try await viewer.get("/ui/flags/checkout?env=staging")
            #expect(!page.body.contains("Turn on in staging"))
            #expect(page.body.contains("Not shown: viewer@example.com is a viewer in staging; changing it needs editor."))

            let token = try await ConsoleTests.csrf(viewer)
            let on = try await viewer.post("/ui/flags/checkout/toggle", form: [("csrf", token), ("env", "staging"), ("to", "on")])
            #expect(on.status == 403)
            #expect(on.body.contains("viewer@example.com is a viewer in staging; changing it needs editor. Nothing was changed."))
            let kill = try await viewer.post("/ui/flags/checkout/kill", form: [("csrf", token), ("env", "production"), ("confirm", "checkout")])
            #expect(kill.status == 403)
            #expect(try await ConsoleTests.enabled(server, "checkout", "staging") == false)
            #expect(try await ConsoleTests.enabled(server, "checkout", "production") == true)

            // A responder may turn it off (and kill it), not on.
            let responderToken = try await ConsoleTests.csrf(responder)
            let turnOn = try await responder.post("/ui/flags/checkout/toggle", form: [("csrf", responderToken), ("env", "staging"), ("to", "on")])
            #expect(turnOn.status == 403)
            let turnOff = try await responder.post(
                "/ui/flags/checkout/toggle", form: [("csrf", responderToken), ("env", "production"), ("to", "off"), ("confirm", "production")])
            #expect(turnOff.status == 303)
            #expect(try await ConsoleTests.enabled(server, "checkout", "production") == false)
            // The revision names the person.
            let revisions = try await server.send("GET", "/api/v1/flags/checkout/revisions")
            #expect(revisions.text.contains("responder@example.com"))
        }
    }

    @Test func yourTokensMakesATokenShownOnceThatActsAsThePersonAndRevokesIt() async throws {
        try await TestServer.with { server in
            _ = try await SignInTests.invite(server, "alice@example.com", name: "Alice", role: .editor)
            let alice = try await SignInTests.signIn(server, "alice@example.com")
            let empty = try await alice.get("/ui/tokens")
            #expect(empty.status == 200)
            #expect(empty.body.contains("You have no tokens yet."))
            let csrf = try #require(empty.csrf)
            let made = try await alice.post("/ui/tokens", form: [("csrf", csrf), ("name", "laptop"), ("days", "30")])
            #expect(made.status == 201)
            let secret = try #require(made.body.range(of: #"value="clutch_pat_"#).map { range in
                "clutch_pat_" + made.body[range.upperBound...].prefix { $0 != "\"" }
            })
            // It acts as Alice, and is shown only on the page that made it.
            let me = try await server.send("GET", "/api/v1/me", as: .bearer(secret))
            #expect(me.status == 200)
            #expect(me["actor"]?.stringValue == "laptop (token of alice@example.com)")
            let listed = try await alice.get("/ui/tokens")
            #expect(listed.body.contains("laptop"))
            #expect(!listed.body.contains(secret))
            let id = try #require(listed.body.range(of: #"action="/ui/tokens/"#).map { range in
                String(listed.body[range.upperBound...].prefix { $0 != "/" })
            })
            let revoked = try await alice.post("/ui/tokens/\(id)/revoke", form: [("csrf", csrf)])
            #expect(revoked.status == 303)
            #expect(try await server.send("GET", "/api/v1/me", as: .bearer(secret)).status == 401)

            // A session opened with a token has no tokens page.
            let service = try await ConsoleTests.signIn(server)
            #expect(try await service.get("/ui/tokens").status == 403)
        }
    }
}
