import ClutchServer
import Foundation
import ServerTestSupport
import TestSupport
import Testing

/// The flag page's usage card (issue 27): evaluations per hour over the last day as an SVG chart
/// with a text alternative, and per variant its evaluations and when it was last evaluated.
@Suite("Console: usage you can see")
struct ConsoleUsageTests {
    @Test func theFlagPageDrawsTheLastDaysEvaluationsPerHourAndEachVariantsLastEvaluation() async throws {
        // 10:30 UTC: reports land in the 10:00 hour, then two hours later in the 12:00 one.
        let clock = TestClock(now: Date(timeIntervalSince1970: 1_796_639_400))
        try await TestServer.with(configure: TestServer.on(clock)) { server in
            try await server.createFlag(#"{"key": "ramp", "type": "boolean"}"#)
            let (_, key) = try await server.createKey("staging")
            let first = try await server.send(
                "POST", "/sdk/v1/usage", body: #"{"counts": [{"flag": "ramp", "variant": "off", "count": 5000}]}"#, as: .bearer(key))
            #expect(first.status == 202 || first.status == 200, "\(first.status)")
            clock.advance(by: .seconds(2 * 3600))
            try await server.send("POST", "/sdk/v1/usage", body: #"{"counts": [{"flag": "ramp", "variant": "on", "count": 1234}]}"#, as: .bearer(key))
            let client = try await ConsoleTests.signIn(server)
            let page = try await client.get("/ui/flags/ramp?env=staging").body
            #expect(page.components(separatedBy: "<rect ").count - 1 == 24, "one bar per hour of the last day")
            #expect(page.contains(#"role="img" aria-labelledby="usage-title usage-desc""#))
            #expect(page.contains("<title>10:00 UTC: 5,000 evaluations</title>"))
            #expect(page.contains("<title>12:00 UTC: 1,234 evaluations</title>"))
            #expect(page.contains("<title>11:00 UTC: 0 evaluations</title>"))
            // The busiest hour is drawn full height; the text says what the chart shows.
            #expect(page.contains(#"y="0" width="16" height="100"><title>10:00 UTC"#))
            #expect(page.contains("6,234 evaluations in the last 24 hours; the busiest hour, 10:00 UTC, had 5,000."))
            #expect(page.contains(#"<tr><th scope="row">12:00</th><td>1,234</td></tr>"#), "the same figures as a table")
            // Per variant: evaluations, share and when each was last evaluated.
            #expect(page.contains(#"<tr><th scope="row">off</th><td>5,000</td><td>80.2 %</td><td>2 hours ago</td></tr>"#), "\(page)")
            #expect(page.contains(#"<tr><th scope="row">on</th><td>1,234</td><td>19.8 %</td><td>just now</td></tr>"#))
            // Another environment has no usage.
            let production = try await client.get("/ui/flags/ramp?env=production").body
            #expect(production.contains("Nothing evaluated this flag in production in the last 24 hours."))
            #expect(!production.contains("<rect "))
        }
    }
}
