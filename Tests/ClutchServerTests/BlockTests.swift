import ClutchCore
@testable import ClutchServer
import ClutchStore
import Foundation
import ProcessTestSupport
import ServerTestSupport
import TestSupport
import Testing

/// Anyone can block, end to end: a real server on a ``TestClock`` and the real `clutch` binary,
/// run by a viewer and by the owner. A block holds a running release at its step (judged by the
/// release's state after the runner's turns, not by waiting), refuses widening changes naming
/// who and why, lets `kill` through at once, and ends at its `until` with nothing having to run.
@Suite("Blocks")
struct BlockTests {
    static let start = Date(timeIntervalSince1970: 1_796_000_000)

    /// Runs the real `clutch` with `token` against `server`, nothing of the developer's own settings.
    static func clutch(_ server: TestServer, token: String, _ arguments: String...) async throws -> Subprocess.Outcome {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("clutch-home-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }
        return try await Subprocess.run([try ClutchBinary.require()] + arguments, environment: [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": home.path, "NO_COLOR": "1",
            "CLUTCH_URL": server.address, "CLUTCH_TOKEN": token, "CLUTCH_TIMEOUT": "25",
            "CLUTCH_CONFIG": home.appendingPathComponent("config.json").path,
        ])
    }

    /// A viewer, vera@example.com, and her personal token's secret.
    static func viewer(_ server: TestServer) async throws -> String {
        let services = server.application.services
        let admin = ChangeInfo(actor: "test")
        let (person, _) = try await services.store.createPerson(PersonCreate(email: "vera@example.com", role: .viewer), change: admin)
        let (_, secret) = try await services.store.createToken(TokenCreate(name: "laptop"), personID: person.id, change: admin)
        try await services.refreshCredentials()
        return secret
    }

    @Test("a viewer blocks a flag: its release holds for two step durations, the owner's clutch on is refused naming her, clutch unblock resumes it", arguments: ServerBackend.allCases)
    func aViewersBlockHoldsTheReleaseUntilUnblocked(_ backend: ServerBackend) async throws {
        let clock = TestClock(now: Self.start)
        try await TestServer.with(backend, configure: TestServer.on(clock)) { server in
            let vera = try await Self.viewer(server)
            let owner = TestServer.adminToken
            try await server.createFlag(ReleaseTests.flag)
            try await server.createFlag(#"{"key": "dark-mode", "environments": {"production": {"enabled": false}}}"#)
            let (_, key) = try await server.createKey("production")
            try await ReleaseTests.start(server, #"{"steps": [10, 50, 100], "stepDuration": 2, "minSamples": 100}"#)

            for flag in ["new-checkout", "dark-mode"] {
                let blocked = try await Self.clutch(server, token: vera, "block", flag, "--env", "production", "--reason", "payments incident")
                #expect(blocked.status == 0, "\(blocked.stdout) \(blocked.stderr)")
                #expect(blocked.stdout.contains("Blocked \(flag) in production"), "\(blocked.stdout)")
            }
            // Twelve turns of half a second: three step durations of a healthy fleet, and no step.
            for _ in 0..<12 {
                try await ReleaseTests.report(server, key: key, evaluations: 1000, newRate: 0.01, otherRate: 0.01)
                try await server.releaseTurn()
            }
            let held = try await ReleaseTests.status(server)
            #expect(held["state"] == .string("running"), "\(held.text)")
            #expect(held["percent"]?.numberValue == 10, "\(held.text)")
            #expect(held["verdict"] == .string("healthy"), "without the block it would have widened: \(held.text)")
            #expect((held["secondsInStep"]?.numberValue ?? 0) >= 4, "\(held.text)")
            #expect(held["reason"] == .string("held: blocked by vera@example.com: payments incident"), "\(held.text)")
            let status = try await Self.clutch(server, token: owner, "release", "status", "new-checkout", "--env", "production")
            #expect(status.stdout.contains("held: blocked by vera@example.com"), "\(status.stdout)")

            // The owner cannot force it: 409 `blocked`, exit 1 with that one line; nothing changed.
            let on = try await Self.clutch(server, token: owner, "on", "dark-mode", "--env", "production")
            #expect(on.status == 1)
            #expect(on.stderr.contains("dark-mode in production is blocked by vera@example.com: payments incident"), "\(on.stderr)")
            let refused = try await server.send("POST", "/api/v1/flags/dark-mode/environments/production/on")
            #expect(refused.status == 409)
            #expect(refused.errorCode == "blocked")
            #expect(try await server.send("GET", "/api/v1/flags/dark-mode")["flag.environments.production.enabled"] == .bool(false))
            // Everyone sees who blocked, and why.
            let listed = try await Self.clutch(server, token: owner, "blocks", "list", "--env", "production")
            #expect(listed.stdout.contains("vera@example.com") && listed.stdout.contains("payments incident"), "\(listed.stdout)")

            let unblocked = try await Self.clutch(server, token: vera, "unblock", "new-checkout", "--env", "production")
            #expect(unblocked.status == 0, "\(unblocked.stderr)")
            let widened = try await ReleaseTests.drive(server, key: key, newRate: 0.01, otherRate: 0.01, turns: 20) {
                try await ReleaseTests.status($0)["percent"]?.numberValue == 50
            }
            let after = try await ReleaseTests.status(server)
            #expect(widened, "\(after.text)")
            #expect(after["reason"] == nil || after["reason"] == .null, "\(after.text)")
            // dark-mode is still blocked.
            #expect(try await Self.clutch(server, token: owner, "on", "dark-mode", "--env", "production").status == 1)
        }
    }

    @Test("kill applies at once in a frozen environment; an expired block no longer holds; only the blocker or an owner unblocks")
    func killPassesAFreezeAndABlockEndsAtItsUntil() async throws {
        let clock = TestClock(now: Self.start)
        try await TestServer.with(configure: TestServer.on(clock)) { server in
            let vera = try await Self.viewer(server)
            let owner = TestServer.adminToken
            try await server.createFlag(#"{"key": "search", "environments": {"production": {"enabled": true}, "staging": {"enabled": false}}}"#)
            // Given with milliseconds, printed in whole seconds.
            let until = Timestamp.formatSeconds(Self.start.addingTimeInterval(3600))
            let frozen = try await Self.clutch(
                server, token: vera, "block", "--env", "production", "--all", "--reason", "freeze",
                "--until", Timestamp.format(Self.start.addingTimeInterval(3600)))
            #expect(frozen.status == 0, "\(frozen.stderr)")
            #expect(frozen.stdout.contains("by vera@example.com until \(until): freeze"), "\(frozen.stdout)")
            let staging = try await Self.clutch(server, token: vera, "block", "search", "--env", "staging", "--reason", "flaky")
            #expect(staging.status == 0, "\(staging.stderr)")

            let killed = try await Self.clutch(server, token: owner, "kill", "search", "--env", "production")
            #expect(killed.status == 0, "\(killed.stderr)")
            #expect(try await server.send("GET", "/api/v1/flags/search")["flag.environments.production.enabled"] == .bool(false))
            let on = try await Self.clutch(server, token: owner, "on", "search", "--env", "production")
            #expect(on.status == 1)
            #expect(on.stderr.contains("production is blocked by vera@example.com until \(until): freeze"), "\(on.stderr)")

            // A second viewer may not lift vera's block; the owner may.
            let (person, _) = try await server.application.services.store.createPerson(
                PersonCreate(email: "bob@example.com", role: .viewer), change: ChangeInfo(actor: "test"))
            let (_, bob) = try await server.application.services.store.createToken(
                TokenCreate(name: "laptop"), personID: person.id, change: ChangeInfo(actor: "test"))
            try await server.application.services.refreshCredentials()
            // bob blocks it too (a second later: blocks list oldest first): his unblock by flag lifts
            // his own block only, and says which stays.
            clock.advance(by: .seconds(1))
            #expect(try await Self.clutch(server, token: bob, "block", "search", "--env", "staging", "--reason", "mine").status == 0)
            let blocks = try await server.send("GET", "/api/v1/blocks?environment=staging")
            let verasID = try #require(blocks["blocks[0].id"]?.stringValue), bobsID = try #require(blocks["blocks[1].id"]?.stringValue)
            let his = try await Self.clutch(server, token: bob, "unblock", "search", "--env", "staging")
            #expect(his.status == 0, "\(his.stderr)")
            #expect(his.stdout.contains("Unblocked search in staging (\(bobsID))."), "\(his.stdout)")
            #expect(his.stdout.contains("Still blocked: \(verasID) by vera@example.com: flaky"), "\(his.stdout)")
            let notHis = try await Self.clutch(server, token: bob, "unblock", "search", "--env", "staging")
            #expect(notHis.status == 1)
            #expect(notHis.stderr.contains("only vera@example.com, who blocked it, or an owner may"), "\(notHis.stderr)")
            // The list shows each block's id; the owner lifts vera's by it.
            let listed = try await Self.clutch(server, token: owner, "blocks", "list", "--env", "staging")
            #expect(listed.stdout.contains(verasID) && !listed.stdout.contains(bobsID), "\(listed.stdout)")
            let byID = try await Self.clutch(server, token: owner, "unblock", "--id", verasID)
            #expect(byID.status == 0, "\(byID.stderr)")
            #expect(byID.stdout.contains("Unblocked search in staging (\(verasID))."), "\(byID.stdout)")
            #expect(try await Self.clutch(server, token: owner, "on", "search", "--env", "staging").status == 0)

            // At its end the freeze no longer holds: nothing ran, the clock moved.
            clock.advance(by: .seconds(3600))
            let later = try await Self.clutch(server, token: owner, "on", "search", "--env", "production")
            #expect(later.status == 0, "\(later.stderr)")
            #expect(try await server.send("GET", "/api/v1/blocks")["blocks"]?.arrayCount == 0)
            let audit = try await server.send("GET", "/api/v1/audit?limit=20").text
            #expect(audit.contains(#""action":"block""#) || audit.contains(#""action": "block""#), "\(audit)")
        }
    }
}
