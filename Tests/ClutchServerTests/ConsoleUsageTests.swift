import ClutchServer
import Foundation
import ServerTestSupport
import TestSupport
import Testing

/// The flag page's usage card (issue 27): evaluations per variant over the last day (per hour) or
/// week (per day) as a stacked SVG chart with a legend and a text alternative, a Day/Week switch,
/// and per variant its evaluations and when it was last evaluated.
@Suite("Console: usage you can see")
struct ConsoleUsageTests {
    @Test func theFlagPageDrawsTheLastDaysEvaluationsPerHourAndVariantAndEachVariantsLastEvaluation() async throws {
        // 10:30 UTC: reports land in the 10:00 hour, then two hours later in the 12:00 one.
        let clock = TestClock(now: Date(timeIntervalSince1970: 1_796_639_400))
        try await TestServer.with(configure: TestServer.on(clock)) { server in
            try await server.createFlag(#"{"key": "ramp", "type": "boolean"}"#)
            let (_, key) = try await server.createKey("staging")
            try await server.mustSend(
                "POST", "/sdk/v1/usage", body: #"{"counts": [{"flag": "ramp", "variant": "off", "count": 5000}]}"#, as: .bearer(key), expected: 202)
            clock.advance(by: .seconds(2 * 3600))
            try await server.mustSend(
                "POST", "/sdk/v1/usage", body: #"{"counts": [{"flag": "ramp", "variant": "on", "count": 1234}, {"flag": "ramp", "variant": "off", "count": 766}]}"#,
                as: .bearer(key), expected: 202)
            let client = try await ConsoleTests.signIn(server)
            let page = try await client.get("/ui/flags/ramp?env=staging").body
            #expect(page.contains(#"data-window="day""#))
            #expect(page.contains(#"role="img" aria-labelledby="usage-title usage-desc""#))
            #expect(page.contains("Evaluations per hour and variant in staging, the last 24 hours"))
            // One bar segment per variant and counted hour, stacked in the flag's order (on below off).
            #expect(page.components(separatedBy: #"<rect class="s"#).count - 1 == 3, "\(page)")
            #expect(page.contains("<title>10:00 UTC: off, 5,000 evaluations</title>"))
            #expect(page.contains(#"<rect class="s0" x="462" y="75.3" width="16" height="24.7"><title>12:00 UTC: on, 1,234 evaluations</title>"#))
            #expect(page.contains(#"<rect class="s1" x="462" y="60.0" width="16" height="15.3"><title>12:00 UTC: off, 766 evaluations</title>"#))
            // The busiest hour is drawn full height.
            #expect(page.contains(#"<rect class="s1" x="422" y="0.0" width="16" height="100.0"><title>10:00 UTC: off"#))
            // A legend, and the text says what the chart shows.
            #expect(page.contains(#"<li><span class="swatch s0" aria-hidden="true"></span>on</li><li><span class="swatch s1" aria-hidden="true"></span>off</li>"#))
            #expect(page.contains("7,000 evaluations in the last 24 hours (on 1,234, off 5,766); the busiest hour, 10:00 UTC, had 5,000."))
            // The same figures as a table: a column per variant and the total.
            #expect(page.contains(#"<th scope="col">Hour (UTC)</th><th scope="col">on</th><th scope="col">off</th><th scope="col">Total</th>"#))
            #expect(page.contains(#"<tr><th scope="row">12:00</th><td>1,234</td><td>766</td><td>2,000</td></tr>"#))
            #expect(page.contains(#"<tr><th scope="row">11:00</th><td>0</td><td>0</td><td>0</td></tr>"#))
            // Per variant: evaluations in the window, share, since first reported, and when last evaluated.
            #expect(page.contains(#"<span class="swatch s1" aria-hidden="true"></span>off</th><td>5,766</td><td>82.4 %</td><td>5,766</td><td>just now</td></tr>"#), "\(page)")
            #expect(page.contains(#"<span class="swatch s0" aria-hidden="true"></span>on</th><td>1,234</td><td>17.6 %</td><td>1,234</td><td>just now</td></tr>"#))
            // The Day/Week switch: links to the same page, the current one marked.
            #expect(page.contains(#"<a href="/ui/flags/ramp?env=staging#usage" aria-current="true" class="current">Day</a>"#))
            #expect(page.contains(#"<a href="/ui/flags/ramp?env=staging&amp;usage=week#usage">Week</a>"#))
            // Another environment has no usage; its variants were never evaluated.
            let production = try await client.get("/ui/flags/ramp?env=production").body
            #expect(production.contains("Nothing evaluated this flag in production in the last 24 hours."))
            #expect(!production.contains("<rect "))
            #expect(production.contains(#"<tr><th scope="row">on</th><td>0</td><td>0.0 %</td><td>0</td><td>never</td></tr>"#))
        }
    }

    @Test func theWeekSwitchDrawsSevenDaysPerVariantAndKeepsEachVariantsLastEvaluation() async throws {
        // Monday 7 December 2026, 09:00 UTC; the first report on the Thursday before.
        let monday = Date(timeIntervalSince1970: 1_796_601_600 + 9 * 3600)
        let clock = TestClock(now: monday.addingTimeInterval(-4 * 86_400))
        try await TestServer.with(configure: TestServer.on(clock)) { server in
            try await server.createFlag(#"{"key": "ramp", "type": "boolean"}"#)
            let (_, key) = try await server.createKey("staging")
            try await server.mustSend(
                "POST", "/sdk/v1/usage", body: #"{"counts": [{"flag": "ramp", "variant": "off", "count": 300}]}"#, as: .bearer(key), expected: 202)
            clock.advance(by: .seconds(4 * 86_400))
            try await server.mustSend(
                "POST", "/sdk/v1/usage", body: #"{"counts": [{"flag": "ramp", "variant": "on", "count": 100}]}"#, as: .bearer(key), expected: 202)
            let client = try await ConsoleTests.signIn(server)
            let week = try await client.get("/ui/flags/ramp?env=staging&usage=week").body
            #expect(week.contains(#"data-window="week""#))
            #expect(week.contains("Evaluations per day and variant in staging, the last 7 days (UTC)"))
            #expect(week.contains(#"<a href="/ui/flags/ramp?env=staging&amp;usage=week#usage" aria-current="true" class="current">Week</a>"#))
            #expect(week.contains("<title>Thu 3 Dec: off, 300 evaluations</title>"))
            #expect(week.contains("<title>Mon 7 Dec: on, 100 evaluations</title>"))
            #expect(week.contains(#"<th scope="col">Day (UTC)</th>"#))
            #expect(week.contains(#"<tr><th scope="row">Thu 3 Dec</th><td>0</td><td>300</td><td>300</td></tr>"#))
            #expect(week.contains("400 evaluations in the last 7 days (UTC) (on 100, off 300); the busiest day, Thu 3 Dec, had 300."))
            #expect(week.contains(#"off</th><td>300</td><td>75.0 %</td><td>300</td><td>4 days ago</td></tr>"#))
            // The day's chart no longer has Thursday.
            let day = try await client.get("/ui/flags/ramp?env=staging").body
            #expect(day.contains("100 evaluations in the last 24 hours (on 100); the busiest hour, 09:00 UTC, had 100."))
        }
    }
}
