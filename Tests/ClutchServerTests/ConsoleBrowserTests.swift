import ClutchCore
import Foundation
import Testing

/// The console in real headless Chromium, driven by Playwright for Python (`console_browser.py`):
/// sign in through the form, switch a flag on in staging, and check the result over OFREP.
/// Skipped, saying why, where Chromium or Playwright is missing (`scripts/ensure-deps.sh test`
/// installs both).
@Suite("Web console in a browser")
struct ConsoleBrowserTests {
    static let chromium = "/usr/bin/chromium"

    /// Why the test cannot run here, or `nil` when it can.
    static let missing: String? = {
        guard FileManager.default.isExecutableFile(atPath: chromium) else {
            return "Chromium is not installed at \(chromium) (apt-get install chromium)"
        }
        return pythonCanImport("playwright.sync_api") ? nil : "Playwright for Python is not installed (pip install playwright)"
    }()

    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("console_browser.py").path
    }

    @Test(.enabled(if: missing == nil, "\(missing ?? "")"), .timeLimit(.minutes(1)))
    func signInAndSwitchOnInStaging() async throws {
        try await TestServer.with { server in
            try await server.createFlag(#"{"key": "dark-mode", "type": "boolean", "description": "Dark theme", "tags": ["ui"]}"#)
            let (_, key) = try await server.createKey("staging")
            let output = try await PythonOFREPTests.run([
                "python3", Self.script, "http://127.0.0.1:\(server.port)", TestServer.adminToken, "dark-mode", "staging",
            ])
            let result = try JSONDecoder().decode(Value.self, from: Data(output.utf8))
            #expect(result.at("signedOutURL")?.stringValue?.hasSuffix("/ui/login") == true)
            #expect(result.at("listURL")?.stringValue?.hasSuffix("/ui/flags") == true)
            #expect(result.at("listHasFlag") == .bool(true))
            #expect(result.at("notice") == .string("Switched on."))
            #expect(result.at("state") == .string("On"))
            #expect(result.at("phoneOverflow") == .bool(false))
            let evaluation = try await server.send(
                "POST", "/ofrep/v1/evaluate/flags/dark-mode", body: #"{"context": {"targetingKey": "u1"}}"#, as: .apiKey(key))
            #expect(evaluation["value"] == .bool(true))
            let revisions = try await server.send("GET", "/api/v1/flags/dark-mode/revisions")
            #expect(revisions.text.contains("from the browser test"))
        }
    }
}
