import ClutchCore
import ClutchServer
import ClutchStore
import Foundation
import ServerTestSupport
import TestSupport
import Testing

/// What an attacker holding nothing but SDK keys (they ship inside apps) tries against the kill
/// switch. After each attack — while it is still in flight where it can be — a kill commits,
/// apps see `DISABLED`, and `/healthz` answers. How fast is `make bench`'s business
/// (`attack_kill_*`, `attack_healthz_*`): a bound here would fail on a loaded machine.
@Suite("Attacks with SDK keys", .serialized)
struct AttackTests {
    /// The server as deployed: without the contract check the other suites run under, which
    /// reads every body whole and would change what an attack costs.
    static func asInProduction(_ configuration: inout ServerConfiguration) {
        configuration.checkContract = false
    }

    /// `new-checkout`: on in production and development, with the given rules in production.
    static func seed(_ server: TestServer, rules: String = "[]") async throws {
        try await server.createFlag("""
            {"key": "new-checkout", "type": "boolean", "environments": {
              "production": {"enabled": true, "rules": \(rules)},
              "development": {"enabled": true}}}
            """)
    }

    /// Kills `new-checkout` and checks the kill switch held: the kill answered 200, OFREP says
    /// DISABLED, and /healthz answers.
    static func expectKillSwitchHolds(_ server: TestServer, productionKey: String) async throws {
        let kill = try await server.send("POST", "/api/v1/flags/new-checkout/kill", body: #"{}"#)
        #expect(kill.status == 200, "kill answered \(kill.status): \(kill.text)")
        let evaluation = try await server.send(
            "POST", "/ofrep/v1/evaluate/flags/new-checkout", body: #"{"context": {"targetingKey": "u1"}}"#,
            as: .bearer(productionKey))
        #expect(evaluation["reason"] == .string("DISABLED"))
        #expect(evaluation["value"] == .bool(false))
        let health = try await server.send("GET", "/healthz", as: .none)
        #expect(health.status == 200)
        let read = try await server.send("GET", "/api/v1/flags/new-checkout")
        #expect(read.status == 200, "reading the flag answered \(read.status): \(read.text)")
    }

    /// A cohort `everyone` in production with `members` members (`customer-N`), sent in bodies under 1 MiB.
    static func addLargeCohort(_ server: TestServer, members: Int) async throws {
        let chunk = 40_000
        func names(_ range: Range<Int>) -> String { range.map { "\"customer-\($0)\"" }.joined(separator: ",") }
        let created = try await server.send(
            "POST", "/api/v1/environments/production/cohorts",
            body: #"{"key": "everyone", "members": [\#(names(0..<min(chunk, members)))]}"#)
        #expect(created.status == 201)
        var start = chunk
        while start < members {
            let added = try await server.send(
                "POST", "/api/v1/environments/production/cohorts/everyone/members",
                body: #"{"add": [\#(names(start..<min(start + chunk, members)))]}"#)
            #expect(added.status == 200, "adding members answered \(added.status): \(added.text.prefix(200))")
            start += chunk
        }
    }

    // MARK: Usage reports

    @Test func overflowingUsageIsRefusedAndCannotBreakTheFlag() async throws {
        try await TestServer.with(configure: Self.asInProduction) { server in
            try await Self.seed(server)
            let (_, development) = try await server.createKey("development")
            let (_, production) = try await server.createKey("production")
            let overflow = """
                {"counts": [{"flag": "new-checkout", "variant": "on", "count": 9223372036854775807},
                            {"flag": "new-checkout", "variant": "on", "count": 1}]}
                """
            let refused = try await server.send("POST", "/sdk/v1/usage", body: overflow, as: .bearer(development))
            #expect(refused.status == 400)
            #expect(refused.errorField == "counts[0].count")
            let negative = try await server.send(
                "POST", "/sdk/v1/usage", body: #"{"counts": [{"flag": "new-checkout", "variant": "on", "count": -1}]}"#,
                as: .bearer(development))
            #expect(negative.status == 400)
            // The largest count allowed, many times over: the sum saturates instead of overflowing.
            let largest = UsageLimits.maxCount
            let big = #"{"counts": [{"flag": "new-checkout", "variant": "on", "count": \#(largest)}]}"#
            for _ in 0..<3 {
                let accepted = try await server.send("POST", "/sdk/v1/usage", body: big, as: .bearer(development))
                #expect(accepted.status == 202)
                #expect(accepted["accepted"] == .integer(1))
            }
            // Reports that land in one batch together sum past a single report's limit: stored.
            async let a = server.send("POST", "/sdk/v1/usage", body: big, as: .bearer(development))
            async let b = server.send("POST", "/sdk/v1/usage", body: big, as: .bearer(development))
            let together = try await [a.status, b.status]
            #expect(together == [202, 202])
            let read = try await server.send("GET", "/api/v1/flags/new-checkout")
            #expect(read["usage.development.variants.on"] == .integer(5 * largest))
            try await Self.expectKillSwitchHolds(server, productionKey: production)
        }
    }

    @Test func inventedVariantsAreNotStored() async throws {
        try await TestServer.with(configure: Self.asInProduction) { server in
            try await Self.seed(server)
            try await server.createFlag(#"{"key": "unrelated", "type": "boolean"}"#)
            let (_, production) = try await server.createKey("production")
            let invented = (0..<UsageLimits.maxEntries).map { #"{"flag": "new-checkout", "variant": "v\#($0)", "count": 1}"# }
            let body = #"{"counts": [\#(invented.joined(separator: ","))]}"#
            // Reports in flight while the kill and an unrelated toggle are made.
            let attack = Task {
                for _ in 0..<6 {
                    _ = try? await server.send("POST", "/sdk/v1/usage", body: body, as: .bearer(production))
                }
            }
            let reply = try await server.send("POST", "/sdk/v1/usage", body: body, as: .bearer(production))
            #expect(reply.status == 202)
            #expect(reply["accepted"] == .integer(0))
            #expect(reply["ignored"] == .integer(Int64(UsageLimits.maxEntries)))
            let tooMany = (0...UsageLimits.maxEntries).map { _ in #"{"flag": "new-checkout", "variant": "on", "count": 1}"# }
            let refused = try await server.send(
                "POST", "/sdk/v1/usage", body: #"{"counts": [\#(tooMany.joined(separator: ","))]}"#, as: .bearer(production))
            #expect(refused.status == 400)
            #expect(refused.errorField == "counts")
            let toggle = try await server.send("POST", "/api/v1/flags/unrelated/environments/production/on")
            #expect(toggle.status == 200)
            try await Self.expectKillSwitchHolds(server, productionKey: production)
            await attack.value
            let read = try await server.send("GET", "/api/v1/flags/new-checkout")
            // Only real variants (the kill check's own OFREP evaluation counts as `off`).
            if case .object(let variants)? = read["usage.production.variants"] {
                #expect(Set(variants.keys).isSubset(of: ["on", "off"]), "usage rows were stored for invented variants: \(variants.keys)")
            }
        }
    }

    @Test func usageReportsBeyondTheRateAreRefusedWithRetryAfter() async throws {
        // On a clock that stands still, the allowance refills only when the test moves it.
        let clock = TestClock()
        try await TestServer.with(configure: {
            Self.asInProduction(&$0)
            TestServer.on(clock)(&$0)
            $0.limits.usageReportsPerSecond = 1
            $0.limits.usageReportBurst = 2
        }) { server in
            try await Self.seed(server)
            let (_, production) = try await server.createKey("production")
            let body = #"{"counts": [{"flag": "new-checkout", "variant": "on", "count": 1}]}"#
            func send(_ key: String) async throws -> Reply {
                try await server.send("POST", "/sdk/v1/usage", body: body, as: .bearer(key))
            }
            var statuses: [Int] = []
            var retryAfter: [String?] = []
            for _ in 0..<4 {
                let reply = try await send(production)
                statuses.append(reply.status)
                retryAfter.append(reply.headers["retry-after"])
            }
            #expect(statuses == [202, 202, 429, 429], "a burst of two, then nothing until time passes")
            #expect(retryAfter.suffix(2) == ["1", "1"], "a token comes back in a second")
            // Half a second is not enough; a second is, for one report.
            clock.advance(by: .milliseconds(500))
            #expect(try await send(production).status == 429)
            clock.advance(by: .milliseconds(500))
            #expect(try await send(production).status == 202)
            #expect(try await send(production).status == 429)
            // Another key has its own allowance.
            let (_, other) = try await server.createKey("production", name: "other")
            #expect(try await send(other).status == 202)
            try await Self.expectKillSwitchHolds(server, productionKey: production)
        }
    }

    // MARK: Patterns

    @Test func backtrackingPatternsCannotPinTheServer() async throws {
        let rules = """
            [{"clauses": [{"attribute": "email", "operator": "matches", "values": ["^(a+)+$", "^([a-z0-9]+\\\\.?)+@acme\\\\.com$"]}],
              "serve": {"variant": "on"}}]
            """
        try await TestServer.with(configure: Self.asInProduction) { server in
            try await Self.seed(server, rules: rules)
            let (_, production) = try await server.createKey("production")
            let evil = String(repeating: "a", count: 100_000) + "!"
            let body = #"{"context": {"targetingKey": "u1", "email": "\#(evil)"}}"#
            let attack = Task {
                for _ in 0..<4 {
                    _ = try? await server.send("POST", "/ofrep/v1/evaluate/flags/new-checkout", body: body, as: .bearer(production))
                }
            }
            let reply = try await server.send("POST", "/ofrep/v1/evaluate/flags/new-checkout", body: body, as: .bearer(production))
            #expect(reply.status == 200)
            #expect(reply["reason"] == .string("DEFAULT"))
            try await Self.expectKillSwitchHolds(server, productionKey: production)
            await attack.value
        }
    }

    @Test func patternsThatNeedBacktrackingAreRefusedWhenWritten() async throws {
        try await TestServer.with(configure: Self.asInProduction) { server in
            let reply = try await server.send("POST", "/api/v1/flags", body: """
                {"key": "backref", "environments": {"production": {"rules": [
                  {"clauses": [{"attribute": "email", "operator": "matches", "values": ["(a)\\\\1"]}], "serve": {"variant": "on"}}]}}}
                """)
            #expect(reply.status == 400)
            #expect(reply.errorField == "environments.production.rules[0].clauses[0].values[0]")
        }
    }

    // MARK: Contexts

    @Test func oversizedContextsAreRefused() async throws {
        try await TestServer.with(configure: Self.asInProduction) { server in
            try await Self.seed(server)
            let (_, production) = try await server.createKey("production")
            // Many attribute names (crafted to collide or not, the count is bounded).
            let names = (0..<(ContextLimits.maxAttributes + 1)).map { #""a\#($0)": 1"# }.joined(separator: ",")
            let many = try await server.send(
                "POST", "/ofrep/v1/evaluate/flags/new-checkout", body: #"{"context": {\#(names)}}"#, as: .bearer(production))
            #expect(many.status == 400)
            #expect(many["errorCode"] == .string("INVALID_CONTEXT"))
            let long = String(repeating: "x", count: ContextLimits.maxStringBytes + 1)
            let tooLong = try await server.send(
                "POST", "/ofrep/v1/evaluate/flags/new-checkout", body: #"{"context": {"email": "\#(long)"}}"#, as: .bearer(production))
            #expect(tooLong.status == 400)
            #expect(tooLong["errorCode"] == .string("INVALID_CONTEXT"))
            let fine = (0..<ContextLimits.maxAttributes - 1).map { #""a\#($0)": 1"# }.joined(separator: ",")
            let allowed = try await server.send(
                "POST", "/ofrep/v1/evaluate/flags/new-checkout", body: #"{"context": {"targetingKey": "u1", \#(fine)}}"#,
                as: .bearer(production))
            #expect(allowed.status == 200)
            let attack = Task {
                for _ in 0..<4 {
                    _ = try? await server.send(
                        "POST", "/ofrep/v1/evaluate/flags", body: #"{"context": {\#(names)}}"#, as: .bearer(production))
                }
            }
            try await Self.expectKillSwitchHolds(server, productionKey: production)
            await attack.value
        }
    }

    // MARK: Streams

    @Test func streamsThatNeverReadCostLittleAndAreClosed() async throws {
        try await TestServer.with(configure: {
            Self.asInProduction(&$0)
            $0.limits.streamStallTimeout = .seconds(2)
            $0.limits.maxStreamsPerKey = 40
        }) { server in
            try await Self.seed(server)
            try await Self.addLargeCohort(server, members: 200_000)
            let (_, production) = try await server.createKey("production")
            let before = residentBytes()
            var connections: [RawConnection] = []
            for _ in 0..<40 {
                let connection = try RawConnection(port: server.port, receiveBuffer: 4096)
                try connection.send(RawConnection.streamRequest(key: production))
                connections.append(connection)
            }
            // The streams are open (each has started writing its snapshot) and none reads.
            #expect(try await eventually { server.application.openStreamCount == 40 })
            try await Task.sleep(for: .milliseconds(500))
            let grown = residentBytes() - before
            // Each stream would hold two copies of the ~4 MB snapshot if it had its own.
            #expect(grown < 60 << 20, "resident memory grew by \(grown >> 20) MiB for 40 streams")
            // One stream more than the key may hold.
            let extra = try await server.send("GET", "/sdk/v1/stream", as: .bearer(production))
            #expect(extra.status == 429)
            #expect(extra.headers["retry-after"] != nil)
            try await Self.expectKillSwitchHolds(server, productionKey: production)
            // More members for the large cohort (each event carries the 40,000 it adds): now no
            // socket buffer holds what the streams owe, their writes wait, and after the stall
            // timeout they are closed.
            for round in 0..<4 {
                let names = (0..<40_000).map { "\"late-\(round)-\($0)\"" }.joined(separator: ",")
                let added = try await server.send(
                    "POST", "/api/v1/environments/production/cohorts/everyone/members", body: #"{"add": [\#(names)]}"#)
                #expect(added.status == 200)
            }
            for connection in connections {
                #expect(await connection.waitUntilClosed(timeout: .seconds(15)))
            }
            #expect(try await eventually { server.application.openStreamCount == 0 })
            // Their slots are given back: the key may open streams again.
            let stream = SSEClient(port: server.port, key: production)
            defer { stream.close() }
            #expect(try await stream.wait { $0.events.first?.name == "snapshot" })
        }
    }

    // MARK: Connections and bodies

    @Test func halfSentRequestsAreClosedAfterTheIdleTimeout() async throws {
        try await TestServer.with(configure: { Self.asInProduction(&$0); $0.limits.idleTimeout = .seconds(1) }) { server in
            let half = try RawConnection(port: server.port)
            try half.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            let halfClosed = await half.waitUntilClosed(timeout: .seconds(30))
            #expect(halfClosed, "\(halfClosed ? "" : half.serverEnd())")
            let silent = try RawConnection(port: server.port)
            let silentClosed = await silent.waitUntilClosed(timeout: .seconds(30))
            #expect(silentClosed, "\(silentClosed ? "" : silent.serverEnd())")
            #expect(try await server.send("GET", "/healthz", as: .none).status == 200)
        }
    }

    /// Body parts count as activity for the idle timeout, so a body sent a byte at a time used to
    /// hold its connection for as long as the sender liked. The request deadline ends it with 408.
    @Test func aBodySentAByteAtATimeIsCutOffAtTheRequestDeadline() async throws {
        try await TestServer.with(configure: { Self.asInProduction(&$0); $0.limits.requestTimeout = .seconds(1) }) { server in
            let slow = try RawConnection(port: server.port)
            try slow.send(
                "POST /api/v1/flags HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(TestServer.adminToken)\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{")
            // Well within the idle timeout (60 s) between bytes, for as long as the connection lasts.
            let trickle = Task {
                for _ in 0..<600 {
                    guard (try? slow.send(" ")) != nil else { return }
                    try? await Task.sleep(for: .milliseconds(100))
                }
            }
            defer { trickle.cancel() }
            let (closed, answer) = await slow.readUntilClosed(timeout: .seconds(30))
            #expect(closed, "\(closed ? "" : slow.serverEnd())")
            #expect(answer.hasPrefix("HTTP/1.1 408"), "\(answer)")
            #expect(answer.contains(#""code":"request_timeout""#), "\(answer)")
            #expect(try await server.send("GET", "/healthz", as: .none).status == 200)
            #expect(try await server.send("GET", "/api/v1/flags")["flags"]?.arrayCount == 0, "the cut-off request changed nothing")
        }
    }

    /// A stream's request is whole at once: the request deadline never ends a stream.
    @Test func aStreamOutlivesTheRequestDeadline() async throws {
        try await TestServer.with(configure: { Self.asInProduction(&$0); $0.limits.requestTimeout = .seconds(1) }) { server in
            try await Self.seed(server)
            let (_, production) = try await server.createKey("production")
            let stream = SSEClient(port: server.port, key: production)
            defer { stream.close() }
            // Heartbeats come every 300 ms: eight of them span well over the 1 s deadline.
            #expect(try await stream.wait(timeout: .seconds(30)) { $0.text.components(separatedBy: ": heartbeat").count > 8 })
            try await server.send("POST", "/api/v1/flags/new-checkout/kill", body: #"{}"#)
            #expect(try await stream.wait { $0.events.count > 1 }, "\(stream.text.suffix(300))")
            #expect(!stream.isFinished)
        }
    }

    /// Every connection costs a descriptor and memory: beyond the budget a connection is answered
    /// 503 with `Retry-After` and closed, and a place that frees up is given to the next one.
    @Test func connectionsBeyondTheBudgetAreAnswered503WithRetryAfter() async throws {
        try await TestServer.with(configure: {
            Self.asInProduction(&$0)
            $0.limits.maxConnections = 2
            $0.limits.maxStreamsPerKey = 1
        }) { server in
            var holders: [RawConnection] = [try RawConnection(port: server.port), try RawConnection(port: server.port)]
            #expect(try await eventually { server.application.openConnectionCount == 2 })
            let extra = try RawConnection(port: server.port)
            try extra.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            let (closed, answer) = await extra.readUntilClosed(timeout: .seconds(30))
            #expect(closed, "\(closed ? "" : extra.serverEnd())")
            #expect(answer.hasPrefix("HTTP/1.1 503"), "\(answer)")
            #expect(answer.lowercased().contains("retry-after: 1\r\n"), "\(answer)")
            #expect(answer.contains(#""code":"unavailable""#), "\(answer)")
            #expect(server.application.openConnectionCount == 2)
            holders.removeFirst()
            #expect(try await eventually { server.application.openConnectionCount == 1 })
            #expect(try await server.send("GET", "/healthz", as: .none).status == 200)
            _ = holders
        }
    }

    @Test func anExportLargerThanOneMebibyteImportsBack() async throws {
        // FoundationNetworking sends a large body slowly (below): the request deadline must allow it.
        try await TestServer.with(configure: { Self.asInProduction(&$0); $0.limits.requestTimeout = .seconds(120) }) { server in
            try await Self.seed(server)
            try await Self.addLargeCohort(server, members: 70_000)
            let export = try await server.send("GET", "/api/v1/export")
            #expect(export.status == 200)
            #expect(export.body.count > 1 << 20)
            // FoundationNetworking uploads a body this size slowly (16 s here, where curl takes 2 s).
            let back = try await server.send("POST", "/api/v1/import?dryRun=true", data: export.body, timeout: 120)
            #expect(back.status == 200, "import answered \(back.status): \(back.text.prefix(300))")
        }
    }

    @Test func unknownFieldsInAdminBodiesAreRefused() async throws {
        try await TestServer.with(configure: Self.asInProduction) { server in
            try await Self.seed(server)
            try await server.send("POST", "/api/v1/flags/new-checkout/environments/production/off")
            let rollback = try await server.send("POST", "/api/v1/flags/new-checkout/rollback", body: #"{"revison": 1}"#)
            #expect(rollback.status == 400)
            #expect(rollback.errorField == "revison")
            #expect(rollback["error.message"]?.stringValue?.contains("unknown field") == true)
            let history = try await server.send("GET", "/api/v1/flags/new-checkout/revisions")
            #expect(history["revisions"]?.arrayCount == 2)
            let nested = try await server.send("POST", "/api/v1/flags", body: """
                {"key": "typo", "environments": {"production": {"enabeld": true}}}
                """)
            #expect(nested.status == 400)
            #expect(nested.errorField == "environments.production.enabeld")
        }
    }

    @Test(arguments: [".", ".."])
    func keysThatAURLPathCannotAddressAreRefused(key: String) async throws {
        try await TestServer.with(configure: Self.asInProduction) { server in
            let reply = try await server.send("POST", "/api/v1/flags", body: #"{"key": "\#(key)"}"#)
            #expect(reply.status == 400)
            #expect(reply.errorField == "key")
        }
    }
}
