import ClutchCore
import Foundation
import ServerTestSupport
import TestSupport
import Testing

@testable import ClutchServer

extension ConsoleBrowserTests {
    static var requestsScript: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("console_requests.py").path
    }

    /// Issue 26 in the browser: in protected production a product owner (an editor) turns a flag
    /// on from its page, which opens a change request instead of applying; OFREP still serves
    /// off. A second editor approves it from the Requests page and applies it; then OFREP serves on.
    @Test(.enabled(if: missing == nil, "\(missing ?? "")"), .timeLimit(.minutes(4)))
    func aProductOwnersRequestIsApprovedFromTheRequestsPageByASecondPerson() async throws {
        try await TestServer.with { server in
            try await server.createFlag(#"{"key": "new-checkout", "type": "boolean", "description": "The new checkout"}"#)
            let protected = try await server.send(
                "PATCH", "/api/v1/environments/production", body: #"{"protection": {"requiredApprovals": 1, "allowSelfApproval": false}}"#)
            #expect(protected.status == 200)
            _ = try await SignInTests.invite(server, "po@example.com", name: "Pat Owner", role: .editor)
            _ = try await SignInTests.invite(server, "rev@example.com", name: "Robin Reviewer", role: .editor)
            let (_, key) = try await server.createKey("production")
            func served() async throws -> Value? {
                try await server.send(
                    "POST", "/ofrep/v1/evaluate/flags/new-checkout", body: #"{"context": {"targetingKey": "u1"}}"#, as: .apiKey(key))["value"]
            }
            func visit(_ phase: String, _ email: String) async throws -> Value {
                let output = try await PythonOFREPTests.run([
                    "python3", Self.requestsScript, "http://127.0.0.1:\(server.port)", phase, email, SignInTests.password, "new-checkout",
                    Self.screenshots,
                ], timeout: .seconds(150))
                return try JSONDecoder().decode(Value.self, from: Data(output.utf8))
            }
            let requested = try await visit("request", "po@example.com")
            #expect(requested.at("signedInAs") == .string("Signed in as Pat Owner"))
            #expect(requested.at("pendingDiff")?.stringValue?.contains("production: switched on") == true, "\(requested)")
            #expect(requested.at("reviewHint")?.stringValue?.contains("production is protected") == true, "\(requested)")
            #expect(requested.at("applyOffered") == .integer(0))
            #expect(requested.at("notice") == .string("Change request 1 opened: needs 1 approval."))
            #expect(requested.at("bannerDiff")?.stringValue?.hasPrefix("production: switched on") == true, "\(requested)")
            #expect(requested.at("bannerStatus") == .string("open"))
            #expect(requested.at("ownApproveOffered") == .integer(0), "no self-approval here")
            #expect(requested.at("cancelOffered") == .integer(1))
            #expect(requested.at("stateAfterRequest") == .string("Off"))
            #expect(try await served() == .bool(false), "nothing changed before approval")

            let approved = try await visit("approve", "rev@example.com")
            #expect(approved.at("signedInAs") == .string("Signed in as Robin Reviewer"))
            #expect(approved.at("listDiff")?.stringValue?.hasPrefix("production: switched on") == true, "\(approved)")
            #expect(approved.at("listMeta")?.stringValue?.contains("Opened by po@example.com") == true, "\(approved)")
            #expect(approved.at("listMeta")?.stringValue?.contains("0 of 1 approvals") == true, "\(approved)")
            #expect(approved.at("listMessage") == .string("“launch day”"))
            #expect(approved.at("approvedNotice") == .string("Approved."))
            #expect(approved.at("approvedStatus") == .string("approved"))
            #expect(approved.at("appliedNotice") == .string("Change request applied."))
            #expect(approved.at("stateAfterApply") == .string("On"))
            #expect(approved.at("dialogs")?.arrayCount == 0)
            #expect(try await served() == .bool(true), "served once applied")
            let request = try await server.application.services.store.changeRequest(1)
            #expect(request.status == .applied)
            #expect(request.reviews.map(\.reviewer) == ["rev@example.com"])
            let size = (try? FileManager.default.attributesOfItem(atPath: Self.screenshots + "/console-requests.png"))?[.size] as? Int ?? 0
            #expect(size > 10_000, "screenshot console-requests.png is \(size) bytes")
        }
    }
}
