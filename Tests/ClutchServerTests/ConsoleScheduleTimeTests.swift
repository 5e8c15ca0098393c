import ClutchCore
import Foundation
import ServerTestSupport
import TestSupport
import Testing

@testable import ClutchServer

/// Issue 27 in the console: a change is scheduled for a date and time in the viewer's own time
/// zone (console.js sends the offset; without it the form says UTC and means it), scheduled
/// times are shown with their UTC time, and the pending change warns about attribute names no
/// context has carried, as the API would.
@Suite struct ConsoleScheduleTimeTests {
    @Test func aTimeTypedInTheViewersZoneIsScheduledAtTheSameInstantInUTCAndShownWithItsUTCTime() async throws {
        let clock = TestClock()
        try await TestServer.with(configure: TestServer.on(clock)) { server in
            try await server.createFlag(#"{"key": "launch", "type": "boolean"}"#)
            let s = try await ConsoleControlsTests.setup(server, env: "production")
            let staged = try await s.post("/ui/flags/launch/toggle", [("env", "production"), ("stage", "1"), ("to", "on"), ("pending", "")])
            #expect(staged.body.contains(#"Date and time <span data-tz-zone>(UTC)</span>"#), "without console.js the field is UTC and says so")
            #expect(staged.body.contains(#"name="tzOffset""#))
            let change = try ConsoleChangeTests.pending(staged.body)
            let day = String(ISO8601DateFormatter().string(from: clock.now().addingTimeInterval(86_400)).prefix(10))
            let later: [(String, String)] = [("env", "production"), ("pending", change), ("when", "later"), ("confirm", "production"), ("at", "\(day)T09:00")]

            let bad = try await s.post("/ui/flags/launch/apply", later + [("tzOffset", "east")])
            #expect(bad.status == 400)
            #expect(bad.body.contains(#"id="at-problem""#))
            // 09:00 in India (UTC+05:30) is 03:30 UTC.
            let scheduled = try await s.post("/ui/flags/launch/apply", later + [("tzOffset", "330")])
            #expect(scheduled.location == "/ui/flags/launch?env=production&done=scheduled")
            let schedules = try await server.mustSend("GET", "/api/v1/schedules")
            #expect(schedules["schedules[0].at"]?.stringValue?.hasPrefix("\(day)T03:30:00") == true, "\(schedules.text)")
            // Without an offset (no console.js) the time typed is UTC.
            _ = try await s.post("/ui/flags/launch/apply", later)
            let both = try await server.mustSend("GET", "/api/v1/schedules")
            #expect(both["schedules"]?.arrayValue?.compactMap { $0.objectValue?["at"]?.stringValue.map { String($0.prefix(16)) } }.sorted() == [
                "\(day)T03:30", "\(day)T09:00",
            ])
            let page = try await s.client.get("/ui/flags/launch?env=production")
            #expect(page.body.contains(#"data-local>\#(day) 03:30 UTC</time>"#), "the UTC time, which console.js puts the viewer's local time before")
            #expect(page.body.contains(#"data-local>\#(day) 09:00 UTC</time>"#))
        }
    }

    @Test func thePendingChangeWarnsAboutAnAttributeNoContextCarried() async throws {
        try await TestServer.with { server in
            try await server.createFlag(#"{"key": "checkout", "type": "boolean"}"#)
            let s = try await ConsoleControlsTests.setup(server, env: "staging")
            _ = try await s.evaluate("checkout", #"{"targetingKey": "u1", "customerId": "acme", "plan": "pro"}"#)
            let staged = try await s.post(
                "/ui/flags/checkout/rules", [("env", "staging"), ("stage", "1"), ("conditions", "customerID in acme"), ("position", "last"), ("pending", "")])
            #expect(staged.body.contains(
                #"pending-warning">Warning: customerID has not been seen in staging contexts; seen: customerId, plan, targetingKey</p>"#), "\(staged.body)")
            let seenName = try await s.post(
                "/ui/flags/checkout/rules", [("env", "staging"), ("stage", "1"), ("conditions", "customerId in acme"), ("position", "last"), ("pending", "")])
            #expect(seenName.body.contains(#"id="pending""#))
            #expect(!seenName.body.contains("pending-warning"))
        }
    }
}
