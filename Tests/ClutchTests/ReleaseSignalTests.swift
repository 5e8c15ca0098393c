import ClutchProtocol
import Foundation
import ServerTestSupport
import TestSupport
import Testing

@testable import Clutch

/// The SDK's part in guarded releases, against the real server: errors attributed to the
/// variant served, and reports every 5 s while a release runs although the client's own
/// interval is a minute.
@Suite("SDK and guarded releases")
struct ReleaseSignalTests {
    @Test("recordError reaches the release's guard, attributed to the variant served; the stream switches the SDK to 5 s reports")
    func errorsReachTheGuard() async throws {
        try await TestServer.with { server in
            try await server.createFlag(#"{"key": "new-checkout", "environments": {"production": {"enabled": false}}}"#)
            let client = ClutchClient(configuration: Fixtures.configuration(
                server: try server.url, sdkKey: try await server.createKey().key, usageInterval: .seconds(60)))
            try await client.waitUntilReady(timeout: .seconds(10))
            #expect(client.core.cadence.reportEvery == nil)
            try await server.mustSend(
                "POST", "/api/v1/flags/new-checkout/environments/production/release",
                body: #"{"steps": [50, 100], "stepDuration": 3600, "bucketBy": "customerId"}"#, expected: 201)
            let told = try await eventually(timeout: .seconds(20)) { client.core.cadence.reportEvery == UsageCadence.releaseReportSeconds }
            #expect(told)
            // Waits for the release's change without evaluating (evaluations would be counted).
            let rolledOut = try await eventually(timeout: .seconds(20)) {
                let flag = client.core.source.withLock { $0 }?.snapshot?.flags.first { $0.key == "new-checkout" }
                return flag?.state(in: "production").enabled == true
            }
            #expect(rolledOut)

            var servedOn = 0
            var servedOff = 0
            for i in 0..<400 {
                let context = EvaluationContext(targetingKey: "user-\(i)", customerId: "customer-\(i)")
                if client.bool("new-checkout", default: false, context: context) {
                    servedOn += 1
                    client.recordError(flag: "new-checkout", context: context, count: 2)
                } else {
                    servedOff += 1
                    if i % 10 == 0 { client.recordError(flag: "new-checkout", context: context) }
                }
            }
            #expect(client.core.usage?.errors(flag: "new-checkout", variant: "on") == 2 * servedOn)
            // recordError evaluates without counting: the counts are the evaluations made.
            #expect(client.core.usage?.count(flag: "new-checkout", variant: "on") == servedOn)
            // The report goes out within seconds (the client's own interval is a minute). An
            // entry carries at most one error per evaluation (the server refuses more): the
            // second error of each waits for the next report's evaluations.
            var status: Value?
            let reported = try await eventually(timeout: .seconds(30)) {
                status = try await server.mustSend("GET", "/api/v1/flags/new-checkout/environments/production/release").json()
                return status?.at("total")?.objectValue?["new"]?.objectValue?["errors"] == .integer(Int64(servedOn))
            }
            #expect(reported, "\(status?.jsonText ?? "")")
            #expect(client.core.usage?.errors(flag: "new-checkout", variant: "on") == servedOn, "the rest waits")
            // The report names this process's instance: the guard keeps its evidence apart.
            let reporters = status?.at("reporters")?.arrayValue ?? []
            #expect(reporters.count == 1)
            #expect(reporters.first?.at("reporter")?.stringValue?.hasSuffix("/" + UsageCounter.instance) == true, "\(reporters)")
            #expect(status?.at("total")?.objectValue?["new"]?.objectValue?["evaluations"] == .integer(Int64(servedOn)))
            #expect(status?.at("total")?.objectValue?["other"]?.objectValue?["evaluations"] == .integer(Int64(servedOff)))
            await client.close()
        }
    }
}
