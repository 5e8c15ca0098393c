import ClutchServer
import Foundation
import ServerTestSupport
import TestSupport
import Testing

/// Signing in to the console against a real server: the throttle, and the audit log's record of
/// sign-ins. Time is a ``TestClock``: the throttle's window passes when the test moves it.
@Suite struct SignInTests {
    /// The audit log's console events, oldest first, as `action actor key message`.
    static func signInEvents(_ server: TestServer) async throws -> [String] {
        let reply = try await server.send("GET", "/api/v1/audit?limit=100")
        let object = try JSONSerialization.jsonObject(with: reply.body) as? [String: Any]
        let events = object?["events"] as? [[String: Any]] ?? []
        return events.reversed().filter { $0["entity"] as? String == "console" }.map { event in
            ["action", "actor", "key", "message"].map { event[$0] as? String ?? "-" }.joined(separator: " ")
        }
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
                    "sign-in admin 127.0.0.1 with a token",
                ])
            // The token itself is never written down.
            let audit = try await server.send("GET", "/api/v1/audit?limit=100").text
            #expect(!audit.contains("clutch_admin_wrong"))
            #expect(!audit.contains(TestServer.adminToken))
        }
    }
}
