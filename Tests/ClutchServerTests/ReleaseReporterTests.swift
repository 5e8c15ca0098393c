import ClutchCore
import Foundation
import ServerTestSupport
import TestSupport
import Testing

/// Issue 24's attacks on the release guard, against a real server: usage reports sent with SDK
/// keys (which ship inside apps) that lie. The guard keeps each reporter's evidence apart,
/// discards and shows a reporter inconsistent with the others, and pauses (naming it) rather
/// than act on a report it finds implausible.
@Suite("Release guard against lying reporters")
struct ReleaseReporterTests {
    static let release = ReleaseTests.release

    /// One report of explicit counts: (evaluations, errors) of the new side (`on`) and the other (`off`).
    static func send(
        _ server: TestServer, key: String, instance: String?, new: (Int64, Int64), other: (Int64, Int64)
    ) async throws -> Reply {
        let instanceField = instance.map { #", "instance": "\#($0)""# } ?? ""
        let body = """
            {"counts": [
              {"flag": "new-checkout", "variant": "on", "count": \(new.0), "errors": \(new.1), "rollout": true},
              {"flag": "new-checkout", "variant": "off", "count": \(other.0), "errors": \(other.1), "rollout": true}
            ]\(instanceField)}
            """
        return try await server.send("POST", "/sdk/v1/usage", body: body, as: .bearer(key))
    }

    /// One honest report of `evaluations` split by the release's current percentage, from `instance`.
    static func honest(
        _ server: TestServer, key: String, instance: String, evaluations: Int64, newRate: Double, otherRate: Double
    ) async throws {
        let percent = try await ReleaseTests.status(server)["percent"]?.numberValue ?? 0
        let new = Int64((Double(evaluations) * percent / 100).rounded())
        let other = evaluations - new
        let reply = try await send(
            server, key: key, instance: instance, new: (new, Int64((Double(new) * newRate).rounded())),
            other: (other, Int64((Double(other) * otherRate).rounded())))
        guard reply.status == 202 else { throw TestFailure("usage report refused: \(reply.status) \(reply.text)") }
    }

    /// An SDK key that has served: it fetched the flags, as every SDK does first.
    static func servingKey(_ server: TestServer, name: String) async throws -> (id: String, key: String) {
        let key = try await server.createKey("production", name: name)
        let snapshot = try await server.send("GET", "/sdk/v1/flags", as: .bearer(key.key))
        guard snapshot.status == 200 else { throw TestFailure("fetching the flags failed: \(snapshot.status)") }
        return key
    }

    static func reporter(_ status: Reply, _ id: String) -> Value? {
        (status["reporters"]?.arrayValue ?? []).first { $0.at("reporter")?.stringValue == id }
    }

    @Test("one report from a key that has served nothing cannot roll a release back: it pauses, naming the reporter, and release.paused is sent", arguments: ServerBackend.allCases)
    func forcedRollbackPauses(_ backend: ServerBackend) async throws {
        let receiver = try await WebhookReceiver(secret: WebhookTests.secret)
        defer { receiver.stop() }
        try await TestServer.with(backend, configure: WebhookTests.localReceivers) { server in
            _ = try await WebhookTests.createHook(server, receiver.url, events: #"["release.paused", "release.rolled_back"]"#)
            try await server.createFlag(ReleaseTests.flag)
            try await ReleaseTests.start(server, #"{"steps": [10, 50, 100], "stepDuration": 3600, "minSamples": 200}"#)
            // Unpacked from an app, never used by it: the issue's report, word for word.
            let (unusedID, unused) = try await server.createKey("production", name: "unpacked")
            let attack = try await Self.send(server, key: unused, instance: nil, new: (100, 100), other: (9900, 0))
            #expect(attack.status == 202, "the report itself is well-formed: \(attack.text)")

            let paused = try await eventually(timeout: .seconds(30)) { try await ReleaseTests.status(server)["state"] != .string("running") }
            let status = try await ReleaseTests.status(server)
            #expect(paused, "\(status.text)")
            #expect(status["state"] == .string("paused"), "\(status.text)")
            #expect(status["percent"]?.numberValue == 10)
            let reason = status["reason"]?.stringValue ?? ""
            #expect(reason.contains(unusedID) && reason.contains("served"), "\(reason)")
            #expect(Self.reporter(status, unusedID)?.at("status") == .string("unverified"), "\(status.text)")
            #expect(status["total.new.evaluations"]?.intValue == 0, "its counts are not the release's")
            // The on-call hears of it, with the reporter named; nothing was rolled back.
            #expect(try await eventually(timeout: .seconds(15)) { !receiver.delivered("release.paused").isEmpty })
            let hook = try #require(receiver.delivered("release.paused").first)
            #expect(hook.verified)
            #expect(hook.event?.at("data.message")?.stringValue?.contains(unusedID) == true, "\(hook.event?.jsonText ?? "")")
            #expect(receiver.delivered("release.rolled_back").isEmpty)
            let revisions = try await server.send("GET", "/api/v1/flags/new-checkout/revisions")
            #expect(revisions["revisions[0].actor"] != .string("clutch-guard"), "no change by the guard")
        }
    }

    @Test("a liar masking a regression among honest instances is refused or discarded: the release rolls back as the same release without it does", arguments: [false, true])
    func maskedRegressionStillRollsBack(_ withLiar: Bool) async throws {
        try await TestServer.with { server in
            try await server.createFlag(ReleaseTests.flag)
            let fleet = try await Self.servingKey(server, name: "fleet")
            let liar = try await Self.servingKey(server, name: "liar")
            try await ReleaseTests.start(server, #"{"steps": [10, 50, 100], "stepDuration": 3600, "minSamples": 200}"#)
            if withLiar {
                // The issue's lie: more errors than evaluations on the other side.
                let huge = try await Self.send(server, key: liar.key, instance: "x", new: (0, 0), other: (1, 1_099_511_627_776))
                #expect(huge.status == 400)
                #expect(huge.errorField == "counts[1].errors", "\(huge.text)")
            }
            let ended = try await eventually(timeout: .seconds(60)) {
                if withLiar {
                    // The same lie within the bounds: every evaluation of the other side failed.
                    let reply = try await Self.send(server, key: liar.key, instance: "x", new: (100, 0), other: (900, 900))
                    #expect(reply.status == 202)
                }
                for instance in ["web-1", "web-2", "web-3"] {
                    try await Self.honest(server, key: fleet.key, instance: instance, evaluations: 1000, newRate: 0.03, otherRate: 0.01)
                }
                let state = try await ReleaseTests.status(server)["state"]
                return state == .string("rolled_back") || state == .string("completed")
            }
            let status = try await ReleaseTests.status(server)
            #expect(ended, "\(status.text)")
            #expect(status["state"] == .string("rolled_back"), "\(status.text)")
            let kinds = (status["transitions"]?.arrayValue ?? []).compactMap { $0.at("kind")?.stringValue }
            #expect(kinds == ["started", "rolled_back"], "never widened: \(kinds)")
            if withLiar {
                let shown = Self.reporter(status, "\(liar.id)/x")
                #expect(shown?.at("status") == .string("discarded"), "\(status.text)")
                #expect(shown?.at("reason")?.stringValue?.contains("error rate") == true, "\(shown?.jsonText ?? "")")
            }
        }
    }

    @Test("several honest instances and one liar forcing a rollback: the release keeps running, the liar is discarded and shown", arguments: ServerBackend.allCases)
    func liarAmongInstancesIsOutvoted(_ backend: ServerBackend) async throws {
        try await TestServer.with(backend) { server in
            try await server.createFlag(ReleaseTests.flag)
            let fleet = try await Self.servingKey(server, name: "fleet")
            let liar = try await Self.servingKey(server, name: "liar")
            let instances = (1...5).map { "web-\($0)" }
            // A long step: the release stays at its first step whatever the machine's speed.
            try await ReleaseTests.start(server, #"{"steps": [10, 50, 100], "stepDuration": 3600, "minSamples": 200}"#)
            // The fleet has been reporting when the liar starts.
            let reporting = try await eventually(timeout: .seconds(30)) {
                for instance in instances {
                    try await Self.honest(server, key: fleet.key, instance: instance, evaluations: 1000, newRate: 0.01, otherRate: 0.01)
                }
                return (try await ReleaseTests.status(server)["reporters"]?.arrayValue?.count ?? 0) >= instances.count
            }
            #expect(reporting)
            let seen = try await eventually(timeout: .seconds(60)) {
                for instance in instances {
                    try await Self.honest(server, key: fleet.key, instance: instance, evaluations: 1000, newRate: 0.01, otherRate: 0.01)
                }
                // The issue's report: every new-side evaluation failed.
                let reply = try await Self.send(server, key: liar.key, instance: "x", new: (100, 100), other: (9900, 0))
                #expect(reply.status == 202)
                let status = try await ReleaseTests.status(server)
                return Self.reporter(status, "\(liar.id)/x") != nil || status["state"] != .string("running")
            }
            let status = try await ReleaseTests.status(server)
            #expect(seen, "\(status.text)")
            #expect(status["state"] == .string("running"), "\(status.text)")
            #expect(status["verdict"] != .string("worse"), "\(status.text)")
            let kinds = (status["transitions"]?.arrayValue ?? []).compactMap { $0.at("kind")?.stringValue }
            #expect(kinds == ["started"], "\(kinds)")
            let shown = Self.reporter(status, "\(liar.id)/x")
            #expect(shown?.at("status") == .string("discarded"), "\(status.text)")
            #expect(shown?.at("reason")?.stringValue?.isEmpty == false)
            for instance in instances {
                #expect(Self.reporter(status, "\(fleet.id)/\(instance)")?.at("status") == .string("counted"))
            }
        }
    }

    @Test("errors above an entry's count, and a malformed instance id, are refused naming the field")
    func boundsRefused() async throws {
        try await TestServer.with { server in
            try await server.createFlag(ReleaseTests.flag)
            let (_, key) = try await server.createKey("production")
            let over = try await Self.send(server, key: key, instance: nil, new: (100, 101), other: (0, 0))
            #expect(over.status == 400)
            #expect(over.errorField == "counts[0].errors", "\(over.text)")
            let instance = try await Self.send(server, key: key, instance: "no/slashes", new: (1, 0), other: (1, 0))
            #expect(instance.status == 400)
            #expect(instance.errorField == "instance", "\(instance.text)")
            // Errors-only (an OFREP client) and equal counts are fine.
            let errorsOnly = try await Self.send(server, key: key, instance: nil, new: (0, 3), other: (0, 0))
            #expect(errorsOnly.status == 202, "\(errorsOnly.text)")
            let equal = try await Self.send(server, key: key, instance: "a.b_c-1", new: (5, 5), other: (1, 0))
            #expect(equal.status == 202, "\(equal.text)")
        }
    }
}
