import ClutchStore
import Foundation
import PostgresTestSupport
import ServerTestSupport
import TestSupport
import Testing

@testable import ClutchServer

/// Signing in to the console against a real server: invites and passwords, the throttle, sessions
/// bound to what opened them, and the audit log's record of sign-ins. Time is a ``TestClock``
/// where it matters: the throttle's window and a session's lifetime pass when the test moves it.
@Suite struct SignInTests {
    static let password = "correct horse battery staple"

    /// Adds a person through the store (as `clutch users add` does) and sets their password
    /// through the invite page; returns the person.
    static func invite(_ server: TestServer, _ email: String, name: String? = nil, role: Role, password: String = password) async throws -> Person {
        let services = server.application.services
        let (person, secret) = try await services.store.createPerson(PersonCreate(email: email, name: name, role: role), change: ChangeInfo(actor: "test"))
        try await services.refreshCredentials()
        let client = ConsoleClient(port: server.port)
        let page = try await client.get("/ui/invite/\(secret)")
        guard page.status == 200 else { throw TestFailure("invite page: \(page.status)") }
        let set = try await client.post("/ui/invite/\(secret)", form: [("password", password), ("repeat", password)])
        guard set.status == 303, set.location == "/ui/login?done=password" else { throw TestFailure("set password: \(set.status) \(set.body.prefix(300))") }
        return person
    }

    /// Signs `email` in with `password`; the client carries the session cookie.
    static func signIn(_ server: TestServer, _ email: String, password: String = password) async throws -> ConsoleClient {
        var client = ConsoleClient(port: server.port)
        let answer = try await client.post("/ui/login", form: [("email", email), ("password", password)])
        guard answer.status == 303, let cookie = answer.sessionCookie else {
            throw TestFailure("sign-in failed: \(answer.status) \(answer.body.prefix(300))")
        }
        client.session = cookie
        return client
    }

    /// Whether the client's session still opens the flag list.
    static func signedIn(_ client: ConsoleClient) async throws -> Bool {
        let answer = try await client.get("/ui/flags")
        if answer.status == 303, answer.location == "/ui/login" { return false }
        guard answer.status == 200 else { throw TestFailure("/ui/flags: \(answer.status)") }
        return true
    }

    /// The audit log's console events, oldest first, as `action actor key message`.
    static func signInEvents(_ server: TestServer) async throws -> [String] {
        let events = try await server.application.services.store.auditEvents(since: nil, flag: nil, limit: 100)
        return events.reversed().filter { $0.entity == "console" }.map { "\($0.action) \($0.actor) \($0.key) \($0.message ?? "-")" }
    }

    @Test func twentyWrongTokensAreRefusedWith429AndTheRightOneWaitsForRetryAfter() async throws {
        let clock = TestClock()
        try await TestServer.with(configure: TestServer.on(clock)) { server in
            let client = ConsoleClient(port: server.port)
            var statuses: [Int] = []
            var retryAfter: [String] = []
            for attempt in 0..<20 {
                let answer = try await client.post("/ui/login", form: [("token", "clutch_admin_wrong_\(attempt)")])
                statuses.append(answer.status)
                if let seconds = answer.headers["retry-after"] { retryAfter.append(seconds) }
                #expect(answer.sessionCookie == nil)
            }
            #expect(statuses == Array(repeating: 401, count: 5) + Array(repeating: 429, count: 15))
            // The window is 15 minutes from the failures, which all came at one instant of the test clock.
            #expect(retryAfter == Array(repeating: "900", count: 15))

            // The right token is refused the same way until then: the answer says nothing about it.
            let early = try await client.post("/ui/login", form: [("token", TestServer.adminToken)])
            #expect(early.status == 429)
            #expect(early.sessionCookie == nil)
            #expect(early.body.contains("Too many failed sign-ins. Try again in 15 minutes."))
            clock.advance(by: .seconds(899))
            let second = try await client.post("/ui/login", form: [("token", TestServer.adminToken)])
            #expect(second.status == 429)
            #expect(second.headers["retry-after"] == "1")
            clock.advance(by: .seconds(1))
            let signedIn = try await client.post("/ui/login", form: [("token", TestServer.adminToken)])
            #expect(signedIn.status == 303)
            #expect(signedIn.sessionCookie != nil)
        }
    }

    @Test func signInsAndFailedSignInsAreAuditedWithTheClientAddress() async throws {
        try await TestServer.with { server in
            let client = ConsoleClient(port: server.port)
            #expect(try await client.post("/ui/login", form: [("token", "clutch_admin_wrong")]).status == 401)
            #expect(try await client.post("/ui/login", form: [("token", TestServer.adminToken)]).status == 303)
            #expect(
                try await Self.signInEvents(server) == [
                    "sign-in-failed unknown token 127.0.0.1 with a token",
                    "sign-in admin (service token) 127.0.0.1 with a token",
                ])
            // The token itself is never written down.
            let audit = try await server.application.services.store.auditEvents(since: nil, flag: nil, limit: 100)
                .map { [$0.actor, $0.action, $0.entity, $0.key, $0.message ?? ""].joined(separator: " ") }.joined(separator: "\n")
            #expect(!audit.contains("clutch_admin_wrong"))
            #expect(!audit.contains(TestServer.adminToken))
        }
    }

    @Test func anInviteSetsAPasswordOnceAndThePersonSignsInWithIt() async throws {
        try await TestServer.with { server in
            let services = server.application.services
            let (_, secret) = try await services.store.createPerson(
                PersonCreate(email: "alice@example.com", name: "Alice Liddell", role: .editor), change: ChangeInfo(actor: "test"))
            try await services.refreshCredentials()
            let client = ConsoleClient(port: server.port)
            let page = try await client.get("/ui/invite/\(secret)")
            #expect(page.status == 200)
            for label in [">Password</label>", ">Repeat password</label>", ">Set password</button>", "alice@example.com"] {
                #expect(page.body.contains(label), "\(label)")
            }
            // Two different passwords, or a short one: refused, the invite still works.
            let differ = try await client.post("/ui/invite/\(secret)", form: [("password", Self.password), ("repeat", Self.password + "!")])
            #expect(differ.status == 400)
            #expect(differ.body.contains("The two passwords differ."))
            let short = try await client.post("/ui/invite/\(secret)", form: [("password", "eleven char"), ("repeat", "eleven char")])
            #expect(short.status == 400)
            #expect(short.body.contains("at least 12 characters"))
            let set = try await client.post("/ui/invite/\(secret)", form: [("password", Self.password), ("repeat", Self.password)])
            #expect(set.status == 303)
            #expect(set.location == "/ui/login?done=password")
            // Single use.
            #expect(try await client.get("/ui/invite/\(secret)").status == 404)
            let again = try await client.post("/ui/invite/\(secret)", form: [("password", "another long password"), ("repeat", "another long password")])
            #expect(again.status == 404)
            #expect(try await client.get("/ui/invite/not-a-secret").status == 404)

            let wrong = try await client.post("/ui/login", form: [("email", "alice@example.com"), ("password", "another long password")])
            #expect(wrong.status == 401)
            #expect(wrong.sessionCookie == nil)
            // The email in any case, the password set through the invite; the page names the person.
            let signedIn = try await Self.signIn(server, "ALICE@example.com")
            let flags = try await signedIn.get("/ui/flags")
            #expect(flags.body.contains("Signed in as Alice Liddell"))
            #expect(
                try await Self.signInEvents(server) == [
                    "sign-in-failed alice@example.com 127.0.0.1 with a password",
                    "sign-in alice@example.com 127.0.0.1 with a password",
                ])
        }
    }

    /// The answers to twenty wrong passwords for `email` on a fresh server: status, `Retry-After`
    /// and body (with the email typed taken out), then the right password's answers for
    /// `rightEmail` before and after the wait.
    static func twentyWrongPasswords(email: String) async throws -> [String] {
        let clock = TestClock()
        var answers: [String] = []
        try await TestServer.with(configure: TestServer.on(clock)) { server in
            _ = try await Self.invite(server, "alice@example.com", role: .viewer)
            let client = ConsoleClient(port: server.port)
            for attempt in 0..<20 {
                let answer = try await client.post("/ui/login", form: [("email", email), ("password", "wrong password \(attempt)")])
                #expect(answer.sessionCookie == nil)
                answers.append("\(answer.status) \(answer.headers["retry-after"] ?? "-") \(answer.body.replacingOccurrences(of: email, with: "EMAIL"))")
            }
            // The right password (of the only person there is) waits too, until the window has passed.
            let right = [("email", "alice@example.com"), ("password", Self.password)]
            let early = try await client.post("/ui/login", form: right)
            answers.append("right, early: \(early.status) \(early.headers["retry-after"] ?? "-")")
            clock.advance(by: .seconds(15 * 60))
            let late = try await client.post("/ui/login", form: right)
            answers.append("right, after Retry-After: \(late.status) \(late.sessionCookie != nil)")
        }
        return answers
    }

    @Test func twentyWrongPasswordsAreRefusedWith429TheRightOneWaitsAndAnUnknownEmailLooksTheSame() async throws {
        let known = try await Self.twentyWrongPasswords(email: "alice@example.com")
        #expect(known.prefix(5).allSatisfy { $0.hasPrefix("401 - ") })
        #expect(known.dropFirst(5).prefix(15).allSatisfy { $0.hasPrefix("429 900 ") && $0.contains("Too many failed sign-ins. Try again in 15 minutes.") })
        #expect(known.suffix(2) == ["right, early: 429 900", "right, after Retry-After: 303 true"])
        // An email nobody has: the same statuses, the same Retry-After, the same pages.
        let unknown = try await Self.twentyWrongPasswords(email: "mallory@example.com")
        #expect(unknown == known)
    }

    @Test func aSessionOpenedWithATokenEndsWhenTheTokenIsRevokedAndStaysEndedAfterARestart() async throws {
        try await TestServer.with { server in
            let services = server.application.services
            let change = ChangeInfo(actor: "test")
            var sessions: [String: ConsoleClient] = [:]
            var ids: [String: String] = [:]
            for name in ["revoked", "kept"] {
                let (record, secret) = try await services.store.createToken(
                    TokenCreate(name: name, service: true, role: .editor), personID: nil, change: change)
                try await services.refreshCredentials()
                var client = ConsoleClient(port: server.port)
                let answer = try await client.post("/ui/login", form: [("token", secret)])
                #expect(answer.status == 303)
                client.session = answer.sessionCookie
                sessions[name] = client
                ids[name] = record.id
            }
            for client in sessions.values { #expect(try await Self.signedIn(client)) }
            _ = try await services.store.revokeToken(id: try #require(ids["revoked"]), change: change)
            try await services.refreshCredentials()
            #expect(try await !Self.signedIn(try #require(sessions["revoked"])))
            #expect(try await Self.signedIn(try #require(sessions["kept"])))
            // A restart brings back nothing, and keeps what stands.
            try await server.stop(remove: false)
            try await server.restart()
            #expect(try await !Self.signedIn(try #require(sessions["revoked"])))
            #expect(try await Self.signedIn(try #require(sessions["kept"])))
        }
    }

    @Test func aBusySessionEndsTwelveHoursAfterSignIn() async throws {
        let clock = TestClock()
        try await TestServer.with(configure: TestServer.on(clock)) { server in
            _ = try await Self.invite(server, "alice@example.com", role: .viewer)
            let client = try await Self.signIn(server, "alice@example.com")
            // A request every 20 minutes, never idle, for 12 hours less a second.
            for _ in 0..<35 {
                clock.advance(by: .seconds(20 * 60))
                #expect(try await Self.signedIn(client))
            }
            clock.advance(by: .seconds(20 * 60 - 1))
            #expect(try await Self.signedIn(client))
            clock.advance(by: .seconds(2))
            #expect(try await !Self.signedIn(client))
        }
    }

    @Test func loweringAPersonsRoleOrRemovingThemEndsTheirSessionsAtOnce() async throws {
        try await TestServer.with { server in
            let services = server.application.services
            let change = ChangeInfo(actor: "test")
            _ = try await Self.invite(server, "alice@example.com", role: .editor)
            _ = try await Self.invite(server, "bob@example.com", role: .viewer)
            let alice = try await Self.signIn(server, "alice@example.com")
            let bob = try await Self.signIn(server, "bob@example.com")
            // More rights: still signed in.
            _ = try await services.store.setRole(email: "alice@example.com", to: RoleChange(role: .owner), change: change)
            #expect(try await Self.signedIn(alice))
            _ = try await services.store.setRole(email: "alice@example.com", to: RoleChange(role: .viewer), change: change)
            #expect(try await !Self.signedIn(alice))
            #expect(try await Self.signedIn(bob))
            _ = try await services.store.removePerson(email: "bob@example.com", change: change)
            #expect(try await !Self.signedIn(bob))
            // A removed person cannot sign in again.
            let again = try await ConsoleClient(port: server.port).post("/ui/login", form: [("email", "bob@example.com"), ("password", Self.password)])
            #expect(again.status == 401)
        }
    }

    /// Two replicas on one PostgreSQL database: a person removed through A has no session on B
    /// from the moment A has answered (the row goes in the removal's transaction, and every
    /// replica reads sessions from the database on every request).
    @Test(.timeLimit(.minutes(5))) func aRemovedPersonsSessionEndsOnTheOtherReplicaAtOnce() async throws {
        try await ReplicaAutomationTests.withReplicas { a, b in
            #expect(try await eventually(timeout: .seconds(20)) { try await b.send("GET", "/readyz", as: .none).status == 200 })
            _ = try await Self.invite(a, "alice@example.com", role: .editor)
            let onA = try await Self.signIn(a, "alice@example.com")
            var onB = ConsoleClient(port: b.port)
            onB.session = onA.session
            #expect(try await Self.signedIn(onB), "a session works on every replica")
            _ = try await a.application.services.store.removePerson(email: "alice@example.com", change: ChangeInfo(actor: "test"))
            #expect(try await !Self.signedIn(onB))
            #expect(try await !Self.signedIn(onA))
        }
    }
}
