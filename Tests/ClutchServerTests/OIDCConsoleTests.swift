import ClutchCore
import ClutchStore
import Foundation
import ServerTestSupport
import TestSupport
import Testing

@testable import ClutchServer

/// Single sign-on in the console, end to end: a real server configured with a real OpenID
/// provider (oidc-provider-mock), a person signing in at the provider's form, and what Clutch
/// makes of them: a person with the role their groups give, and a console session.
@Suite(.enabled(if: OIDCProviderMock.isInstalled, "oidc-provider-mock is not installed (scripts/ensure-deps.sh test)"))
struct OIDCConsoleTests {
    /// `clutch-staging-editors` → editor of staging, `clutch-viewers` → viewer; example.org
    /// people may sign in as viewers.
    static func configure(_ provider: OIDCProviderMock) -> (inout ServerConfiguration) -> Void {
        { configuration in
            configuration.oidc = OIDCSettings(
                issuer: provider.issuer, clientID: "clutch-console", clientSecret: "console-secret",
                roles: [
                    OIDCRoleMapping(group: "clutch-staging-editors", grant: AccessGrant(role: .editor, environments: ["staging"])),
                    OIDCRoleMapping(group: "clutch-viewers", grant: AccessGrant(role: .viewer)),
                ],
                allowedDomains: ["example.org"])
        }
    }

    /// Follows "Sign in with …" to the provider, signs in there as `subject`, and brings the
    /// provider's answer back to the callback in the same browser (its state cookie).
    static func signIn(_ server: TestServer, _ provider: OIDCProviderMock, subject: String) async throws -> ConsoleClient.Answer {
        let browser = ConsoleClient(port: server.port)
        let start = try await browser.get("/ui/login/oidc")
        guard start.status == 303, let url = start.location, let cookie = start.setCookie,
            cookie.hasPrefix("\(ConsoleOIDCController.stateCookie)=")
        else { throw TestFailure("/ui/login/oidc answered \(start.status) \(start.body.prefix(300))") }
        #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/ui/oidc"))
        let state = String(cookie.split(separator: ";")[0])
        let answer = try await provider.signIn(at: url, subject: subject)
        guard answer.status == 302, let back = answer.location, back.hasPrefix(server.address + "/ui/oidc/callback?") else {
            throw TestFailure("the provider answered \(answer.status) \(answer.location ?? answer.body)")
        }
        return try await browser.get(String(back.dropFirst(server.address.count)), headers: ["Cookie": state])
    }

    static func member(_ server: TestServer, _ email: String) async throws -> Person? {
        try await server.application.services.store.people().first { $0.email.lowercased() == email }
    }

    @Test func aPersonWhoseGroupMapsToEditorOfStagingSignsInBecomesThatPersonAndUsesTheConsole() async throws {
        let provider = try await OIDCProviderMock()
        defer { provider.stop() }
        try await provider.setUser("alice", claims: #"{"email": "alice@example.com", "name": "Alice Liddell", "groups": ["eng", "clutch-staging-editors"]}"#)
        try await TestServer.with(configure: Self.configure(provider)) { server in
            let login = try await ConsoleClient(port: server.port).get("/ui/login")
            #expect(login.body.contains(#"<a class="button" href="/ui/login/oidc">Sign in with 127.0.0.1</a>"#))
            #expect(try await Self.member(server, "alice@example.com") == nil)

            let signedIn = try await Self.signIn(server, provider, subject: "alice")
            #expect(signedIn.status == 200, "\(signedIn.body)")
            #expect(signedIn.body.contains("Signed in as alice@example.com."))
            #expect(signedIn.body.contains(#"<meta http-equiv="refresh" content="0; url=/ui/flags">"#))
            let session = try #require(signedIn.sessionCookie)

            let alice = try #require(try await Self.member(server, "alice@example.com"))
            #expect(alice.grant == AccessGrant(role: .editor, environments: ["staging"]))
            #expect(alice.name == "Alice Liddell")

            var console = ConsoleClient(port: server.port)
            console.session = session
            let flags = try await console.get("/ui/flags")
            #expect(flags.status == 200)
            #expect(flags.body.contains("Signed in as Alice Liddell"))

            // What the session changes is alice's change, and her sign-in is in the audit log.
            try await server.createFlag(#"{"key": "beta", "type": "boolean"}"#)
            let csrf = try #require(flags.csrf)
            let toggled = try await console.post("/ui/flags/beta/toggle", form: [("csrf", csrf), ("env", "staging"), ("to", "on")])
            #expect(toggled.status == 303)
            // Her role holds in the console: staging is hers to change, production is not.
            let production = try await console.post(
                "/ui/flags/beta/toggle", form: [("csrf", csrf), ("env", "production"), ("to", "on"), ("confirm", "production")])
            #expect(production.status == 403)
            #expect(production.body.contains("alice@example.com is a responder in production; changing it needs editor."), "\(production.body)")
            #expect(try await ConsoleTests.enabled(server, "beta", "production") == false)
            let audit = try await server.send("GET", "/api/v1/audit?since=1h&limit=10")
            #expect(audit["events[0].actor"] == .string("alice@example.com"))
            #expect(audit["events[0].entity"] == .string("flag"))
            // Before the flag's creation: her sign-in, and before it her person's creation.
            #expect(audit["events[2].actor"] == .string("alice@example.com"))
            #expect(audit["events[2].action"] == .string("sign-in"))
            #expect(audit["events[2].message"] == .string("with single sign-on"))
            #expect(audit["events[3].entity"] == .string("person"))
            #expect(audit["events[3].actor"] == .string("alice@example.com"))
        }
    }

    @Test func aPersonsRoleFollowsTheirGroupsAtEachSignIn() async throws {
        let provider = try await OIDCProviderMock()
        defer { provider.stop() }
        try await provider.setUser("bob", claims: #"{"email": "bob@example.com", "groups": ["clutch-staging-editors"]}"#)
        try await TestServer.with(configure: Self.configure(provider)) { server in
            #expect(try await Self.signIn(server, provider, subject: "bob").status == 200)
            #expect(try await Self.member(server, "bob@example.com")?.grant == AccessGrant(role: .editor, environments: ["staging"]))

            // The directory moves bob to the viewers: the next sign-in makes him one.
            try await provider.setUser("bob", claims: #"{"email": "bob@example.com", "groups": ["clutch-viewers"]}"#)
            #expect(try await Self.signIn(server, provider, subject: "bob").status == 200)
            #expect(try await Self.member(server, "bob@example.com")?.grant == AccessGrant(role: .viewer))
            #expect(try await server.application.services.store.people().count == 1)
        }
    }

    @Test func aPersonAddedByEmailIsTheSamePersonWhenTheySignInWithTheProvider() async throws {
        let provider = try await OIDCProviderMock()
        defer { provider.stop() }
        try await provider.setUser("carol-at-idp", claims: #"{"email": "Carol@Example.com", "groups": ["clutch-staging-editors"]}"#)
        try await TestServer.with(configure: Self.configure(provider)) { server in
            let store = server.application.services.store
            let (added, _) = try await store.createPerson(
                PersonCreate(email: "carol@example.com", role: .owner), change: ChangeInfo(actor: "ci (service token)"))

            #expect(try await Self.signIn(server, provider, subject: "carol-at-idp").status == 200)
            let people = try await store.people()
            #expect(people.map(\.id) == [added.id])
            #expect(people.first?.grant == AccessGrant(role: .editor, environments: ["staging"]))
        }
    }

    @Test func someoneWhoseGroupsGiveNoRoleIsRefusedWithAPageUnlessTheirDomainIsAllowed() async throws {
        let provider = try await OIDCProviderMock()
        defer { provider.stop() }
        try await provider.setUser("mallory", claims: #"{"email": "mallory@example.net", "groups": ["contractors"]}"#)
        try await provider.setUser("dora", claims: #"{"email": "dora@example.org"}"#)
        try await TestServer.with(configure: Self.configure(provider)) { server in
            let refused = try await Self.signIn(server, provider, subject: "mallory")
            #expect(refused.status == 403)
            #expect(refused.sessionCookie == nil)
            #expect(refused.body.contains(
                "mallory@example.net may not sign in to Clutch: none of their groups has a role here, and example.net is not an allowed domain."))
            #expect(try await Self.member(server, "mallory@example.net") == nil)
            let audit = try await server.send("GET", "/api/v1/audit?since=1h&limit=10")
            #expect(audit["events[0].action"] == .string("sign-in-failed"))
            #expect(audit["events[0].actor"] == .string("mallory@example.net"))

            #expect(try await Self.signIn(server, provider, subject: "dora").status == 200)
            #expect(try await Self.member(server, "dora@example.org")?.grant == AccessGrant(role: .viewer))
        }
    }

    @Test func aCallbackOutsideTheBrowserThatStartedTheSignInIsRefused() async throws {
        let provider = try await OIDCProviderMock()
        defer { provider.stop() }
        try await provider.setUser("alice", claims: #"{"email": "alice@example.com", "groups": ["clutch-viewers"]}"#)
        try await TestServer.with(configure: Self.configure(provider)) { server in
            // An attacker starts a sign-in and hands the callback URL to someone else's browser.
            let start = try await ConsoleClient(port: server.port).get("/ui/login/oidc")
            let url = try #require(start.location)
            let answer = try await provider.signIn(at: url, subject: "alice")
            let back = try #require(answer.location)
            let victim = try await ConsoleClient(port: server.port).get(String(back.dropFirst(server.address.count)))
            #expect(victim.status == 401)
            #expect(victim.sessionCookie == nil)
            #expect(victim.body.contains("This sign-in was not started in this browser."))
            #expect(try await Self.member(server, "alice@example.com") == nil)
        }
    }

    @Test func withoutSingleSignOnTheSignInPageOffersNoneAndItsRoutesAreNotFound() async throws {
        try await TestServer.with { server in
            let browser = ConsoleClient(port: server.port)
            let login = try await browser.get("/ui/login")
            let start = try await browser.get("/ui/login/oidc")
            let callback = try await browser.get("/ui/oidc/callback?code=x&state=y")
            #expect(login.status == 200 && !login.body.contains("/ui/login/oidc"))
            #expect(start.status == 404)
            #expect(callback.status == 404)
        }
    }
}
