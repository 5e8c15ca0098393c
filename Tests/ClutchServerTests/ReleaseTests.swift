import ClutchCore
import ClutchStore
import Foundation
import ServerTestSupport
import TestSupport
import Testing

@testable import ClutchServer

/// Guarded releases end to end: a real server on a ``TestClock``, second-long steps, and a
/// simulated fleet that reports rollout-decided evaluations and errors with an SDK key
/// (`POST /sdk/v1/usage`). Time moves half a second per turn of the release runner, after each
/// report, so a step lasts as many turns on a loaded machine as on an idle one.
@Suite("Guarded releases")
struct ReleaseTests {
    static let flag = #"{"key": "new-checkout", "environments": {"production": {"enabled": false}}}"#
    static let release = "/api/v1/flags/new-checkout/environments/production/release"

    /// Starts a release and returns the answer, failing unless it is 201.
    @discardableResult
    static func start(_ server: TestServer, _ body: String) async throws -> Reply {
        let reply = try await server.send("POST", release, body: body, headers: ["X-Clutch-Message": "deploy 42"])
        guard reply.status == 201 else { throw TestFailure("starting the release failed: \(reply.status) \(reply.text)") }
        return reply
    }

    static func status(_ server: TestServer) async throws -> Reply {
        try await server.send("GET", release)
    }

    /// One usage report of a fleet of `evaluations` rollout-decided evaluations split by the
    /// release's current percentage, with the given error rates per side. The fleet has fetched
    /// the flags, as SDKs do first (the guard does not count a key that has served nothing).
    static func report(
        _ server: TestServer, key: String, evaluations: Int64, newRate: Double, otherRate: Double
    ) async throws {
        let fetched = try await server.send("GET", "/sdk/v1/flags", as: .bearer(key))
        guard fetched.status == 200 else { throw TestFailure("fetching the flags failed: \(fetched.status)") }
        let percent = try await status(server)["percent"]?.numberValue ?? 0
        let new = Int64((Double(evaluations) * percent / 100).rounded())
        let other = evaluations - new
        let body = """
            {"counts": [
              {"flag": "new-checkout", "variant": "on", "count": \(new), "errors": \(Int64((Double(new) * newRate).rounded())), "rollout": true},
              {"flag": "new-checkout", "variant": "off", "count": \(other), "errors": \(Int64((Double(other) * otherRate).rounded())), "rollout": true}
            ], "from": "2026-11-30T10:00:00Z", "to": "2026-11-30T10:00:05Z"}
            """
        let reply = try await server.send("POST", "/sdk/v1/usage", body: body, as: .bearer(key))
        guard reply.status == 202 else { throw TestFailure("usage report refused: \(reply.status) \(reply.text)") }
    }

    /// The fleet's life on a server on a ``TestClock``: one ``report(_:key:evaluations:newRate:otherRate:)``
    /// of 1,000 evaluations, then one turn of the release runner half a second on, until `done`
    /// holds (true) or `turns` turns have passed (false).
    static func drive(
        _ server: TestServer, key: String, newRate: Double, otherRate: Double, turns: Int = 120,
        until done: (TestServer) async throws -> Bool
    ) async throws -> Bool {
        for _ in 0..<turns {
            try await report(server, key: key, evaluations: 1000, newRate: newRate, otherRate: otherRate)
            try await server.releaseTurn()
            if try await done(server) { return true }
        }
        return false
    }

    @Test("errors 10× the other side's: rolled back before the second step, everyone gets the old variant, audited as clutch-guard", arguments: ServerBackend.allCases)
    func badDeployRollsBack(_ backend: ServerBackend) async throws {
        let receiver = try await WebhookReceiver(secret: WebhookTests.secret)
        defer { receiver.stop() }
        let clock = TestClock()
        try await TestServer.with(backend, configure: { WebhookTests.localReceivers(&$0); TestServer.on(clock)(&$0) }) { server in
            _ = try await WebhookTests.createHook(server, receiver.url, events: #"["release.step", "release.rolled_back"]"#)
            try await server.createFlag(Self.flag)
            let (_, key) = try await server.createKey("production")
            let started = try await Self.start(
                server, #"{"steps": [10, 50, 100], "stepDuration": 2, "minSamples": 200, "maxErrorRatio": 1.5, "bucketBy": "customerId"}"#)
            #expect(started["state"] == .string("running"))
            #expect(started["percent"]?.numberValue == 10)
            #expect(started["transitions[0].kind"] == .string("started"))
            // The flag serves a sticky rollout of 'on' at 10 % by customerId.
            let flag = try await server.send("GET", "/api/v1/flags/new-checkout")
            #expect(flag["flag.environments.production.enabled"] == .bool(true))
            #expect(flag["flag.environments.production.default.rollout.bucketBy"] == .string("customerId"))
            // While the release runs, SDKs are asked to report every 5 s.
            let snapshot = try await server.send("GET", "/sdk/v1/flags", as: .bearer(key))
            #expect(snapshot.headers["clutch-report-every"] == "5")

            let rolledBack = try await Self.drive(server, key: key, newRate: 0.10, otherRate: 0.01) {
                try await Self.status($0)["state"] == .string("rolled_back")
            }
            #expect(rolledBack)
            let status = try await Self.status(server)
            #expect(status["percent"]?.numberValue == 0)
            #expect(status["verdict"] == .string("worse"))
            let kinds = (status["transitions"]?.arrayValue ?? []).compactMap { $0.at("kind")?.stringValue }
            #expect(kinds == ["started", "rolled_back"], "never reached its second step: \(kinds)")
            let reason = status["reason"]?.stringValue ?? ""
            #expect(reason.contains("errors /") && reason.contains("evaluations") && reason.contains("verdict worse"), "\(reason)")

            // Every evaluation afterwards gets the old variant.
            for customer in 0..<60 {
                let evaluation = try await server.send(
                    "POST", "/ofrep/v1/evaluate/flags/new-checkout", body: #"{"context": {"targetingKey": "u\#(customer)", "customerId": "c\#(customer)"}}"#,
                    as: .bearer(key))
                #expect(evaluation["variant"] == .string("off"))
            }
            // One revision by clutch-guard, with the figures, and its audit event.
            let revisions = try await server.send("GET", "/api/v1/flags/new-checkout/revisions")
            #expect(revisions["revisions[0].actor"] == .string("clutch-guard"))
            #expect(revisions["revisions[0].message"]?.stringValue?.contains("rolled back") == true)
            let audit = try await server.send("GET", "/api/v1/audit?flag=new-checkout&limit=50")
            let actors = (audit["events"]?.arrayValue ?? []).compactMap { $0.at("actor")?.stringValue }
            #expect(actors.contains("clutch-guard"))
            // The on-call hears of it: a signed release.rolled_back with the figures, and no step.
            #expect(try await eventually(timeout: .seconds(15)) { !receiver.delivered("release.rolled_back").isEmpty })
            let hooks = receiver.delivered("release.rolled_back")
            #expect(hooks.count == 1)
            let hook = try #require(hooks.first)
            #expect(hook.verified, "the documented check refused the delivery")
            #expect(hook.event?.at("data.flag") == .string("new-checkout"))
            #expect(hook.event?.at("data.environment") == .string("production"))
            #expect(hook.event?.at("data.actor") == .string("clutch-guard"))
            #expect(hook.event?.at("data.percent")?.numberValue == 0)
            #expect(hook.event?.at("data.message")?.stringValue?.contains("verdict worse") == true)
            #expect(receiver.delivered("release.step").isEmpty)
            // It does not resume by itself (the runner has taken six turns, three seconds, since),
            // and cannot be resumed.
            for _ in 0..<6 { try await server.releaseTurn() }
            let later = try await Self.status(server)
            #expect(later["state"] == .string("rolled_back"))
            #expect(later["transitions"]?.arrayCount == 2, "\(later.text)")
            #expect(try await Self.revisionCount(server) == revisions["revisions"]?.arrayCount ?? -1, "no revision since")
            let resume = try await server.send("POST", Self.release + "/resume")
            #expect(resume.status == 409)
            // The cadence hint goes away with the running release.
            let after = try await server.send("GET", "/sdk/v1/flags", as: .bearer(key))
            #expect(after.headers["clutch-report-every"] == nil)
        }
    }

    @Test("equal error rates: the release widens step by step to 100 %", arguments: ServerBackend.allCases)
    func healthyReleaseCompletes(_ backend: ServerBackend) async throws {
        let receiver = try await WebhookReceiver(secret: WebhookTests.secret)
        defer { receiver.stop() }
        let clock = TestClock()
        try await TestServer.with(backend, configure: { WebhookTests.localReceivers(&$0); TestServer.on(clock)(&$0) }) { server in
            _ = try await WebhookTests.createHook(server, receiver.url, events: #"["release.step", "release.rolled_back"]"#)
            try await server.createFlag(Self.flag)
            let (_, key) = try await server.createKey("production")
            // Steps of 4 s: a step's own counts start 4 s in (the settle time).
            try await Self.start(server, #"{"steps": [10, 50, 100], "stepDuration": 4, "minSamples": 100}"#)
            let completed = try await Self.drive(server, key: key, newRate: 0.01, otherRate: 0.01) {
                try await Self.status($0)["state"] == .string("completed")
            }
            let status = try await Self.status(server)
            #expect(completed, "\(status.text)")
            #expect(status["percent"]?.numberValue == 100)
            let kinds = (status["transitions"]?.arrayValue ?? []).compactMap { $0.at("kind")?.stringValue }
            #expect(kinds == ["started", "step", "completed"])
            let evaluation = try await server.send(
                "POST", "/ofrep/v1/evaluate/flags/new-checkout", body: #"{"context": {"targetingKey": "anyone"}}"#, as: .bearer(key))
            #expect(evaluation["variant"] == .string("on"))
            // Each widening is announced: 10 → 50 (step), 50 → 100 (completed), signed.
            #expect(try await eventually(timeout: .seconds(15)) { receiver.delivered("release.step").count >= 2 })
            let steps = receiver.delivered("release.step")
            let allVerified = steps.allSatisfy { $0.verified }
            #expect(allVerified, "the documented check refused a delivery")
            #expect(steps.compactMap { $0.event?.at("data.percent")?.numberValue }.sorted() == [50, 100])
            #expect(receiver.delivered("release.rolled_back").isEmpty)
        }
    }

    @Test("a release survives a restart and picks up where it was")
    func survivesRestart() async throws {
        let clock = TestClock()
        let first = try await TestServer.start(configure: TestServer.on(clock))
        let directory = first.directory
        let key: String
        do {
            try await first.createFlag(Self.flag)
            key = try await first.createKey("production").key
            try await Self.start(first, #"{"steps": [10, 50, 100], "stepDuration": 2, "minSamples": 100}"#)
            let stepped = try await Self.drive(first, key: key, newRate: 0.01, otherRate: 0.01) {
                try await Self.status($0)["step"]?.intValue == 2
            }
            #expect(stepped)
        } catch {
            try? await first.stop()
            throw error
        }
        let before = try await Self.status(first)
        try await first.stop(remove: false)

        let second = try await TestServer.start(directory: directory, configure: TestServer.on(clock))
        do {
            // Where it was: the same release, its step and its counts (every report was judged
            // before the stop: nothing moved it since).
            let resumed = try await Self.status(second)
            #expect(resumed["startedAt"] == before["startedAt"])
            #expect(resumed["step"] == before["step"])
            #expect(resumed["total"] == before["total"])
            #expect(resumed["state"] == .string("running") || resumed["state"] == .string("completed"), "\(resumed.text)")
            let completed = try await Self.drive(second, key: key, newRate: 0.01, otherRate: 0.01) {
                try await Self.status($0)["state"] == .string("completed")
            }
            let final = try await Self.status(second)
            #expect(completed, "\(final.text)")
        } catch {
            try? await second.stop()
            throw error
        }
        try await second.stop()
    }

    @Test("changing the flag by hand pauses the release and says why; resume restores the step's rollout", arguments: ServerBackend.allCases)
    func manualChangePauses(_ backend: ServerBackend) async throws {
        try await TestServer.with(backend, configure: TestServer.on(TestClock())) { server in
            try await server.createFlag(Self.flag)
            try await Self.start(server, #"{"steps": [5, 100], "stepDuration": 3600}"#)
            let change = try await server.send(
                "POST", "/api/v1/flags/new-checkout/environments/production/changes",
                body: #"{"instructions": [{"kind": "setRollout", "percent": 50, "variant": "on"}]}"#,
                headers: ["X-Clutch-Message": "hotfix"])
            #expect(change.status == 200)
            // The runner's next turn notices.
            try await server.releaseTurn()
            #expect(try await Self.status(server)["state"] == .string("paused"))
            let status = try await Self.status(server)
            let reason = status["reason"]?.stringValue ?? ""
            #expect(reason.contains("changed by hand") && reason.contains("hotfix"), "\(reason)")
            #expect(status["transitions[1].actor"] == .string("clutch-guard"))

            let resumed = try await server.send("POST", Self.release + "/resume", body: #"{"message": "checked"}"#)
            #expect(resumed.status == 200)
            #expect(resumed["state"] == .string("running"))
            let flag = try await server.send("GET", "/api/v1/flags/new-checkout")
            let weights = flag["flag.environments.production.default.rollout.weights"]?.arrayValue ?? []
            #expect(weights.first { $0.at("variant") == .string("on") }?.at("weight")?.intValue == 5_000)

            let pause = try await server.send("POST", Self.release + "/pause")
            #expect(pause["state"] == .string("paused"))
            let abort = try await server.send("POST", Self.release + "/abort", headers: ["X-Clutch-Message": "not today"])
            #expect(abort["state"] == .string("aborted"))
            #expect(abort["percent"]?.numberValue == 0)
            let audit = try await server.send("GET", "/api/v1/audit?flag=new-checkout&limit=50")
            let actions = (audit["events"]?.arrayValue ?? []).compactMap { $0.at("action")?.stringValue }
            for action in ["release.started", "release.paused", "release.resumed", "release.aborted"] {
                #expect(actions.contains(action), "\(actions)")
            }
        }
    }

    /// `new-checkout` on in production at `percent` % of 'on', sticky by `bucketBy` (as `clutch rollout` writes it).
    /// A release acts with its author's rights as they are at each step: an editor's release
    /// widens as `clutch-guard for` their token; once an owner lowers them to viewer (which ends
    /// the token), the next step, due on the test clock, is not taken and the release says why.
    @Test("an editor's release widens while they may; lowered to viewer, the next step holds and the release says why")
    func aStepActsWithItsAuthorsRightsThen() async throws {
        try await TestServer.with(configure: TestServer.on(TestClock())) { server in
            try await server.createFlag(Self.flag)
            let (_, key) = try await server.createKey("production")
            let store = server.application.services.store
            let (alice, _) = try await store.createPerson(PersonCreate(email: "alice@example.com", role: .editor), change: ChangeInfo(actor: "test"))
            let (token, secret) = try await store.createToken(TokenCreate(name: "laptop"), personID: alice.id, change: ChangeInfo(actor: "test"))
            try await server.application.services.refreshCredentials()
            let started = try await server.send(
                "POST", Self.release, body: #"{"steps": [10, 50, 100], "stepDuration": 2, "minSamples": 100}"#, as: .bearer(secret))
            #expect(started.status == 201, "\(started.text)")
            let stepped = try await Self.drive(server, key: key, newRate: 0.01, otherRate: 0.01) {
                try await Self.status($0)["percent"]?.numberValue == 50
            }
            #expect(stepped, "with its author unchanged, the step applies")
            let widened = try await Self.status(server)
            #expect(widened["transitions[1].actor"] == .string("clutch-guard for \(token.actor)"), "\(widened.text)")
            let revisions = try await server.send("GET", "/api/v1/flags/new-checkout/revisions")
            #expect(revisions["revisions[0].actor"] == .string("clutch-guard for laptop (token of alice@example.com)"))
            let revisionCount = try await Self.revisionCount(server)

            let lowered = try await server.send("PUT", "/api/v1/users/alice@example.com/role", body: #"{"role": "viewer"}"#)
            #expect(lowered.status == 200, "\(lowered.text)")
            let held = try await Self.drive(server, key: key, newRate: 0.01, otherRate: 0.01) {
                try await Self.status($0)["state"] != .string("running")
            }
            let status = try await Self.status(server)
            #expect(held && status["state"] == .string("paused"), "\(status.text)")
            #expect(status["percent"]?.numberValue == 50, "the step was not taken")
            #expect(status["reason"] == .string(
                "not completed: alice@example.com is a viewer in production; changing it needs editor; whoever resumes it becomes its author"))
            #expect(try await Self.revisionCount(server) == revisionCount, "no revision")
            let audit = try await server.send("GET", "/api/v1/audit?flag=new-checkout&limit=50")
            let paused = (audit["events"]?.arrayValue ?? []).first { $0.at("action") == .string("release.paused") }
            #expect(paused?.at("message")?.stringValue?.contains("alice@example.com is a viewer in production") == true, "\(audit.text)")
        }
    }

    static func flag(at percent: Int, by bucketBy: String) -> String {
        """
        {"key": "new-checkout", "environments": {"production": {"enabled": true, "default": {"rollout": {"bucketBy": "\(bucketBy)",
          "weights": [{"variant": "on", "weight": \(percent * 1000)}, {"variant": "off", "weight": \(100_000 - percent * 1000)}]}}}}}
        """
    }

    /// The variant each of 200 users gets.
    static func variants(_ server: TestServer, key: String) async throws -> [String] {
        var variants: [String] = []
        for user in 0..<200 {
            let evaluation = try await server.send(
                "POST", "/ofrep/v1/evaluate/flags/new-checkout", body: #"{"context": {"targetingKey": "u\#(user)"}}"#, as: .bearer(key))
            variants.append(evaluation["variant"]?.stringValue ?? "?")
        }
        return variants
    }

    static func revisionCount(_ server: TestServer) async throws -> Int {
        try await server.send("GET", "/api/v1/flags/new-checkout/revisions")["revisions"]?.arrayCount ?? -1
    }

    @Test("a release started at 50 % keeps everyone who had the variant and says what it replaced; abort returns to 50 % in one revision", arguments: ServerBackend.allCases)
    func startsFromTheCurrentExposureAndAbortsBackToIt(_ backend: ServerBackend) async throws {
        try await TestServer.with(backend, configure: TestServer.on(TestClock())) { server in
            try await server.createFlag(Self.flag(at: 50, by: "targetingKey"))
            let (_, key) = try await server.createKey("production")
            let before = try await Self.variants(server, key: key)
            let defaultBefore = try await server.send("GET", "/api/v1/flags/new-checkout")["flag.environments.production.default"]

            let started = try await Self.start(server, #"{"steps": [5, 25, 50, 75, 100], "stepDuration": 2, "minSamples": 100}"#)
            #expect(started["percent"]?.numberValue == 50, "\(started.text)")
            #expect(started["steps"]?.arrayValue?.compactMap(\.numberValue) == [50, 75, 100], "\(started.text)")
            #expect(started["replaced.percent"]?.numberValue == 50)
            #expect(started["replaced.enabled"] == .bool(true))
            #expect(started["replaced.text"] == .string("50% on / 50% off by targetingKey"))
            #expect(started["replaced.serve"] == defaultBefore)
            #expect(started["transitions[0].message"]?.stringValue?.contains("was 50% on / 50% off by targetingKey") == true)
            let during = try await Self.variants(server, key: key)
            #expect(before.filter { $0 == "on" }.count > 50, "the fixture gives 'on' to about half: \(before)")
            #expect(during == before, "nobody gained or lost the feature by the start")

            // Healthy reports widen it to 75 %; then the deploy is called off.
            let widened = try await Self.drive(server, key: key, newRate: 0.01, otherRate: 0.01) {
                try await Self.status($0)["percent"]?.numberValue == 75
            }
            let widenedStatus = try await Self.status(server)
            #expect(widened, "\(widenedStatus.text)")
            let revisions = try await Self.revisionCount(server)
            let aborted = try await server.send("POST", Self.release + "/abort", body: #"{"message": "not today"}"#)
            #expect(aborted.status == 200, "\(aborted.text)")
            #expect(aborted["state"] == .string("aborted"))
            #expect(aborted["percent"]?.numberValue == 50)
            let abortMessage = (aborted["transitions"]?.arrayValue?.last?.at("message")?.stringValue) ?? ""
            #expect(abortMessage.contains("back to 50% on / 50% off by targetingKey as before the release"), "\(abortMessage)")
            #expect(try await Self.revisionCount(server) == revisions + 1, "one revision")
            let flag = try await server.send("GET", "/api/v1/flags/new-checkout")
            #expect(flag["flag.environments.production.default"] == defaultBefore)
            #expect(flag["flag.environments.production.enabled"] == .bool(true))
            #expect(try await Self.variants(server, key: key) == before, "everyone has what they had before the release")
        }
    }

    @Test("a start that cannot continue the rollout is refused naming it (409, restartFrom); restartFrom lowers explicitly; abort to 0", arguments: ServerBackend.allCases)
    func restartFromLowersExplicitly(_ backend: ServerBackend) async throws {
        try await TestServer.with(backend) { server in
            try await server.createFlag(Self.flag(at: 50, by: "customerId"))
            let refused = try await server.send("POST", Self.release, body: #"{"stepDuration": 3600}"#)
            #expect(refused.status == 409, "\(refused.text)")
            #expect(refused.errorField == "restartFrom", "\(refused.text)")
            let message = refused["error.message"]?.stringValue ?? ""
            #expect(message.contains("50% on / 50% off by customerId") && message.contains("targetingKey"), "\(message)")
            #expect(try await Self.status(server).status == 404, "nothing started")
            let outOfRange = try await server.send("POST", Self.release, body: #"{"stepDuration": 3600, "restartFrom": 0}"#)
            #expect(outOfRange.status == 400)
            #expect(outOfRange.errorField == "restartFrom", "\(outOfRange.text)")

            let restarted = try await Self.start(server, #"{"stepDuration": 3600, "restartFrom": 1}"#)
            #expect(restarted["percent"]?.numberValue == 1)
            #expect(restarted["replaced.text"] == .string("50% on / 50% off by customerId"))
            let flag = try await server.send("GET", "/api/v1/flags/new-checkout")
            #expect(flag["flag.environments.production.default.rollout.weights[0].weight"]?.intValue == 1_000)

            let badTarget = try await server.send("POST", Self.release + "/abort", body: #"{"to": 5}"#)
            #expect(badTarget.status == 400)
            #expect(badTarget.errorField == "to")
            let zero = try await server.send("POST", Self.release + "/abort", body: #"{"to": 0}"#)
            #expect(zero["state"] == .string("aborted"))
            #expect(zero["percent"]?.numberValue == 0)
            let after = try await server.send("GET", "/api/v1/flags/new-checkout")
            #expect(after["flag.environments.production.default.rollout.weights[0].weight"]?.intValue == 0)
            #expect(after["flag.environments.production.enabled"] == .bool(true))

            // Everyone already has it: nothing to release.
            let full = try await server.send(
                "POST", "/api/v1/flags/new-checkout/environments/production/changes",
                body: #"{"instructions": [{"kind": "setDefault", "serve": {"variant": "on"}}]}"#)
            #expect(full.status == 200, "\(full.text)")
            let everyone = try await server.send("POST", Self.release, body: #"{"stepDuration": 3600}"#)
            #expect(everyone.status == 409)
            #expect(everyone.errorField == "restartFrom")
            #expect(everyone["error.message"]?.stringValue?.contains("already gets 'on'") == true, "\(everyone.text)")
        }
    }

    @Test("bad release and usage input is refused naming the field; nothing changes")
    func badInput() async throws {
        try await TestServer.with { server in
            try await server.createFlag(Self.flag)
            let (_, key) = try await server.createKey("production")
            let cases: [(String, String)] = [
                (#"{"stepDuration": 0.5}"#, "stepDuration"),
                (#"{"steps": [50, 10, 100]}"#, "steps"),
                (#"{"steps": [10, 50]}"#, "steps"),
                (#"{"variant": "purple"}"#, "variant"),
                (#"{"maxErrorRatio": 0}"#, "maxErrorRatio"),
                (#"{"minSamples": -1}"#, "minSamples"),
            ]
            for (body, field) in cases {
                let reply = try await server.send("POST", Self.release, body: body)
                #expect(reply.status == 400, "\(body): \(reply.text)")
                #expect(reply.errorField == field, "\(body): \(reply.text)")
            }
            #expect(try await Self.status(server).status == 404)
            let unknown = try await server.send("POST", Self.release, body: #"{"speed": 3}"#)
            #expect(unknown.status == 400)
            try await Self.start(server, #"{"stepDuration": 60}"#)
            let twice = try await server.send("POST", Self.release, body: "{}")
            #expect(twice.status == 409)

            let negative = try await server.send(
                "POST", "/sdk/v1/usage", body: #"{"counts": [{"flag": "new-checkout", "variant": "on", "count": 1, "errors": -1}]}"#,
                as: .bearer(key))
            #expect(negative.status == 400)
            #expect(negative.errorField?.contains("errors") == true, "\(negative.text)")
            let huge = try await server.send(
                "POST", "/sdk/v1/usage", body: #"{"counts": [{"flag": "new-checkout", "variant": "on", "count": 1, "errors": 2000000000000}]}"#,
                as: .bearer(key))
            #expect(huge.status == 400)
            // A report without errors (older SDKs) is still accepted, and answers the cadence.
            let old = try await server.send(
                "POST", "/sdk/v1/usage", body: #"{"counts": [{"flag": "new-checkout", "variant": "on", "count": 3}]}"#, as: .bearer(key))
            #expect(old.status == 202)
            #expect(old["reportEvery"]?.intValue == 5)
            // An SDK key cannot start or move releases.
            let sdk = try await server.send("POST", Self.release + "/abort", as: .bearer(key))
            #expect(sdk.status == 401 || sdk.status == 403)
        }
    }
}

extension Value {
    var arrayValue: [Value]? {
        if case .array(let a) = self { return a }
        return nil
    }
}
