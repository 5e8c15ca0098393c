import ClutchCore
import ClutchServer
import Foundation
import ServerTestSupport
import TestSupport
import Testing

/// Refused requests: each gets a clear error naming the problem, and nothing changes.
@Suite("Bad inputs")
struct BadInputTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let method: String
        let path: String
        let body: String?
        var headers: [String: String] = [:]
        let status: Int
        let code: String
        /// A prefix the error's `field` must have; `nil` when no field is expected.
        var field: String? = nil

        var testDescription: String { name }
    }

    static let gate = #"{"key": "gate", "environments": {"production": {"enabled": true}}}"#

    static let cases: [Case] = [
        Case(name: "malformed JSON", method: "POST", path: "/api/v1/flags", body: #"{"key": "#, status: 400, code: "bad_request"),
        Case(name: "empty body", method: "POST", path: "/api/v1/flags", body: "", status: 400, code: "bad_request"),
        Case(name: "JSON that is not an object", method: "POST", path: "/api/v1/flags", body: "[1, 2]", status: 400, code: "validation_failed"),
        Case(name: "invalid key", method: "POST", path: "/api/v1/flags", body: #"{"key": "Bad Key"}"#, status: 400, code: "validation_failed", field: "key"),
        Case(name: "missing key", method: "POST", path: "/api/v1/flags", body: #"{"description": "x"}"#, status: 400, code: "validation_failed", field: "key"),
        Case(name: "unknown type", method: "POST", path: "/api/v1/flags", body: #"{"key": "x", "type": "color"}"#, status: 400, code: "validation_failed", field: "type"),
        Case(
            name: "wrong field type", method: "POST", path: "/api/v1/flags",
            body: #"{"key": "x", "environments": {"production": {"enabled": "yes"}}}"#, status: 400, code: "validation_failed",
            field: "environments.production.enabled"),
        Case(
            name: "unknown variant", method: "PUT", path: "/api/v1/flags/gate/environments/production",
            body: #"{"enabled": true, "default": {"variant": "blue"}}"#, status: 400, code: "validation_failed", field: "default.variant"),
        Case(
            name: "unknown cohort in a rule", method: "POST", path: "/api/v1/flags",
            body: #"{"key": "y", "environments": {"production": {"enabled": true, "rules": [{"clauses": [{"cohort": "ghost"}], "serve": {"variant": "on"}}]}}}"#,
            status: 400, code: "validation_failed", field: "environments.production.rules[0]"),
        Case(
            name: "body key differs from path", method: "PUT", path: "/api/v1/flags/gate", body: #"{"key": "other"}"#, status: 400,
            code: "validation_failed", field: "key"),
        Case(name: "unknown environment", method: "PUT", path: "/api/v1/flags/gate/environments/nowhere", body: #"{"enabled": true}"#, status: 404, code: "not_found"),
        Case(name: "unknown flag", method: "POST", path: "/api/v1/flags/nope/environments/production/on", body: nil, status: 404, code: "not_found"),
        Case(name: "unknown flag read", method: "GET", path: "/api/v1/flags/nope", body: nil, status: 404, code: "not_found"),
        Case(
            name: "environment update without its protection field", method: "PATCH", path: "/api/v1/environments/production",
            body: "{}", status: 400, code: "validation_failed", field: "protection"),
        Case(
            name: "code scan naming an unknown flag", method: "POST", path: "/api/v1/code-refs",
            body: #"{"repo": "app", "branch": "main", "commit": "abc", "references": [{"flag": "gate", "path": "a.swift", "line": 1, "context": ""}, {"flag": "ghost", "path": "b.swift", "line": 2, "context": ""}]}"#,
            status: 400, code: "validation_failed", field: "references[1].flag"),
        Case(
            name: "code scan with a misspelled reference field", method: "POST", path: "/api/v1/code-refs",
            body: #"{"repo": "app", "branch": "main", "commit": "abc", "references": [{"flag": "gate", "path": "a.swift", "line": 1, "context": "", "alais": "x"}]}"#,
            status: 400, code: "validation_failed", field: "references[0].alais"),
        Case(
            name: "code scan of a bad commit", method: "POST", path: "/api/v1/code-refs",
            body: #"{"repo": "app", "branch": "main", "commit": "not a sha", "references": []}"#, status: 400, code: "validation_failed", field: "commit"),
        Case(
            name: "malformed If-Match", method: "POST", path: "/api/v1/flags/gate/environments/production/off", body: nil,
            headers: ["If-Match": "yesterday"], status: 400, code: "bad_request", field: "If-Match"),
        Case(
            name: "stale If-Match", method: "POST", path: "/api/v1/flags/gate/environments/production/off", body: nil,
            headers: ["If-Match": "\"99\""], status: 409, code: "conflict"),
        Case(name: "stale If-Match on delete", method: "DELETE", path: "/api/v1/flags/gate", body: nil, headers: ["If-Match": "7"], status: 409, code: "conflict"),
        Case(
            name: "stale If-Match on rollback", method: "POST", path: "/api/v1/flags/gate/rollback", body: #"{"revision": 1}"#,
            headers: ["If-Match": "7"], status: 409, code: "conflict"),
        Case(
            name: "stale If-Match on changes", method: "POST", path: "/api/v1/flags/gate/environments/production/changes",
            body: #"{"instructions": [{"kind": "turnOff"}]}"#, headers: ["If-Match": "7"], status: 409, code: "conflict"),
        Case(name: "existing flag", method: "POST", path: "/api/v1/flags", body: gate, status: 409, code: "conflict"),
        Case(name: "body over 1 MiB", method: "POST", path: "/api/v1/flags", body: #"{"key": "big", "description": ""# + String(repeating: "x", count: 1_100_000) + #""}"#, status: 413, code: "payload_too_large"),
        Case(name: "diff without from", method: "GET", path: "/api/v1/flags/gate/diff", body: nil, status: 400, code: "bad_request", field: "from"),
        Case(name: "unknown revision", method: "POST", path: "/api/v1/flags/gate/rollback", body: #"{"revision": 42}"#, status: 404, code: "not_found"),
        Case(name: "audit limit 0", method: "GET", path: "/api/v1/audit?limit=0", body: nil, status: 400, code: "bad_request", field: "limit"),
        Case(name: "empty key name", method: "POST", path: "/api/v1/environments/production/keys", body: #"{"name": " "}"#, status: 400, code: "validation_failed", field: "name"),
        Case(name: "export format", method: "GET", path: "/api/v1/export?format=xml", body: nil, status: 400, code: "bad_request", field: "format"),
        Case(
            name: "malformed YAML import", method: "POST", path: "/api/v1/import", body: "flags: [\n  - key: [",
            headers: ["Content-Type": "application/yaml"], status: 400, code: "bad_request"),
        Case(name: "unknown cohort delete", method: "DELETE", path: "/api/v1/environments/production/cohorts/ghost", body: nil, status: 404, code: "not_found"),
        Case(name: "members of unknown environment", method: "POST", path: "/api/v1/environments/nowhere/cohorts/x/members", body: #"{"add": ["a"]}"#, status: 404, code: "not_found"),
        Case(name: "kill unknown environment", method: "POST", path: "/api/v1/flags/gate/kill", body: #"{"environments": ["nowhere"]}"#, status: 404, code: "not_found"),
        Case(name: "negative usage", method: "POST", path: "/sdk/v1/usage", body: #"{"counts": [{"flag": "gate", "variant": "on", "count": -1}]}"#, status: 400, code: "validation_failed", field: "counts[0].count"),
    ]

    @Test(arguments: cases)
    func refusedAndNothingChanged(_ input: Case) async throws {
        try await TestServer.with { server in
            try await server.createFlag(Self.gate)
            let (_, sdkKey) = try await server.createKey("production")
            let before = try await Self.state(server)
            let credential: TestServer.Credential = input.path.hasPrefix("/sdk/") ? .bearer(sdkKey) : .admin
            let reply = try await server.send(input.method, input.path, body: input.body, as: credential, headers: input.headers)
            #expect(reply.status == input.status, "\(reply.text)")
            #expect(reply.errorCode == input.code, "\(reply.text)")
            #expect(reply["error.message"]?.stringValue?.isEmpty == false)
            if let field = input.field {
                #expect(reply.errorField?.hasPrefix(field) == true, "field: \(reply.errorField ?? "none") in \(reply.text)")
            }
            #expect(try await Self.state(server) == before, "the refused request changed something")
        }
    }

    /// Everything a refused write could have touched.
    static func state(_ server: TestServer) async throws -> [String] {
        [
            try await server.send("GET", "/api/v1/export").text,
            try await server.send("GET", "/api/v1/audit?limit=1000").text,
            try await server.send("GET", "/api/v1/keys").text,
            try await server.send("GET", "/api/v1/flags/gate").text,
        ]
    }
}
