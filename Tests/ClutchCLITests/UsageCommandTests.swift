import ClutchCore
import ClutchServer
import Foundation
import ServerTestSupport
import Testing

/// `clutch usage KEY --env E [--window day|week]` (issue 27), through the real binary against a
/// server on a ``TestClock``: evaluations per variant over the day or week, and last evaluated.
@Suite("clutch usage")
struct UsageCommandTests {
    @Test("usage prints the week per day and variant, each variant's last evaluation, and the day per hour")
    func usagePrintsTheWeekAndTheDayPerVariant() async throws {
        // Thursday 3 December 2026, 09:00 UTC; then Monday 7 December, 09:00.
        let monday = Date(timeIntervalSince1970: 1_796_601_600 + 9 * 3_600)
        let clock = TestClock(now: monday.addingTimeInterval(-4 * 86_400))
        try await TestServer.with(configure: { $0.clock = clock }) { server in
            #expect(try await server.clutch("flags", "create", "ramp").status == 0)
            let (_, key) = try await server.createKey("production")
            try await server.mustSend(
                "POST", "/sdk/v1/usage", body: #"{"counts": [{"flag": "ramp", "variant": "off", "count": 300}]}"#, as: .bearer(key), expected: 202)
            clock.advance(by: .seconds(4 * 86_400))
            try await server.mustSend(
                "POST", "/sdk/v1/usage", body: #"{"counts": [{"flag": "ramp", "variant": "on", "count": 100}]}"#, as: .bearer(key), expected: 202)

            let week = try await server.clutch("usage", "ramp", "--env", "production", "--window", "week")
            #expect(week.status == 0, "\(week)")
            #expect(week.stdout.contains("ramp in production: 400 evaluations in the last 7 days (UTC)."), "\(week)")
            #expect(week.stdout.contains("DAY         ON   OFF  TOTAL"), "\(week)")
            #expect(week.stdout.contains("2026-12-03  0    300  300"), "\(week)")
            #expect(week.stdout.contains("2026-12-07  100  0    100"), "\(week)")
            #expect(week.stdout.contains("off      300          300                   2026-12-03 09:00:00"), "\(week)")

            let day = try await server.clutch("usage", "ramp", "--env", "production")
            #expect(day.status == 0, "\(day)")
            #expect(day.stdout.contains("ramp in production: 100 evaluations in the last 24 hours."), "\(day)")
            #expect(day.stdout.contains("2026-12-07 09:00  100  100"), "\(day)")
            #expect(!day.stdout.contains("2026-12-03 09:00  "), "Thursday is outside the day: \(day)")

            let json = try await server.clutch("usage", "ramp", "--env", "production", "--window", "week", "--json")
            #expect(try json.json()["totals"] == .array([0, 0, 300, 0, 0, 0, 100].map { .integer($0) }), "\(json)")

            let bad = try await server.clutch("usage", "ramp", "--env", "production", "--window", "month")
            #expect(bad.status == 2 && bad.stderr.contains("--window must be one of day, week"), "\(bad)")
            let noEnv = try await server.clutch("usage", "ramp")
            #expect(noEnv.status == 2 && noEnv.stderr.contains("no environment given"), "\(noEnv)")
            let quiet = try await server.clutch("usage", "ramp", "--env", "staging")
            #expect(quiet.status == 0 && quiet.stdout.contains("Nothing evaluated ramp in staging in the last 24 hours."), "\(quiet)")
        }
    }
}
