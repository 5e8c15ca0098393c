import ClutchCore
import Foundation
import ServerTestSupport
import TestSupport
import Testing

/// axe-core on every console page in headless Chromium (`console_axe.py`, axe-playwright-python):
/// no serious or critical violation on the sign-in and invite pages, the flag list (before and
/// after a search typed into it), a flag (with a change request's banner and a block's), its
/// history, the audit log, the cohorts, a cohort, the SDK keys, a person's tokens and the change
/// requests (the list and one request). Skipped, saying why, where Chromium, Playwright or axe is
/// missing (`scripts/ensure-deps.sh test` installs them).
@Suite("Web console accessibility")
struct ConsoleAccessibilityTests {
    static let missing: String? = {
        if let missing = ConsoleBrowserTests.missing { return missing }
        return pythonCanImport("axe_playwright_python") ? nil : "axe-playwright-python is not installed (pip install axe-playwright-python)"
    }()

    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("console_axe.py").path
    }

    @Test(.enabled(if: missing == nil, "\(missing ?? "")"), .timeLimit(.minutes(3)))
    func axeFindsNoSeriousViolationOnAnyConsolePage() async throws {
        try await TestServer.with { server in
            try await server.createFlag(#"{"key": "new-checkout", "description": "One-page checkout", "tags": ["checkout"]}"#)
            let (_, key) = try await server.createKey("production")
            // Usage, so that the flag page draws its chart (day and week).
            try await server.mustSend(
                "POST", "/sdk/v1/usage", body: #"{"counts": [{"flag": "new-checkout", "variant": "on", "count": 30}, {"flag": "new-checkout", "variant": "off", "count": 70}]}"#,
                as: .bearer(key), expected: 202)
            let cohort = try await server.send("POST", "/api/v1/environments/production/cohorts", body: #"{"key": "pilots", "members": ["acme"]}"#)
            #expect(cohort.status == 201)
            let person = try await server.send("POST", "/api/v1/users", body: #"{"email": "owner@example.com", "name": "Olive", "role": "owner"}"#)
            let invite = try #require(person["inviteUrl"]?.stringValue, "\(person.status) \(person.text)")
            // Issue 26: a change request (on the Requests pages and as a banner on the flag page) and a block.
            #expect(try await server.send(
                "PATCH", "/api/v1/environments/production", body: #"{"protection": {"requiredApprovals": 1, "allowSelfApproval": false}}"#).status == 200)
            #expect(try await server.send(
                "POST", "/api/v1/change-requests",
                body: #"{"flag": "new-checkout", "environment": "production", "instructions": [{"kind": "turnOn"}], "message": "launch"}"#).status == 201)
            #expect(try await server.send(
                "POST", "/api/v1/blocks", body: #"{"environment": "production", "flag": "new-checkout", "reason": "payments incident"}"#).status == 201)
            let output = try await PythonOFREPTests.run(
                ["python3", Self.script, "http://127.0.0.1:\(server.port)", TestServer.adminToken, "new-checkout", "pilots", invite, "owner@example.com"],
                timeout: .seconds(150))
            let result = try JSONDecoder().decode(Value.self, from: Data(output.utf8))
            let names = ["sign-in", "invite", "flags", "flags-searched", "flag", "flag-usage-week", "history", "audit", "cohorts", "cohort", "keys", "tokens", "requests", "request"]
            for name in names {
                let page = try #require(result.at("pages.\(name)"), "page \(name) was not checked")
                #expect(page.at("serious") == .array([]), "\(name) (\(page.at("url")?.stringValue ?? "")): \(page.at("serious") ?? .null)")
            }
            #expect(result.at("pages.tokens.url")?.stringValue?.hasSuffix("/ui/tokens") == true, "signed in as the invited person")
            // The search typed into the list was answered in place, and the address follows it.
            #expect(result.at("searchRows") == .integer(1))
            #expect(result.at("searchURL")?.stringValue?.contains("q=new-checkout") == true)
        }
    }
}
