import ClutchCore
import ClutchStore
import Foundation
import ServerTestSupport
import TestSupport
import Testing

@testable import ClutchServer

/// Issue 26 in the console over HTTP against a real server: a widening change in protected
/// production is requested from the flag page instead of applied, reviewed and applied from the
/// Requests page; anyone blocks a flag or freezes an environment, and only the blocker or an
/// owner unblocks. Every form is behind the session, the CSRF token and the one policy.
@Suite struct ConsoleRequestsTests {
    /// Production protected (one approval, no self-approval), `checkout` off there, and three
    /// signed-in people: the editors Alice and Bob, the viewer Vera.
    struct People {
        let server: TestServer
        let alice: ConsoleClient
        let bob: ConsoleClient
        let vera: ConsoleClient

        func csrf(_ client: ConsoleClient) async throws -> String { try await ConsoleTests.csrf(client) }
    }

    static func people(_ server: TestServer) async throws -> People {
        try await server.createFlag(#"{"key": "checkout", "type": "boolean"}"#)
        let protected = try await server.send(
            "PATCH", "/api/v1/environments/production", body: #"{"protection": {"requiredApprovals": 1, "allowSelfApproval": false}}"#)
        #expect(protected.status == 200)
        _ = try await SignInTests.invite(server, "alice@example.com", role: .editor)
        _ = try await SignInTests.invite(server, "bob@example.com", role: .editor)
        _ = try await SignInTests.invite(server, "vera@example.com", role: .viewer)
        return People(
            server: server, alice: try await SignInTests.signIn(server, "alice@example.com"),
            bob: try await SignInTests.signIn(server, "bob@example.com"), vera: try await SignInTests.signIn(server, "vera@example.com"))
    }

    /// Alice switches `checkout` on in production from its page: the pending change offers
    /// "Request review", and sending it opens request 1. Returns the page she lands on.
    static func aliceRequestsOn(_ p: People, message: String = "launch day") async throws -> ConsoleClient.Answer {
        let csrf = try await p.csrf(p.alice)
        let staged = try await p.alice.post(
            "/ui/flags/checkout/toggle", form: [("csrf", csrf), ("env", "production"), ("to", "on"), ("stage", "1"), ("pending", "")])
        #expect(staged.status == 200)
        #expect(staged.body.contains("production is protected: this change widens exposure, so it applies only once a change request has 1 approval."))
        #expect(staged.body.contains(">Request review</button>"))
        #expect(!staged.body.contains("Apply the change in production"), "a direct apply would be refused review_required")
        let opened = try await p.alice.post(
            "/ui/flags/checkout/request",
            form: [("csrf", csrf), ("env", "production"), ("pending", try ConsoleChangeTests.pending(staged.body)), ("message", message)])
        #expect(opened.status == 303)
        #expect(opened.location == "/ui/flags/checkout?env=production&done=requested&request=1")
        return try await p.alice.get(opened.location ?? "")
    }

    @Test func anEditorsRequestFromTheFlagPageIsApprovedAndAppliedFromTheRequestsPageByASecondEditor() async throws {
        try await TestServer.with { server in
            let p = try await Self.people(server)
            let (_, sdkKey) = try await server.createKey("production")
            func served() async throws -> Value? {
                try await server.send(
                    "POST", "/ofrep/v1/evaluate/flags/checkout", body: #"{"context": {"targetingKey": "u1"}}"#, as: .apiKey(sdkKey))["value"]
            }
            let page = try await Self.aliceRequestsOn(p)
            #expect(page.body.contains("Change request 1 opened: needs 1 approval."), "\(page.body)")
            // The banner: the diff in plain language, its author, its state and approvals.
            #expect(page.body.contains(#"<ul class="plain-diff request-diff"><li>production: switched on; everyone still gets “on”</li></ul>"#), "\(page.body)")
            #expect(page.body.contains("Opened by alice@example.com"))
            #expect(page.body.contains("0 of 1 approvals"))
            #expect(page.body.contains("“launch day”"))
            // Alice may cancel her request, not approve it.
            #expect(page.body.contains(">Cancel request 1</button>"))
            #expect(!page.body.contains(">Approve request 1</button>"))
            #expect(page.body.contains("You opened this request: production needs the approval of someone else."))
            #expect(try await served() == .bool(false), "nothing changed before approval")

            // Bob finds it on the Requests page (in the navigation) and approves it there.
            let list = try await p.bob.get("/ui/requests")
            #expect(list.status == 200)
            #expect(list.body.contains(#"<a href="/ui/requests">Requests</a>"#))
            #expect(list.body.contains("1 change request(s), open, approved or declined"))
            #expect(list.body.contains(">Approve request 1</button>"))
            #expect(!list.body.contains(">Cancel request 1</button>"), "only its author cancels it")
            let bobCSRF = try await p.csrf(p.bob)
            let approved = try await p.bob.post(
                "/ui/requests/1/review", form: [("csrf", bobCSRF), ("verdict", "approve"), ("comment", "ship it"), ("from", "requests")])
            #expect(approved.location == "/ui/requests?done=approved")
            #expect(try await served() == .bool(false), "approved is not applied")
            let after = try await p.bob.get("/ui/requests?status=approved")
            #expect(after.body.contains("1 of 1 approvals"))
            #expect(after.body.contains("Approved by bob@example.com"))
            #expect(after.body.contains("“ship it”"))
            let applied = try await p.bob.post("/ui/requests/1/apply", form: [("csrf", bobCSRF), ("from", "requests")])
            #expect(applied.location == "/ui/requests?done=request-applied")
            #expect(try await served() == .bool(true))
            // Applied requests leave the default list and the flag page's banners.
            #expect(try await p.bob.get("/ui/requests").body.contains("No change requests are open, approved or declined."))
            #expect(try await p.bob.get("/ui/requests?status=applied").body.contains("applied as revision"))
            #expect(!(try await p.alice.get("/ui/flags/checkout?env=production").body.contains("Change request 1")))
            // Each step is the store's audit event (no second copy from the console).
            let actions = try await server.application.services.store.auditEvents(since: nil, flag: "checkout", limit: 50)
                .map(\.action).filter { $0.hasPrefix("change_request.") }
            #expect(actions.sorted() == ["change_request.apply", "change_request.approve", "change_request.open"])
        }
    }

    @Test func reviewsAreRefusedForThoseThePolicyOrTheEnvironmentDoesNotAllowAndWithoutTheCSRFToken() async throws {
        try await TestServer.with { server in
            let p = try await Self.people(server)
            _ = try await Self.aliceRequestsOn(p)
            // Vera, a viewer, may comment but sees no approve, decline or apply.
            let veraPage = try await p.vera.get("/ui/requests/1")
            #expect(veraPage.status == 200)
            #expect(!veraPage.body.contains(">Approve request 1</button>"))
            #expect(!veraPage.body.contains(">Decline request 1</button>"))
            #expect(veraPage.body.contains(">Comment on request 1</button>"))
            #expect(veraPage.body.contains("vera@example.com is a viewer in production; changing it needs editor"))
            let veraCSRF = try await p.csrf(p.vera)
            let forged = try await p.vera.post("/ui/requests/1/review", form: [("csrf", veraCSRF), ("verdict", "approve"), ("from", "request")])
            #expect(forged.status == 403)
            #expect(forged.body.contains("vera@example.com is a viewer in production; changing it needs editor. Nothing was changed."))
            #expect(try await p.vera.post("/ui/requests/1/apply", form: [("csrf", veraCSRF)]).status == 403)
            #expect(try await p.vera.post("/ui/requests/1/cancel", form: [("csrf", veraCSRF)]).status == 403)
            // An empty comment is refused beside the request; a comment is recorded.
            let empty = try await p.vera.post("/ui/requests/1/review", form: [("csrf", veraCSRF), ("verdict", "comment"), ("comment", " "), ("from", "request")])
            #expect(empty.status == 400)
            #expect(empty.body.contains(#"<p class="problem" role="alert" id="request-1-problem">Write the comment first. Nothing was changed.</p>"#))
            let commented = try await p.vera.post(
                "/ui/requests/1/review", form: [("csrf", veraCSRF), ("verdict", "comment"), ("comment", "is support ready?"), ("from", "request")])
            #expect(commented.location == "/ui/requests/1?done=commented")
            #expect(try await p.vera.get("/ui/requests/1").body.contains("Comment by vera@example.com"))
            // Alice's own approval, sent anyway, is refused by the store beside the request, her comment kept.
            let aliceCSRF = try await p.csrf(p.alice)
            let own = try await p.alice.post(
                "/ui/requests/1/review", form: [("csrf", aliceCSRF), ("verdict", "approve"), ("comment", "mine"), ("from", "flag")])
            #expect(own.status == 409)
            #expect(own.body.contains("needs the approval of someone else"), "\(own.body)")
            #expect(own.body.contains(#"name="comment" type="text" maxlength="500" value="mine""#))
            // Applying before approval is refused; without the CSRF token nothing is even tried.
            let early = try await p.alice.post("/ui/requests/1/apply", form: [("csrf", aliceCSRF), ("from", "flag")])
            #expect(early.status == 409)
            #expect(try await p.bob.post("/ui/requests/1/review", form: [("verdict", "approve")]).status == 403)
            #expect(try await server.application.services.store.changeRequest(1).status == .open)
            #expect(try await server.application.services.store.changeRequest(1).approvals == 0)
            // Bob declines it from the flag page: it stays on the page, declined; Alice cancels it.
            let bobCSRF = try await p.csrf(p.bob)
            let declined = try await p.bob.post("/ui/requests/1/review", form: [("csrf", bobCSRF), ("verdict", "decline"), ("from", "flag")])
            #expect(declined.location == "/ui/flags/checkout?env=production&done=declined")
            #expect(try await server.application.services.store.changeRequest(1).status == .declined)
            let cancelled = try await p.alice.post("/ui/requests/1/cancel", form: [("csrf", aliceCSRF), ("from", "flag")])
            #expect(cancelled.location == "/ui/flags/checkout?env=production&done=request-cancelled")
            #expect(try await server.application.services.store.changeRequest(1).status == .cancelled)
            #expect(try await ConsoleTests.enabled(server, "checkout", "production") == false)
        }
    }

    @Test func aRefusedRequestKeepsThePendingChangeAndTheInputWithTheErrorBesideTheField() async throws {
        try await TestServer.with { server in
            let p = try await Self.people(server)
            let csrf = try await p.csrf(p.alice)
            let staged = try await p.alice.post(
                "/ui/flags/checkout/toggle", form: [("csrf", csrf), ("env", "production"), ("to", "on"), ("stage", "1"), ("pending", "")])
            let pending = try ConsoleChangeTests.pending(staged.body)
            let badTime = try await p.alice.post(
                "/ui/flags/checkout/request",
                form: [("csrf", csrf), ("env", "production"), ("pending", pending), ("message", "kept"), ("at", "tomorrow")])
            #expect(badTime.status == 400)
            #expect(badTime.body.contains(#"id="at-problem""#))
            #expect(badTime.body.contains(#"value="kept""#))
            #expect(try ConsoleChangeTests.pending(badTime.body) == pending)
            // Vera may not open one: the form is refused with the policy's sentence.
            let veraCSRF = try await p.csrf(p.vera)
            let vera = try await p.vera.post("/ui/flags/checkout/request", form: [("csrf", veraCSRF), ("env", "production"), ("pending", pending)])
            #expect(vera.status == 403)
            #expect(try await server.application.services.store.changeRequests(status: nil, flag: nil).isEmpty)
            // With a time, the request says when it applies once approved.
            let timed = try await p.alice.post(
                "/ui/flags/checkout/request", form: [("csrf", csrf), ("env", "production"), ("pending", pending), ("at", "2030-01-02T09:00")])
            #expect(timed.status == 303)
            #expect(try await p.alice.get(timed.location ?? "").body.contains("applies at <time datetime=\"2030-01-02T09:00:00.000Z\">"))
        }
    }

    @Test func aDirectChangeRefusedForReviewOffersTheRequestAndSelfApprovalShowsWhereTheEnvironmentAllowsIt() async throws {
        try await TestServer.with { server in
            let p = try await Self.people(server)
            #expect(try await server.send(
                "PATCH", "/api/v1/environments/production", body: #"{"protection": {"requiredApprovals": 1, "allowSelfApproval": true}}"#).status == 200)
            let csrf = try await p.csrf(p.alice)
            // A form without `stage` applies at once: the store refuses it review_required, and the
            // page keeps the change and offers the request instead.
            let direct = try await p.alice.post(
                "/ui/flags/checkout/toggle", form: [("csrf", csrf), ("env", "production"), ("to", "on"), ("confirm", "production")])
            #expect(direct.status == 400)
            #expect(direct.body.contains(#"id="apply-problem">production is protected"#), "\(direct.body)")
            #expect(direct.body.contains(">Request review</button>"))
            let opened = try await p.alice.post(
                "/ui/flags/checkout/request", form: [("csrf", csrf), ("env", "production"), ("pending", try ConsoleChangeTests.pending(direct.body))])
            #expect(opened.status == 303)
            // Production allows self-approval: Alice approves and applies her own request.
            let page = try await p.alice.get(opened.location ?? "")
            #expect(page.body.contains(">Approve request 1</button>"))
            #expect(!page.body.contains("You opened this request"))
            #expect(try await p.alice.post("/ui/requests/1/review", form: [("csrf", csrf), ("verdict", "approve"), ("from", "flag")]).status == 303)
            #expect(try await p.alice.post("/ui/requests/1/apply", form: [("csrf", csrf), ("from", "flag")]).status == 303)
            #expect(try await ConsoleTests.enabled(server, "checkout", "production") == true)
            // Turning it off never waits for a review.
            let off = try await p.alice.post(
                "/ui/flags/checkout/toggle", form: [("csrf", csrf), ("env", "production"), ("to", "off"), ("confirm", "production")])
            #expect(off.location == "/ui/flags/checkout?env=production&done=off")
        }
    }

    @Test func aViewerBlocksAFlagFromItsPageAndOnlyTheBlockerOrAnOwnerUnblocksIt() async throws {
        try await TestServer.with { server in
            let p = try await Self.people(server)
            try await server.createFlag(#"{"key": "search", "type": "boolean"}"#)
            let veraCSRF = try await p.csrf(p.vera)
            let page = try await p.vera.get("/ui/flags/checkout?env=staging")
            #expect(page.body.contains(#"<button type="submit">Block</button>"#), "a viewer may block")
            // A reason is required; the error is beside it with what was typed kept.
            let blank = try await p.vera.post(
                "/ui/blocks", form: [("csrf", veraCSRF), ("env", "staging"), ("flag", "checkout"), ("scope", "flag"), ("from", "flag"), ("until", "2030-01-01T00:00")])
            #expect(blank.status == 400)
            #expect(blank.body.contains(#"id="reason-problem""#))
            #expect(blank.body.contains(#"value="2030-01-01T00:00""#))
            let blocked = try await p.vera.post(
                "/ui/blocks",
                form: [("csrf", veraCSRF), ("env", "staging"), ("flag", "checkout"), ("scope", "flag"), ("from", "flag"), ("reason", "payments incident")])
            #expect(blocked.location == "/ui/flags/checkout?env=staging&done=blocked")
            let veraPage = try await p.vera.get(blocked.location ?? "")
            #expect(veraPage.body.contains("checkout in staging is blocked by vera@example.com: payments incident"))
            #expect(veraPage.body.contains(#"aria-label="Unblock checkout in staging""#))
            // Bob's widening change is refused naming the blocker; he sees no Unblock and is refused one.
            let bobCSRF = try await p.csrf(p.bob)
            let bobPage = try await p.bob.get("/ui/flags/checkout?env=staging")
            #expect(!bobPage.body.contains(#"aria-label="Unblock checkout in staging""#))
            let on = try await p.bob.post("/ui/flags/checkout/toggle", form: [("csrf", bobCSRF), ("env", "staging"), ("to", "on")])
            #expect(on.status == 400)
            #expect(on.body.contains("checkout in staging is blocked by vera@example.com"))
            let id = try #require(try await server.application.services.store.blocks(environment: "staging", flag: "checkout").first?.id)
            let lift = try await p.bob.post("/ui/blocks/\(id)/unblock", form: [("csrf", bobCSRF)])
            #expect(lift.status == 403)
            #expect(lift.body.contains("bob@example.com may not unblock checkout in staging"))
            // Without the CSRF token nothing is blocked.
            #expect(try await p.bob.post("/ui/blocks", form: [("env", "staging"), ("scope", "environment"), ("reason", "x")]).status == 403)
            // Bob freezes staging from the flag list: the banner shows on the list and on every flag page there.
            let freeze = try await p.bob.post(
                "/ui/blocks", form: [("csrf", bobCSRF), ("env", "staging"), ("scope", "environment"), ("from", "flags"), ("reason", "release train")])
            #expect(freeze.location == "/ui/flags?env=staging&done=blocked")
            let list = try await p.vera.get("/ui/flags?env=staging")
            #expect(list.body.contains("staging is blocked by bob@example.com: release train"))
            #expect(!list.body.contains(#"aria-label="Unblock staging""#), "Vera did not freeze it")
            #expect(try await p.vera.get("/ui/flags/search?env=staging").body.contains("staging is blocked by bob@example.com: release train"))
            #expect(!(try await p.vera.get("/ui/flags?env=production").body.contains("is blocked")))
            // An owner lifts anyone's block; Vera lifts her own.
            let owner = try await ConsoleTests.signIn(server)
            let ownerCSRF = try await ConsoleTests.csrf(owner)
            #expect(try await owner.get("/ui/flags?env=staging").body.contains(#"aria-label="Unblock staging""#))
            let freezeID = try #require(try await server.application.services.store.blocks(environment: "staging", flag: nil).first { $0.flag == nil }?.id)
            let thawed = try await owner.post("/ui/blocks/\(freezeID)/unblock", form: [("csrf", ownerCSRF), ("from", "flags")])
            #expect(thawed.location == "/ui/flags?env=staging&done=unblocked")
            let unblocked = try await p.vera.post("/ui/blocks/\(id)/unblock", form: [("csrf", veraCSRF), ("from", "flag"), ("flag", "checkout")])
            #expect(unblocked.location == "/ui/flags/checkout?env=staging&done=unblocked")
            #expect(try await server.application.services.store.blocks(environment: nil, flag: nil).isEmpty)
            // The store's audit events, once each.
            let actions = try await server.application.services.store.auditEvents(since: nil, flag: nil, limit: 100).map(\.action)
            #expect(actions.filter { $0 == "block" }.count == 2, "\(actions)")
            #expect(actions.filter { $0 == "unblock" }.count == 2, "\(actions)")
        }
    }
}
