import ClutchCore
import ClutchServer
import Foundation
import ServerTestSupport
import TestSupport
import Testing

/// The contract check that the suites run the real server under (`checkContract`): it must
/// catch each way a request or response can drift from the document, and let conforming ones by.
@Suite("Contract check")
struct ContractCheckTests {
    /// A one-operation document: `POST /things/{id}` takes `{"name": string}` and `?dryRun`,
    /// answers 200 with `{"id": integer}` or a documented 400.
    static let document = """
        {"openapi": "3.1.0", "paths": {"/things/{id}": {"post": {
          "parameters": [{"name": "dryRun", "in": "query", "schema": {"type": "boolean"}}],
          "requestBody": {"content": {"application/json": {"schema": {"type": "object", "required": ["name"],
            "properties": {"name": {"type": "string"}}, "additionalProperties": false}},
            "application/yaml": {"schema": {}}}},
          "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object",
            "required": ["id"], "properties": {"id": {"type": "integer"}}, "additionalProperties": false}}}},
            "400": {"description": "Bad"}}}}}}
        """

    struct RequestCase: Sendable, CustomTestStringConvertible {
        var name: String
        var query: Set<String> = []
        var contentType: String? = "application/json"
        var body: String
        /// A fragment of the one problem expected; `nil` when the request conforms.
        var problem: String?
        var testDescription: String { name }
    }

    @Test(arguments: [
        RequestCase(name: "conforming", query: ["dryRun"], body: #"{"name": "a"}"#, problem: nil),
        RequestCase(name: "no content type is JSON", contentType: nil, body: #"{"name": "a"}"#, problem: nil),
        RequestCase(name: "YAML is listed", contentType: "application/yaml", body: "name: a", problem: nil),
        RequestCase(name: "undocumented query", query: ["bogus"], body: #"{"name": "a"}"#, problem: "query parameter 'bogus'"),
        RequestCase(name: "undocumented field", body: #"{"name": "a", "extra": 1}"#, problem: "unexpected property 'extra'"),
        RequestCase(name: "missing field", body: #"{}"#, problem: "missing required property 'name'"),
        RequestCase(name: "wrong type", body: #"{"name": 3}"#, problem: "expected string"),
        RequestCase(name: "unlisted media type", contentType: "text/plain", body: "x", problem: "type text/plain"),
        RequestCase(name: "not JSON", body: "{", problem: "not JSON"),
    ])
    func acceptedRequests(_ example: RequestCase) throws {
        let check = ContractCheck(contract: try SchemaValidator(json: Self.document))
        let template = try #require(check.template(method: "POST", path: "/things/42"))
        let problems = check.requestProblems(
            method: "POST", template: template, queryNames: example.query, contentType: example.contentType,
            body: Array(example.body.utf8))
        if let expected = example.problem {
            #expect(problems.count == 1 && problems[0].contains(expected), "\(problems)")
        } else {
            #expect(problems.isEmpty, "\(problems)")
        }
    }

    @Test(arguments: [
        (200, #"{"id": 1}"#, nil),
        (200, #"{"id": 1, "secret": "x"}"#, "unexpected property 'secret'"),
        (200, #"{"id": "1"}"#, "expected integer"),
        (201, #"{"id": 1}"#, "status 201 is not documented"),
        (400, #"{"error": {}}"#, "a JSON body for status 400 is not documented"),
    ] as [(Int, String, String?)])
    func responses(status: Int, body: String, problem: String?) throws {
        let check = ContractCheck(contract: try SchemaValidator(json: Self.document))
        let problems = check.responseProblems(method: "post", template: "/things/{id}", status: status, jsonBody: Array(body.utf8))
        if let problem {
            #expect(problems.count == 1 && problems[0].contains(problem), "\(problems)")
        } else {
            #expect(problems.isEmpty, "\(problems)")
        }
    }

    @Test func undocumentedPathsAreNotOperations() throws {
        let check = ContractCheck(contract: try SchemaValidator(json: Self.document))
        #expect(check.template(method: "GET", path: "/things/42") == nil)
        #expect(check.template(method: "POST", path: "/other") == nil)
    }

    /// The real server with the check on answers an accepted but undocumented request with a
    /// 500 that names it; with the check off (production) the same request succeeds.
    @Test(arguments: [true, false])
    func realServerEnforcesTheDocument(checked: Bool) async throws {
        try await TestServer.with(configure: { $0.checkContract = checked }) { server in
            let reply = try await server.send("GET", "/api/v1/flags?bogus=1")
            if checked {
                #expect(reply.status == 500)
                #expect(reply.text.contains("query parameter 'bogus' is not documented"), "\(reply.text)")
            } else {
                #expect(reply.status == 200, "\(reply.text)")
            }
        }
    }
}
