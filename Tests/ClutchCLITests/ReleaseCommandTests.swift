import ClutchCore
import Foundation
import ServerTestSupport
import Testing

@Suite("clutch release")
struct ReleaseCommandTests {
    /// Sends a usage report of rollout-decided evaluations with an SDK key, as a fleet would:
    /// having fetched the flags first (the guard does not count a key that has served nothing).
    static func report(_ server: TestServer, key: String, flag: String, new: Int, newErrors: Int, other: Int, otherErrors: Int) async throws {
        try await server.mustSend("GET", "/sdk/v1/flags", as: .bearer(key))
        try await server.mustSend("POST", "/sdk/v1/usage", body: """
            {"counts": [{"flag": "\(flag)", "variant": "on", "count": \(new), "errors": \(newErrors), "rollout": true},
                        {"flag": "\(flag)", "variant": "off", "count": \(other), "errors": \(otherErrors), "rollout": true}]}
            """, as: .bearer(key), expected: 202)
    }

    @Test("start, status with figures, a bad deploy rolled back by clutch-guard; --json everywhere")
    func startStatusRollback() async throws {
        let server = try await TestServer.shared.get()
        let flag = uniqueKey("guarded")
        #expect(try await server.clutch("flags", "create", flag).status == 0)
        let created = try await server.clutch("keys", "create", "--env", "production", "--json").json()
        let key = try #require(created["key"]?.string)
        let keyID = try #require(created["id"]?.string)

        let started = try await server.clutch(
            "release", "start", flag, "--env", "production", "--variant", "on", "--by", "customerId", "--steps", "10,50,100",
            "--step-duration", "2s", "--min-samples", "100", "--max-error-ratio", "1.5", "-m", "deploy 42", "--json")
        #expect(started.status == 0, "\(started)")
        let json = try started.json()
        #expect(json["state"]?.string == "running")
        #expect(json["bucketBy"]?.string == "customerId")
        #expect(json["stepDuration"] == .integer(2) || json["stepDuration"] == .double(2))

        let text = try await server.clutch("release", "status", flag, "--env", "production")
        #expect(text.status == 0)
        #expect(text.stdout.contains("running, step 1/3 at 10 %"), "\(text)")
        #expect(text.stdout.contains("new 'on'"))

        var rolledBack = false
        for _ in 0..<100 where !rolledBack {
            try await Self.report(server, key: key, flag: flag, new: 100, newErrors: 10, other: 900, otherErrors: 9)
            rolledBack = try await server.clutch("release", "status", flag, "--env", "production", "--json").json()["state"]?.string == "rolled_back"
            if !rolledBack { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(rolledBack)
        let after = try await server.clutch("release", "status", flag, "--env", "production")
        #expect(after.stdout.contains("rolled_back"))
        #expect(after.stdout.contains("by clutch-guard"), "\(after)")
        #expect(after.stdout.contains("Verdict: worse"))
        // Each reporter's contribution: here the key itself (reports without an instance id).
        #expect(after.stdout.contains("Reporters (1):"), "\(after)")
        #expect(after.stdout.contains(keyID) && after.stdout.contains("counted"), "\(after)")
        let audit = try await server.clutch("audit", "--flag", flag, "--json")
        #expect(audit.stdout.contains("clutch-guard"))
        let resume = try await server.clutch("release", "resume", flag, "--env", "production")
        #expect(resume.status == 1)
        #expect(resume.stderr.contains("start a new one"), "\(resume)")
    }

    @Test("pause, resume and abort")
    func pauseResumeAbort() async throws {
        let server = try await TestServer.shared.get()
        let flag = uniqueKey("paused")
        #expect(try await server.clutch("flags", "create", flag).status == 0)
        #expect(try await server.clutch("release", "start", flag, "--env", "staging", "--step-duration", "1h").status == 0)
        let paused = try await server.clutch("release", "pause", flag, "--env", "staging", "-m", "lunch", "--json")
        #expect(try paused.json()["state"]?.string == "paused", "\(paused)")
        #expect(try paused.json()["reason"]?.string?.contains("lunch") == true)
        let resumed = try await server.clutch("release", "resume", flag, "--env", "staging")
        #expect(resumed.status == 0)
        #expect(resumed.stdout.contains("running"))
        let aborted = try await server.clutch("release", "abort", flag, "--env", "staging", "--json")
        #expect(try aborted.json()["state"]?.string == "aborted")
        #expect(try aborted.json()["percent"] == .integer(0) || aborted.json()["percent"] == .double(0))
    }

    @Test("release start at 50 % says 'was 50%' and keeps 50 %; abort returns to 50 % in one revision, even after a change by hand")
    func startsWhereTheFlagIsAndAbortsBack() async throws {
        let server = try await TestServer.shared.get()
        let flag = uniqueKey("halfway")
        #expect(try await server.clutch("flags", "create", flag).status == 0)
        #expect(try await server.clutch("on", flag, "--env", "production").status == 0)
        let rollout = try await server.clutch("rollout", flag, "--env", "production", "--percent", "50")
        #expect(rollout.status == 0, "\(rollout)")
        let before = try await server.clutch("flags", "get", flag, "--json").json()["flag"]?["environments"]?["production"]

        let started = try await server.clutch("release", "start", flag, "--env", "production", "--step-duration", "10m")
        #expect(started.status == 0, "\(started)")
        #expect(started.stdout.contains(
            "Release started: \(flag) in production at 50 % (was 50% on / 50% off by targetingKey); next 100 % after 10m"), "\(started)")
        #expect(started.stdout.contains("step 1/2 at 50 %"), "\(started)")
        // Someone widens it by hand meanwhile (the release pauses); abort still returns to the state before the release.
        #expect(try await server.clutch("rollout", flag, "--env", "production", "--percent", "60").status == 0)
        let revisions = try await server.clutch("history", flag, "--json").json()["revisions"]?.array?.count ?? -1

        let aborted = try await server.clutch("release", "abort", flag, "--env", "production", "-m", "not today")
        #expect(aborted.status == 0, "\(aborted)")
        #expect(aborted.stdout.contains("aborted"), "\(aborted)")
        #expect(aborted.stdout.contains("back to 50% on / 50% off by targetingKey as before the release"), "\(aborted)")
        #expect(try await server.clutch("history", flag, "--json").json()["revisions"]?.array?.count == revisions + 1, "one revision")
        let after = try await server.clutch("flags", "get", flag, "--json").json()["flag"]?["environments"]?["production"]
        #expect(after == before, "the state before the release")
    }

    @Test("a start that cannot continue is refused naming it; --restart-from 1 lowers explicitly; abort --to 0")
    func restartFromLowersExplicitly() async throws {
        let server = try await TestServer.shared.get()
        let flag = uniqueKey("restart")
        #expect(try await server.clutch("flags", "create", flag).status == 0)
        #expect(try await server.clutch("on", flag, "--env", "production").status == 0)
        #expect(try await server.clutch("rollout", flag, "--env", "production", "--percent", "50", "--by", "customerId").status == 0)

        let refused = try await server.clutch("release", "start", flag, "--env", "production")
        #expect(refused.status == 1, "\(refused)")
        #expect(refused.stderr.contains("50% on / 50% off by customerId") && refused.stderr.contains("--restart-from"), "\(refused)")
        #expect(try await server.clutch("release", "status", flag, "--env", "production").status == 1, "nothing started")
        let outOfRange = try await server.clutch("release", "start", flag, "--env", "production", "--restart-from", "100")
        #expect(outOfRange.status == 2, "\(outOfRange)")
        #expect(outOfRange.stderr.contains("--restart-from"))

        let restarted = try await server.clutch("release", "start", flag, "--env", "production", "--restart-from", "1", "--json")
        #expect(restarted.status == 0, "\(restarted)")
        #expect(try restarted.json()["percent"] == .integer(1) || restarted.json()["percent"] == .double(1), "\(restarted)")
        #expect(try restarted.json()["replaced"]?["text"]?.string == "50% on / 50% off by customerId")

        let badTo = try await server.clutch("release", "abort", flag, "--env", "production", "--to", "5")
        #expect(badTo.status == 2, "\(badTo)")
        let zero = try await server.clutch("release", "abort", flag, "--env", "production", "--to", "0", "--json")
        #expect(zero.status == 0, "\(zero)")
        #expect(try zero.json()["percent"] == .integer(0) || zero.json()["percent"] == .double(0))
        let weights = try await server.clutch("flags", "get", flag, "--json").json()["flag"]?["environments"]?["production"]?["default"]?["rollout"]?["weights"]
        #expect(weights?[0]?["weight"]?.int == 0, "\(String(describing: weights))")
    }

    @Test("bad options: exit 2 with one line, nothing started", arguments: [
        (["--step-duration", "0.5s"], "--step-duration"),
        (["--step-duration", "soon"], "--step-duration"),
        (["--steps", "10,5,100"], "--steps"),
        (["--steps", "10,x"], "--steps"),
        (["--min-samples", "0"], "--min-samples"),
        (["--max-error-ratio", "0.5"], "--max-error-ratio"),
    ] as [([String], String)])
    func badOptions(_ extra: [String], _ option: String) async throws {
        let server = try await TestServer.shared.get()
        let flag = uniqueKey("refused")
        #expect(try await server.clutch("flags", "create", flag).status == 0)
        let result = try await server.clutch(arguments: ["release", "start", flag, "--env", "production"] + extra)
        #expect(result.status == 2, "\(result)")
        #expect(result.stderr.contains(option), "\(result)")
        #expect(result.stderr.split(separator: "\n").count <= 2)
        let status = try await server.clutch("release", "status", flag, "--env", "production")
        #expect(status.status == 1)
        let missingEnv = try await server.clutch("release", "status", flag)
        #expect(missingEnv.status == 2)
    }
}
