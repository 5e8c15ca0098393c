import ClutchAPI
import ClutchCore
import ClutchServer
import Foundation
import ServerTestSupport
import TestSupport
import Testing

/// `GET /api/v1/flags/{key}/usage` (issue 27): a flag's evaluations per variant over the last day
/// or week in one environment, and when each variant was last evaluated.
@Suite("Usage per variant API")
struct UsageAPITests {
    /// Midnight UTC, Monday 7 December 2026.
    static let midnight = Date(timeIntervalSince1970: 1_796_601_600)

    static func series(_ server: TestServer, _ flag: String, _ query: String) async throws -> UsageSeries {
        let reply = try await server.mustSend("GET", "/api/v1/flags/\(flag)/usage?\(query)")
        return try ClutchJSON.strictDecoder().decode(UsageSeries.self, from: reply.body)
    }

    @Test("what a server counted and had not written yet is written when it stops: after a restart the usage still shows it")
    func countsNotYetWrittenSurviveAStop() async throws {
        let clock = TestClock(now: Self.midnight.addingTimeInterval(10 * 3_600))
        try await TestServer.with(configure: {
            TestServer.on(clock)(&$0)
            // No batch is written on its own within the test: only the stop can write them.
            $0.limits.usageFlushInterval = .seconds(3_600)
        }) { server in
            try await server.createFlag(#"{"key": "ramp", "type": "boolean", "environments": {"production": {"enabled": true, "default": {"variant": "on"}}}}"#)
            let (_, clientKey) = try await server.createKey("production", name: "ios", kind: "client")
            for user in ["a", "b", "c"] {
                try await server.mustSend(
                    "POST", "/ofrep/v1/evaluate/flags/ramp", body: #"{"context": {"targetingKey": "\#(user)"}}"#, as: .bearer(clientKey))
            }
            try await server.stop(remove: false)
            try await server.restart()
            let day = try await Self.series(server, "ramp", "environment=production")
            #expect(day.total == 3, "the three answers served before the stop")
        }
    }

    @Test func theUsageAnswersPerVariantForTheDayAndTheWeekFromReportsAndServedEvaluationsButNotAClientKeysErrors() async throws {
        let clock = TestClock(now: Self.midnight.addingTimeInterval(-3 * 86_400 + 10 * 3_600))  // Friday 10:00 UTC
        try await TestServer.with(configure: TestServer.on(clock)) { server in
            try await server.createFlag(#"{"key": "ramp", "type": "boolean", "environments": {"production": {"enabled": true, "default": {"variant": "on"}}}}"#)
            let (_, serverKey) = try await server.createKey("production")
            let (_, clientKey) = try await server.createKey("production", name: "ios", kind: "client")
            try await server.mustSend(
                "POST", "/sdk/v1/usage", body: #"{"counts": [{"flag": "ramp", "variant": "off", "count": 40}, {"flag": "ramp", "variant": "on", "count": 2}]}"#,
                as: .bearer(serverKey), expected: 202)
            // Three days later (Monday 09:00): the server counts the two answers it serves the client key
            // itself; the key's report carries an error only and adds no evaluation.
            clock.advance(by: .seconds(3 * 86_400 - 3_600))
            for user in ["a", "b"] {
                try await server.mustSend(
                    "POST", "/ofrep/v1/evaluate/flags/ramp", body: #"{"context": {"targetingKey": "\#(user)"}}"#, as: .bearer(clientKey))
            }
            try await server.mustSend(
                "POST", "/sdk/v1/usage", body: #"{"counts": [{"flag": "ramp", "variant": "on", "count": 0, "errors": 1}]}"#,
                as: .bearer(clientKey), expected: 202)
            clock.advance(by: .seconds(1_800))  // 09:30

            let week = try await Self.series(server, "ramp", "environment=production&window=week")
            #expect(week.window == .week && week.pointSeconds == 86_400 && week.environment == "production" && week.flag == "ramp")
            #expect(week.points.first == Self.midnight.addingTimeInterval(-6 * 86_400) && week.points.last == Self.midnight)
            #expect(week.variants.map(\.key) == ["on", "off"])
            #expect(week.variants[0].evaluations == [0, 0, 0, 2, 0, 0, 2])
            #expect(week.variants[1].evaluations == [0, 0, 0, 40, 0, 0, 0])
            #expect(week.totals == [0, 0, 0, 42, 0, 0, 2])
            #expect(week.variants.map(\.allTime) == [4, 40])
            #expect(week.variants[0].lastEvaluated == Self.midnight.addingTimeInterval(9 * 3_600))
            #expect(week.variants[1].lastEvaluated == Self.midnight.addingTimeInterval(-3 * 86_400 + 10 * 3_600))

            // The day (the default window): 24 hours, Friday's reports outside it.
            let day = try await Self.series(server, "ramp", "environment=production")
            #expect(day.window == .day && day.points.count == 24 && day.pointSeconds == 3_600)
            #expect(day.totals.last == 2 && day.total == 2, "this hour's two served evaluations")
            #expect(day.variants.map(\.total) == [2, 0])
            // "lastEvaluated": null, not left out, for a variant never evaluated.
            let staging = try await server.mustSend("GET", "/api/v1/flags/ramp/usage?environment=staging&window=day")
            #expect(staging.text.contains(#""lastEvaluated":null"#), "\(staging.text)")

            let noEnvironment = try await server.send("GET", "/api/v1/flags/ramp/usage")
            #expect(noEnvironment.status == 400 && noEnvironment.errorField == "environment")
            let month = try await server.send("GET", "/api/v1/flags/ramp/usage?environment=production&window=month")
            #expect(month.status == 400 && month.errorField == "window", "\(month.text)")
            #expect(try await server.send("GET", "/api/v1/flags/nope/usage?environment=production").status == 404)
            #expect(try await server.send("GET", "/api/v1/flags/ramp/usage?environment=nowhere").status == 404)
        }
    }
}
