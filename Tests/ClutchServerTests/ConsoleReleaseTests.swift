import ClutchCore
import ClutchStore
import Foundation
import ServerTestSupport
import TestSupport
import Testing

@testable import ClutchServer

/// The flag page's release card (issue 27): a guarded release started from the console with its
/// policy, watched as both sides' error rates drawn over time from the samples the runner
/// records, paused, resumed and aborted through the store's release functions; refusals beside
/// the field at fault with the input kept — the policy's validation, the store's, a review
/// required, a block, and the one access policy.
@Suite("Console: guarded releases")
struct ConsoleReleaseTests {
    static let flag = #"{"key": "ramp", "environments": {"production": {"enabled": false}}}"#

    /// The start form as a browser sends it, with `changes` replacing fields.
    static func startForm(_ csrf: String, env: String, _ changes: [String: String] = [:]) -> [(String, String)] {
        var fields: [String: String] = [
            "csrf": csrf, "env": env, "releaseVariant": "on", "releaseBucketBy": "targetingKey", "releaseSteps": "10,50,100",
            "releaseStepDuration": "4s", "releaseMinSamples": "100", "releaseMaxErrorRatio": "3", "releaseRestartFrom": "",
            "releaseMessage": "deploy 42", "confirm": env,
        ]
        fields.merge(changes) { _, new in new }
        return fields.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    static func state(_ server: TestServer, env: String = "production") async throws -> String? {
        try await server.send("GET", "/api/v1/flags/ramp/environments/\(env)/release")["state"]?.stringValue
    }

    @Test func aReleaseStartedFromTheFlagPageDrawsBothSidesErrorRatesAndIsPausedResumedAndAborted() async throws {
        let clock = TestClock(now: Date(timeIntervalSince1970: 1_796_639_400))
        try await TestServer.with(configure: TestServer.on(clock)) { server in
            try await server.createFlag(Self.flag)
            let (_, key) = try await server.createKey("production")
            let client = try await ConsoleTests.signIn(server)
            let before = try await client.get("/ui/flags/ramp?env=production").body
            #expect(before.contains("No guarded release of this flag in production yet."))
            #expect(before.contains("Start a guarded release"))
            let csrf = try await ConsoleTests.csrf(client)

            let started = try await client.post("/ui/flags/ramp/release/start", form: Self.startForm(csrf, env: "production"))
            #expect(started.status == 303, "\(started.body.prefix(2000))")
            #expect(started.location?.contains("done=release-started") == true)
            let status = try await server.send("GET", "/api/v1/flags/ramp/environments/production/release")
            #expect(status["state"] == .string("running"))
            #expect(status["percent"]?.numberValue == 10)
            #expect(status["message"] == .string("deploy 42"))
            #expect(status["steps"]?.arrayValue?.compactMap(\.numberValue) == [10, 50, 100])
            #expect(status["samples"] == .array([]), "nothing weighed yet")
            let running = try await client.get("/ui/flags/ramp?env=production").body
            #expect(running.contains(#"id="release-state">running</span>"#))
            #expect(running.contains(#"data-poll="true""#), "the card refreshes itself while the release runs")
            #expect(running.contains("No usage weighed yet"))
            #expect(!running.contains(#"id="release-start""#), "no second start while one runs")

            // The fleet reports: the new side errs twice as often. Each turn weighs one report.
            for _ in 0..<3 {
                try await Self.report(server, key: key)
                try await server.releaseTurn()
            }
            let samples = try await server.send("GET", "/api/v1/flags/ramp/environments/production/release")["samples"]?.arrayValue ?? []
            #expect(samples.count == 3, "one sample per turn that weighed a report")
            #expect(samples.first?.at("new.evaluations")?.numberValue == 100)
            #expect(samples.first?.at("new.errors")?.numberValue == 2)
            #expect(samples.first?.at("other.evaluations")?.numberValue == 900)
            #expect(samples.first?.at("other.errors")?.numberValue == 9)
            let watched = try await client.get("/ui/flags/ramp?env=production").body
            #expect(watched.contains(#"<svg class="chart" id="release-chart""#))
            #expect(watched.contains(#"aria-labelledby="release-chart-title release-chart-desc""#))
            #expect(watched.components(separatedBy: #"<circle class="new""#).count - 1 == 3, "a point per sample on the new side")
            #expect(watched.components(separatedBy: #"<circle class="other""#).count - 1 == 3, "and on the other side")
            #expect(watched.contains("UTC: 2 errors / 100 evaluations (2 %)</title>"))
            #expect(watched.contains("UTC: 9 errors / 900 evaluations (1 %)</title>"))
            #expect(watched.contains("error rates up to 2 %. Latest, at 10 %: new “on” 2 %, other 1 %."), "the text alternative")
            #expect(watched.contains(#"<polyline class="new" points=""#))
            // Both lines: the new side (2 %) at the top of a 2 % scale (10 units down), the other (1 %) halfway.
            let newPoints = try #require(Self.attribute(watched, after: #"<polyline class="new" points=""#))
            let otherPoints = try #require(Self.attribute(watched, after: #"<polyline class="other" points=""#))
            #expect(newPoints.split(separator: " ").allSatisfy { $0.hasSuffix(",10") }, "\(newPoints)")
            #expect(otherPoints.split(separator: " ").allSatisfy { $0.hasSuffix(",75") }, "\(otherPoints)")
            #expect(watched.contains("Next step, to 50 %, at "))

            let paused = try await client.post("/ui/flags/ramp/release/pause", form: [("csrf", csrf), ("env", "production")])
            #expect(paused.status == 303)
            #expect(paused.location == "/ui/flags/ramp?env=production&done=release-paused#release")
            #expect(try await Self.state(server) == "paused")
            let pausedPage = try await client.get("/ui/flags/ramp?env=production&done=release-paused").body
            #expect(pausedPage.contains("Release paused: it stays at its step until resumed."))
            #expect(pausedPage.contains(#"id="release-resume">Resume at 10 %</button>"#))
            #expect(!pausedPage.contains(#"id="release-pause""#))

            // Resuming in production changes the flag: its name typed, or nothing happens.
            let unconfirmed = try await client.post("/ui/flags/ramp/release/resume", form: [("csrf", csrf), ("env", "production")])
            #expect(unconfirmed.status == 400)
            #expect(unconfirmed.body.contains(#"id="release-move-problem">To change production, type its name"#))
            #expect(try await Self.state(server) == "paused")
            let resumed = try await client.post(
                "/ui/flags/ramp/release/resume", form: [("csrf", csrf), ("env", "production"), ("confirm", "production")])
            #expect(resumed.status == 303)
            #expect(try await Self.state(server) == "running")

            let aborted = try await client.post(
                "/ui/flags/ramp/release/abort", form: [("csrf", csrf), ("env", "production"), ("confirm", "production")])
            #expect(aborted.status == 303)
            #expect(try await Self.state(server) == "aborted")
            #expect(try await ConsoleTests.enabled(server, "ramp", "production") == false, "back to what it served before: off")
            let ended = try await client.get("/ui/flags/ramp?env=production").body
            #expect(ended.contains(#"id="release-state">aborted</span>"#))
            #expect(ended.contains(#"id="release-chart""#), "an ended release keeps its chart")
            #expect(ended.contains(#"id="release-start""#), "and a new one may start")
            #expect(!ended.contains(#"data-poll="true""#))
            let history = try await server.send("GET", "/api/v1/flags/ramp/environments/production/release")["transitions"]?.arrayValue ?? []
            #expect(history.compactMap { $0.at("kind")?.stringValue } == ["started", "paused", "resumed", "aborted"])
        }
    }

    @Test func aRefusedStartComesBackBesideItsFieldWithTheInputKeptAndStartsNothing() async throws {
        try await TestServer.with { server in
            try await server.createFlag(Self.flag)
            let client = try await ConsoleTests.signIn(server)
            let csrf = try await ConsoleTests.csrf(client)
            func start(_ env: String, _ changes: [String: String]) async throws -> ConsoleClient.Answer {
                try await client.post("/ui/flags/ramp/release/start", form: Self.startForm(csrf, env: env, changes))
            }

            let steps = try await start("production", ["releaseSteps": "1,5,50"])
            #expect(steps.status == 400)
            #expect(steps.body.contains(#"id="releaseSteps-problem">steps: the last step must be 100. Nothing was started."#), "\(steps.body)")
            #expect(steps.body.contains(#"name="releaseSteps" type="text" value="1,5,50""#), "the input is kept")
            #expect(steps.body.contains(#"name="releaseMessage" type="text" maxlength="500" value="deploy 42""#))

            let duration = try await start("production", ["releaseStepDuration": "soon"])
            #expect(duration.body.contains(#"id="releaseStepDuration-problem">Step duration: “soon” is not a duration"#))
            let variant = try await start("production", ["releaseVariant": "blue"])
            #expect(variant.status == 400)
            #expect(variant.body.contains(#"id="releaseVariant-problem">flag"#), "\(variant.body)")
            let confirm = try await start("production", ["confirm": "prod"])
            #expect(confirm.body.contains(#"id="releaseConfirm-problem">To change production, type its name"#))

            // Starting widens exposure: a block refuses it, a protected environment needs review.
            let block = try await server.send("POST", "/api/v1/blocks", body: #"{"environment": "staging", "flag": "ramp", "reason": "incident 7"}"#)
            #expect(block.status == 201, "\(block.text)")
            let blocked = try await start("staging", [:])
            #expect(blocked.status == 400)
            #expect(blocked.body.contains(#"id="release-problem">Blocked: "#), "\(blocked.body)")
            #expect(blocked.body.contains("incident 7"))
            let protection = try await server.send(
                "PATCH", "/api/v1/environments/development", body: #"{"protection": {"requiredApprovals": 1, "allowSelfApproval": true}}"#)
            #expect(protection.status == 200, "\(protection.text)")
            let review = try await start("development", [:])
            #expect(review.body.contains(#"id="release-problem">Review required: development is protected"#), "\(review.body)")

            for env in ["production", "staging", "development"] {
                #expect(try await server.send("GET", "/api/v1/flags/ramp/environments/\(env)/release").status == 404, "nothing started in \(env)")
            }
        }
    }

    @Test func aViewerSeesNoReleaseControlsAndAResponderMayPauseButNotStart() async throws {
        try await TestServer.with { server in
            try await server.createFlag(Self.flag)
            _ = try await SignInTests.invite(server, "viewer@example.com", role: .viewer)
            _ = try await SignInTests.invite(server, "responder@example.com", role: .responder)
            let viewer = try await SignInTests.signIn(server, "viewer@example.com")
            let responder = try await SignInTests.signIn(server, "responder@example.com")
            let page = try await viewer.get("/ui/flags/ramp?env=staging").body
            #expect(!page.contains(#"id="release-start""#))
            #expect(page.contains("Not shown: viewer@example.com is a viewer in staging; changing it needs editor."))
            let refused = try await viewer.post(
                "/ui/flags/ramp/release/start", form: Self.startForm(try await ConsoleTests.csrf(viewer), env: "staging"))
            #expect(refused.status == 403)
            #expect(try await Self.state(server, env: "staging") == nil)

            let admin = try await ConsoleTests.signIn(server)
            let started = try await admin.post("/ui/flags/ramp/release/start", form: Self.startForm(try await ConsoleTests.csrf(admin), env: "staging"))
            #expect(started.status == 303)
            let responderPage = try await responder.get("/ui/flags/ramp?env=staging").body
            #expect(responderPage.contains(#"id="release-pause""#))
            #expect(responderPage.contains(#"id="release-abort""#))
            let token = try await ConsoleTests.csrf(responder)
            let viewerPause = try await viewer.post("/ui/flags/ramp/release/pause", form: [("csrf", try await ConsoleTests.csrf(viewer)), ("env", "staging")])
            #expect(viewerPause.status == 403)
            #expect(try await Self.state(server, env: "staging") == "running")
            let paused = try await responder.post("/ui/flags/ramp/release/pause", form: [("csrf", token), ("env", "staging")])
            #expect(paused.status == 303)
            #expect(try await Self.state(server, env: "staging") == "paused")
            let resume = try await responder.post("/ui/flags/ramp/release/resume", form: [("csrf", token), ("env", "staging")])
            #expect(resume.status == 403, "resuming widens again: an editor's")
            #expect(try await Self.state(server, env: "staging") == "paused")
        }
    }

    /// One usage report of `flag` by a fleet at 10 %: 100 rollout-decided evaluations of 'on'
    /// with 2 errors, 900 of 'off' with 9. The fleet has fetched the flags, as SDKs do first.
    static func report(_ server: TestServer, key: String, flag: String = "ramp") async throws {
        guard try await server.send("GET", "/sdk/v1/flags", as: .bearer(key)).status == 200 else { throw TestFailure("the fleet fetched no flags") }
        let body = """
            {"counts": [
              {"flag": "\(flag)", "variant": "on", "count": 100, "errors": 2, "rollout": true},
              {"flag": "\(flag)", "variant": "off", "count": 900, "errors": 9, "rollout": true}
            ]}
            """
        let reply = try await server.send("POST", "/sdk/v1/usage", body: body, as: .bearer(key))
        guard reply.status == 202 else { throw TestFailure("usage report refused: \(reply.status) \(reply.text)") }
    }

    /// The value of the attribute that starts right after `prefix`.
    static func attribute(_ html: String, after prefix: String) -> String? {
        guard let range = html.range(of: prefix) else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }
}
