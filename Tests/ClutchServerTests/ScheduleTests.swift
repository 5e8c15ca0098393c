import ClutchCore
import ClutchServer
import Foundation
import ServerTestSupport
import TestSupport
import Testing

/// Scheduled changes against a real server: they fire on time as `clutch-scheduler` naming the
/// author, survive a restart that spans their time, fail whole (and notify) when their
/// instructions no longer apply, and can be cancelled.
@Suite(.serialized) struct ScheduleTests {
    static let flag = #"{"key": "launch", "environments": {"production": {"enabled": false}}}"#

    static func isoTime(_ date: Date) -> String { Timestamp.format(date) }

    /// Schedules `instructions` on flag `launch` in production at `at`; answers the schedule.
    static func schedule(_ server: TestServer, at: Date, instructions: String = #"[{"kind": "turnOn"}]"#, message: String = "launch day") async throws -> Reply {
        try await server.send("POST", "/api/v1/schedules", body: """
            {"flag": "launch", "environment": "production", "instructions": \(instructions), "at": "\(isoTime(at))", "message": "\(message)"}
            """)
    }

    /// Whether flag `launch` is on in production.
    static func isOn(_ server: TestServer) async throws -> Bool {
        try await server.send("GET", "/api/v1/flags/launch")["flag.environments.production.enabled"] == .bool(true)
    }

    @Test(arguments: ServerBackend.allCases) func firesAtItsTimeAndNotBeforeAsTheSchedulerNamingTheAuthor(_ backend: ServerBackend) async throws {
        let clock = TestClock()
        try await TestServer.with(backend, configure: TestServer.on(clock)) { server in
            let turns = server.application.scheduleTurns
            try await server.createFlag(Self.flag)
            let due = clock.now().addingTimeInterval(10)
            let created = try await Self.schedule(server, at: due)
            #expect(created.status == 201, "\(created.text)")
            let id = try #require(created["id"]?.stringValue)
            #expect(created["status"] == .string("pending"))
            // A second schedule, made a second before the first is due, makes the scheduler look
            // then (a new schedule wakes it): the first is not applied early.
            clock.advance(by: .seconds(9))
            let before = turns.count
            let later = try await Self.schedule(server, at: due.addingTimeInterval(3600), message: "later")
            #expect(later.status == 201, "\(later.text)")
            try await waitForTurn(of: turns, after: before)
            #expect(try await !Self.isOn(server), "applied before its time")
            #expect(try await server.send("GET", "/api/v1/schedules/\(id)")["status"] == .string("pending"))
            // Its time comes: the scheduler wakes and applies it.
            try await advance(clock, by: .seconds(2), thenTurnOf: turns)
            #expect(try await Self.isOn(server))
            let schedule = try await server.send("GET", "/api/v1/schedules/\(id)")
            #expect(schedule["status"] == .string("applied"))
            #expect(schedule["revision"] == .integer(2))
            #expect(schedule["note"] == nil)
            let history = try await server.send("GET", "/api/v1/flags/launch/revisions")
            #expect(history["revisions[0].actor"] == .string("clutch-scheduler for admin (service token)"))
            let message = try #require(history["revisions[0].message"]?.stringValue)
            #expect(message.contains("scheduled by admin (service token)"), "\(message)")
            #expect(message.contains(id) && message.contains("launch day"), "\(message)")
            // Fires once: the later one alone is pending, one revision more.
            try await advance(clock, by: .seconds(30), thenTurnOf: turns)
            #expect(try await server.send("GET", "/api/v1/schedules?status=pending")["schedules"]?.arrayCount == 1)
            #expect(try await server.send("GET", "/api/v1/flags/launch/revisions")["revisions"]?.arrayCount == 2)
        }
    }

    @Test func aRestartSpanningTheDueTimeAppliesItAtOnceWithANote() async throws {
        let clock = TestClock()
        let first = try await TestServer.start(configure: TestServer.on(clock))
        let directory = first.directory
        let due = clock.now().addingTimeInterval(60)
        let id: String
        do {
            try await first.createFlag(Self.flag)
            id = try #require(try await Self.schedule(first, at: due)["id"]?.stringValue)
        } catch {
            try? await first.stop()
            throw error
        }
        try await first.stop(remove: false)
        // The server was down from before the due time until three minutes after it.
        clock.advance(by: .seconds(240))
        let second = try await TestServer.start(directory: directory, configure: TestServer.on(clock))
        do {
            // The scheduler's first look, at start, applies it without time moving.
            try await waitForTurn(of: second.application.scheduleTurns, after: RunnerTurns.Count())
            let schedule = try await second.send("GET", "/api/v1/schedules/\(id)")
            #expect(schedule["status"] == .string("applied"), "\(schedule.text)")
            let note = try #require(schedule["note"]?.stringValue)
            #expect(note.contains("3 min late") && note.contains("server was not running"), "\(note)")
            #expect(try await Self.isOn(second))
            let message = try #require(try await second.send("GET", "/api/v1/flags/launch/revisions")["revisions[0].message"]?.stringValue)
            #expect(message.contains("server was not running"), "\(message)")
        } catch {
            try? await second.stop()
            throw error
        }
        try await second.stop()
    }

    @Test(arguments: ServerBackend.allCases) func aScheduleWhoseInstructionsNoLongerApplyFailsWholeAndNotifies(_ backend: ServerBackend) async throws {
        let secret = "whsec-schedule-failed-0123456789"
        let receiver = try await WebhookReceiver(secret: secret)
        defer { receiver.stop() }
        try await TestServer.with(backend, configure: WebhookTests.localReceivers) { server in
            try await server.createFlag(#"{"key": "launch", "type": "string", "variants": [{"key": "blue", "value": "blue"}, {"key": "green", "value": "green"}, {"key": "off", "value": "none"}], "offVariant": "off", "environments": {"production": {"enabled": false}}}"#)
            let hook = try await server.send("POST", "/api/v1/webhooks", body: """
                {"url": "\(receiver.url)", "events": ["schedule.failed"], "secret": "\(secret)"}
                """)
            #expect(hook.status == 201, "\(hook.text)")
            let created = try await Self.schedule(
                server, at: Date().addingTimeInterval(1.5),
                instructions: #"[{"kind": "turnOn"}, {"kind": "addTargets", "variant": "green", "attribute": "customerId", "values": ["acme"]}]"#)
            #expect(created.status == 201, "\(created.text)")
            let id = try #require(created["id"]?.stringValue)
            // Meanwhile someone removes the variant the schedule targets.
            let update = try await server.send("PUT", "/api/v1/flags/launch", body: #"{"key": "launch", "type": "string", "variants": [{"key": "blue", "value": "blue"}, {"key": "off", "value": "none"}], "offVariant": "off"}"#)
            #expect(update.status == 200, "\(update.text)")
            #expect(try await eventually(timeout: .seconds(15)) {
                try await server.send("GET", "/api/v1/schedules/\(id)")["status"] == .string("failed")
            })
            let schedule = try await server.send("GET", "/api/v1/schedules/\(id)")
            let reason = try #require(schedule["error"]?.stringValue)
            #expect(reason.contains("green"), "\(reason)")
            // Not half-applied: the turnOn before the failing instruction did not happen either.
            let flag = try await server.send("GET", "/api/v1/flags/launch")
            #expect(flag["flag.environments.production.enabled"] == .bool(false))
            #expect(flag["revision"] == .integer(2))
            #expect(try await eventually(timeout: .seconds(15)) { !receiver.delivered("schedule.failed").isEmpty })
            let delivery = try #require(receiver.delivered("schedule.failed").first)
            #expect(delivery.verified)
            #expect(delivery.event?.at("data.schedule.id") == .string(id))
            #expect(delivery.event?.at("data.error")?.stringValue?.contains("green") == true)
        }
    }

    @Test(arguments: ServerBackend.allCases) func aCancelledScheduleNeverFires(_ backend: ServerBackend) async throws {
        let clock = TestClock()
        try await TestServer.with(backend, configure: TestServer.on(clock)) { server in
            try await server.createFlag(Self.flag)
            let due = clock.now().addingTimeInterval(1.5)
            let id = try #require(try await Self.schedule(server, at: due)["id"]?.stringValue)
            let cancelled = try await server.send("DELETE", "/api/v1/schedules/\(id)")
            #expect(cancelled.status == 200, "\(cancelled.text)")
            #expect(cancelled["status"] == .string("cancelled"))
            let again = try await server.send("DELETE", "/api/v1/schedules/\(id)")
            #expect(again.status == 409)
            #expect(try await server.send("DELETE", "/api/v1/schedules/sch_missing").status == 404)
            // Past its time, and the scheduler has looked since.
            try await advance(clock, by: .seconds(30), thenTurnOf: server.application.scheduleTurns)
            #expect(try await !Self.isOn(server))
            #expect(try await server.send("GET", "/api/v1/schedules/\(id)")["status"] == .string("cancelled"))
        }
    }

    @Test(arguments: [
        (#"{"flag": "launch", "environment": "production", "instructions": [{"kind": "turnOn"}], "at": "2001-01-01T00:00:00Z"}"#, 400, "at"),
        (#"{"flag": "launch", "environment": "production", "instructions": [{"kind": "turnOn"}], "at": "tomorrow"}"#, 400, "at"),
        (#"{"flag": "launch", "environment": "production", "instructions": [{"kind": "fly"}], "at": "2099-01-01T00:00:00Z"}"#, 400, "instructions[0].kind"),
        (#"{"flag": "launch", "environment": "production", "instructions": [{"kind": "addTargets", "variant": "purple", "values": ["a"]}], "at": "2099-01-01T00:00:00Z"}"#, 400, nil),
        (#"{"environment": "production", "instructions": [{"kind": "turnOn"}], "at": "2099-01-01T00:00:00Z"}"#, 400, "flag"),
        (#"{"flag": "nope", "environment": "production", "instructions": [{"kind": "turnOn"}], "at": "2099-01-01T00:00:00Z"}"#, 404, nil),
    ] as [(String, Int, String?)])
    func badSchedulesAreRefusedNamingTheField(body: String, status: Int, field: String?) async throws {
        try await TestServer.with { server in
            try await server.createFlag(Self.flag)
            let reply = try await server.send("POST", "/api/v1/schedules", body: body)
            #expect(reply.status == status, "\(reply.text)")
            if let field { #expect(reply.errorField == field, "\(reply.text)") }
            #expect(try await server.send("GET", "/api/v1/schedules")["schedules"]?.arrayCount == 0)
        }
    }
}
