import ClutchCore
import ClutchStore
import Foundation
import ServerTestSupport
import TestSupport
import Testing

@testable import ClutchServer

/// The web console over HTTP against a real server: sign-in, sessions, CSRF and the changes.
@Suite struct ConsoleTests {
    /// Signs in with the admin token; the client carries the session cookie.
    static func signIn(_ server: TestServer) async throws -> ConsoleClient {
        var client = ConsoleClient(port: server.port)
        let answer = try await client.post("/ui/login", form: [("token", TestServer.adminToken)])
        guard answer.status == 303, let cookie = answer.sessionCookie else {
            throw TestFailure("sign-in failed: \(answer.status) \(answer.body.prefix(300))")
        }
        client.session = cookie
        return client
    }

    /// The CSRF token of the signed-in client's session, read from a page.
    static func csrf(_ client: ConsoleClient) async throws -> String {
        guard let token = try await client.get("/ui/flags").csrf else { throw TestFailure("no csrf field on /ui/flags") }
        return token
    }

    static func enabled(_ server: TestServer, _ key: String, _ env: String) async throws -> Bool? {
        let reply = try await server.send("GET", "/api/v1/flags/\(key)")
        return reply["flag.environments.\(env).enabled"]?.boolValue
    }

    @Test func signInWithAnAdminTokenSetsAStrictHttpOnlyCookie() async throws {
        try await TestServer.with { server in
            let client = ConsoleClient(port: server.port)
            let login = try await client.get("/ui/login")
            #expect(login.status == 200)
            #expect(login.headers["content-type"]?.hasPrefix("text/html") == true)
            #expect(login.body.contains(">Email</label>"))
            #expect(login.body.contains(">Password</label>"))
            #expect(login.body.contains(">Sign in</button>"))
            #expect(login.body.contains(">Token</label>"))
            #expect(!login.body.contains("single-sign-on"), "no single sign-on configured")

            let answer = try await client.post("/ui/login", form: [("token", TestServer.adminToken)])
            #expect(answer.status == 303)
            #expect(answer.location == "/ui/flags")
            let cookie = try #require(answer.setCookie)
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Strict"))
            #expect(cookie.contains("Path=/ui"))
            #expect(!cookie.contains("Secure"), "plain HTTP without --console-secure-cookies")
            let id = try #require(answer.sessionCookie)
            #expect(id.utf8.count == 43, "32 random bytes, base64url")

            var signedIn = client
            signedIn.session = id
            let page = try await signedIn.get("/ui/flags")
            #expect(page.status == 200)
            #expect(page.body.contains("Signed in as admin (service token)"))

            // Behind a TLS proxy the cookie is Secure.
            let proxied = try await client.post("/ui/login", form: [("token", TestServer.adminToken)], headers: ["X-Forwarded-Proto": "https"])
            #expect(proxied.setCookie?.contains("Secure") == true)
        }
    }

    /// The database holds hashes only: a copy of it cannot be used to take over a session.
    @Test func theStoreKeepsOnlyHashesOfTheSessionAndItsCSRFToken() async throws {
        try await TestServer.with { server in
            let client = try await Self.signIn(server)
            let id = try #require(client.session)
            let token = try await Self.csrf(client)
            let rows = try await PythonOFREPTests.run([
                "python3", "-c",
                "import sqlite3, sys; print('\\n'.join('|'.join(map(str, r)) for r in sqlite3.connect(sys.argv[1]).execute('SELECT hash, csrf_hash, principal, role FROM console_session')))",
                server.databasePath,
            ])
            let fields = rows.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "|").map(String.init)
            #expect(fields == [Secrets.hash(secret: id), Secrets.hash(secret: token), "admin (service token)", "owner"])
            #expect(!rows.contains(id))
            #expect(!rows.contains(token))
        }
    }

    @Test func secureCookiesWhenConfigured() async throws {
        try await TestServer.with(configure: { $0.consoleSecureCookies = true }) { server in
            let answer = try await ConsoleClient(port: server.port).post("/ui/login", form: [("token", TestServer.adminToken)])
            #expect(answer.status == 303)
            #expect(answer.setCookie?.contains("; Secure") == true)
        }
    }

    @Test func theKeysPageShowsEachKeysKindAndNeverASecret() async throws {
        try await TestServer.with { server in
            let (serverID, serverSecret) = try await server.createKey("production", name: "backend")
            let (clientID, clientSecret) = try await server.createKey("production", name: "ios-app", kind: "client")
            let client = try await Self.signIn(server)
            let page = try await client.get("/ui/keys")
            #expect(page.status == 200)
            let rows = page.body.components(separatedBy: "<tr>")
            #expect(rows.first { $0.contains(clientID) }?.contains("client (public)") == true, "\(page.body)")
            #expect(rows.first { $0.contains(serverID) }?.contains("server (secret)") == true, "\(page.body)")
            #expect(!page.body.contains(serverSecret))
            #expect(!page.body.contains(clientSecret))
            #expect(page.body.contains(#"href="/ui/keys""#))
        }
    }

    @Test func anSDKKeyOrAWrongTokenCannotSignIn() async throws {
        try await TestServer.with { server in
            let (_, key) = try await server.createKey("production")
            let client = ConsoleClient(port: server.port)
            let withKey = try await client.post("/ui/login", form: [("token", key)])
            let wrong = try await client.post("/ui/login", form: [("token", "clutch_admin_wrong")])
            let empty = try await client.post("/ui/login", form: [("token", "")])
            for answer in [withKey, wrong, empty] {
                #expect(answer.status == 401)
                #expect(answer.setCookie == nil)
                #expect(answer.body.contains("That token does not sign you in."))
            }
            // The same page whatever the reason: it does not tell a valid SDK key from garbage.
            #expect(withKey.body == wrong.body)
        }
    }

    @Test func signedOutPagesRedirectToSignIn() async throws {
        try await TestServer.with { server in
            var client = ConsoleClient(port: server.port)
            for path in ["/ui/flags", "/ui/flags?env=staging", "/ui/flags/anything"] {
                let answer = try await client.get(path)
                #expect(answer.status == 303, "\(path)")
                #expect(answer.location == "/ui/login", "\(path)")
            }
            #expect(try await client.get("/").location == "/ui/flags")
            client.session = String(repeating: "A", count: 43)
            #expect(try await client.get("/ui/flags").location == "/ui/login")
            client.session = "not-a-session"
            #expect(try await client.get("/ui/flags").location == "/ui/login")
        }
    }

    @Test func aSessionLivesWhileUsedAndEndsAfterItsIdleTime() async throws {
        let clock = TestClock()
        try await TestServer.with(configure: { TestServer.on(clock)(&$0); $0.consoleIdleTimeout = .seconds(30 * 60) }) { server in
            let client = try await Self.signIn(server)
            #expect(try await client.get("/ui/flags").status == 200)
            // Used every 20 minutes, it lives past its idle time (each request counts as activity).
            for _ in 0..<3 {
                clock.advance(by: .seconds(20 * 60))
                #expect(try await client.get("/ui/flags").status == 200)
            }
            // A second short of the idle time since the last request: still signed in.
            clock.advance(by: .seconds(30 * 60 - 1))
            #expect(try await client.get("/ui/flags").status == 200)
            // Idle for longer than that: signed out.
            clock.advance(by: .seconds(30 * 60 + 1))
            let answer = try await client.get("/ui/flags")
            #expect(answer.status == 303)
            #expect(answer.location == "/ui/login")
            // Expired is gone for good: the row was deleted, not just refused this once.
            #expect(try await client.get("/ui/flags").location == "/ui/login")
        }
    }

    @Test func signingOutEndsTheSessionServerSide() async throws {
        try await TestServer.with { server in
            let client = try await Self.signIn(server)
            let token = try await Self.csrf(client)
            let out = try await client.post("/ui/logout", form: [("csrf", token)])
            #expect(out.status == 303)
            #expect(out.location == "/ui/login")
            #expect(out.setCookie?.contains("Max-Age=0") == true)
            // The old cookie, replayed, no longer works.
            let again = try await client.get("/ui/flags")
            #expect(again.status == 303)
            #expect(again.location == "/ui/login")
        }
    }

    @Test func postsWithoutTheCSRFTokenOrFromAnotherOriginChangeNothing() async throws {
        try await TestServer.with { server in
            try await server.createFlag(#"{"key": "guarded", "type": "boolean"}"#)
            let client = try await Self.signIn(server)
            let token = try await Self.csrf(client)
            let change: [(String, String)] = [("env", "staging"), ("to", "on")]
            let attempts: [(String, ConsoleClient.Answer)] = [
                ("no token", try await client.post("/ui/flags/guarded/toggle", form: change)),
                // One character changed (a random token may itself start with "x").
                ("wrong token", try await client.post(
                    "/ui/flags/guarded/toggle", form: change + [("csrf", (token.hasPrefix("x") ? "y" : "x") + token.dropFirst())])),
                ("foreign origin", try await client.post("/ui/flags/guarded/toggle", form: change + [("csrf", token)], origin: "https://evil.example")),
                ("null origin", try await client.post("/ui/flags/guarded/toggle", form: change + [("csrf", token)], origin: "null")),
                ("no origin at all", try await client.post("/ui/flags/guarded/toggle", form: change + [("csrf", token)], origin: .some(nil))),
                ("cross-site fetch", try await client.post(
                    "/ui/flags/guarded/toggle", form: change + [("csrf", token)], origin: .some(nil), headers: ["Sec-Fetch-Site": "cross-site"])),
                ("kill without token", try await client.post("/ui/flags/guarded/kill", form: [("env", "staging")])),
            ]
            for (name, answer) in attempts {
                #expect(answer.status == 403, "\(name): \(answer.status)")
            }
            #expect(try await Self.enabled(server, "guarded", "staging") == false)
            // Same-origin by Sec-Fetch-Site alone is enough (with the token).
            let ok = try await client.post(
                "/ui/flags/guarded/toggle", form: change + [("csrf", token)], origin: .some(nil), headers: ["Sec-Fetch-Site": "same-origin"])
            #expect(ok.status == 303)
            #expect(try await Self.enabled(server, "guarded", "staging") == true)
        }
    }

    /// Behind a proxy the browser's origin is the public URL, not the `Host` the server sees.
    @Test func thePublicURLIsTheConsolesOriginToo() async throws {
        try await TestServer.with(configure: { $0.publicURL = "https://flags.example.com/" }) { server in
            let client = ConsoleClient(port: server.port)
            for origin in ["https://flags.example.com", "https://FLAGS.example.com:443", client.origin] {
                let answer = try await client.post("/ui/login", form: [("token", TestServer.adminToken)], origin: origin)
                #expect(answer.status == 303, "\(origin)")
                #expect(answer.setCookie?.contains("Secure") == true, "an https public URL marks the cookie Secure")
            }
            for origin in ["http://flags.example.com", "https://flags.example.com:8443", "https://evil.example", "null"] {
                let answer = try await client.post("/ui/login", form: [("token", TestServer.adminToken)], origin: origin)
                #expect(answer.status == 403, "\(origin)")
                #expect(answer.setCookie == nil)
            }
        }
    }

    @Test func togglingInStagingReachesOFREP() async throws {
        try await TestServer.with { server in
            try await server.createFlag(#"{"key": "new-checkout", "type": "boolean", "description": "The new checkout"}"#)
            let (_, key) = try await server.createKey("staging")
            func evaluate() async throws -> Bool? {
                try await server.send(
                    "POST", "/ofrep/v1/evaluate/flags/new-checkout", body: #"{"context": {"targetingKey": "u1"}}"#, as: .apiKey(key)
                )["value"]?.boolValue
            }
            #expect(try await evaluate() == false)
            let client = try await Self.signIn(server)
            let page = try await client.get("/ui/flags/new-checkout?env=staging")
            #expect(page.status == 200)
            #expect(page.body.contains("Turn on in staging"))
            let token = try #require(page.csrf)
            let answer = try await client.post(
                "/ui/flags/new-checkout/toggle", form: [("csrf", token), ("env", "staging"), ("to", "on"), ("message", "try it in staging")])
            #expect(answer.status == 303)
            #expect(answer.location == "/ui/flags/new-checkout?env=staging&done=on")
            #expect(try await evaluate() == true)
            let after = try await client.get("/ui/flags/new-checkout?env=staging&done=on")
            #expect(after.body.contains("Switched on."))
            #expect(after.body.contains("try it in staging"))
            let revisions = try await server.send("GET", "/api/v1/flags/new-checkout/revisions")
            #expect(revisions.text.contains("try it in staging"))
        }
    }

    @Test func productionNeedsItsNameTyped() async throws {
        try await TestServer.with { server in
            try await server.createFlag(#"{"key": "careful", "type": "boolean"}"#)
            let client = try await Self.signIn(server)
            let page = try await client.get("/ui/flags/careful?env=production")
            let token = try #require(page.csrf)
            // The confirmation is asked once, on the pending change, not on each card.
            #expect(!page.body.contains("Type <strong>production</strong> to confirm"))
            let staged = try await client.post("/ui/flags/careful/toggle", form: [("csrf", token), ("env", "production"), ("to", "on"), ("stage", "1")])
            #expect(staged.status == 200)
            #expect(staged.body.components(separatedBy: "Type <strong>production</strong> to confirm").count == 2)
            #expect(try await Self.enabled(server, "careful", "production") == false, "staged, not applied")
            let base: [(String, String)] = [("csrf", token), ("env", "production"), ("to", "on")]
            let missing = try await client.post("/ui/flags/careful/toggle", form: base)
            let wrong = try await client.post("/ui/flags/careful/toggle", form: base + [("confirm", "staging")])
            #expect(missing.status == 400)
            #expect(wrong.status == 400)
            #expect(missing.body.contains("type its name"))
            #expect(try await Self.enabled(server, "careful", "production") == false)
            let confirmed = try await client.post("/ui/flags/careful/toggle", form: base + [("confirm", "production")])
            #expect(confirmed.status == 303)
            #expect(try await Self.enabled(server, "careful", "production") == true)
            // Bad input is refused and changes nothing.
            let badEnv = try await client.post("/ui/flags/careful/toggle", form: [("csrf", token), ("env", "nowhere"), ("to", "off")])
            let badTo = try await client.post("/ui/flags/careful/toggle", form: [("csrf", token), ("env", "staging"), ("to", "maybe")])
            let unknown = try await client.post("/ui/flags/nope/toggle", form: [("csrf", token), ("env", "staging"), ("to", "on")])
            #expect(badEnv.status == 400)
            #expect(badTo.status == 400)
            #expect(unknown.status == 404)
            #expect(try await Self.enabled(server, "careful", "production") == true)
        }
    }

    @Test func killTurnsTheFlagOffEverywhere() async throws {
        try await TestServer.with { server in
            try await server.createFlag(#"{"key": "doomed", "type": "boolean"}"#)
            for env in FlagStoreDefaults.environments {
                try await server.send("POST", "/api/v1/flags/doomed/environments/\(env)/on")
            }
            let client = try await Self.signIn(server)
            let token = try await Self.csrf(client)
            let answer = try await client.post("/ui/flags/doomed/kill", form: [("csrf", token), ("env", "staging"), ("message", "errors spiking"), ("confirm", "doomed")])
            #expect(answer.status == 303)
            for env in FlagStoreDefaults.environments {
                #expect(try await Self.enabled(server, "doomed", env) == false, "\(env)")
            }
            let revisions = try await server.send("GET", "/api/v1/flags/doomed/revisions")
            #expect(revisions.text.contains("errors spiking"))
            #expect(try await client.get("/ui/flags/doomed?env=staging&done=kill").body.contains("Killed: off in every environment."))
        }
    }
}

/// The environments a new server has.
enum FlagStoreDefaults {
    static let environments = ["development", "staging", "production"]
}
