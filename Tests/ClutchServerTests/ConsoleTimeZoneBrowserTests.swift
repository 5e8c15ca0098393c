import ClutchCore
import Foundation
@testable import ClutchServer
import ServerTestSupport
import TestSupport
import Testing

/// The schedule form in a browser in another time zone (`console_timezone.py`): the viewer types
/// their own date and time, console.js sends the offset, the server schedules the same instant in
/// UTC, and the page shows it in the viewer's time with the UTC time beside it.
@Suite("Console scheduling in the viewer's time zone, in a browser")
struct ConsoleTimeZoneBrowserTests {
    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("console_timezone.py").path
    }

    @Test(.enabled(if: ConsoleBrowserTests.missing == nil, "\(ConsoleBrowserTests.missing ?? "")"), .timeLimit(.minutes(3)))
    func nineInTheMorningInSaoPauloIsScheduledAtNoonUTCAndShownBothWays() async throws {
        let clock = TestClock()
        try await TestServer.with(configure: TestServer.on(clock)) { server in
            try await server.createFlag(#"{"key": "morning", "type": "boolean"}"#)
            let day = String(ISO8601DateFormatter().string(from: clock.now().addingTimeInterval(86_400)).prefix(10))
            let output = try await PythonOFREPTests.run(
                ["python3", Self.script, "http://127.0.0.1:\(server.port)", TestServer.adminToken, "morning", "\(day)T09:00", "America/Sao_Paulo"],
                timeout: .seconds(120))
            let result = try JSONDecoder().decode(Value.self, from: Data(output.utf8))
            #expect(result.at("label")?.stringValue?.contains("(your time, America/Sao_Paulo)") == true, "\(result)")
            #expect(result.at("notice") == .string("Change scheduled."))
            #expect(result.at("shown") == .string("\(day) 09:00 your time (America/Sao_Paulo) · \(day) 12:00 UTC"), "\(result)")
            let schedules = try await server.mustSend("GET", "/api/v1/schedules")
            #expect(schedules["schedules[0].at"]?.stringValue?.hasPrefix("\(day)T12:00:00") == true, "\(schedules.text)")
        }
    }
}
