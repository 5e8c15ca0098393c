import ClutchCore
import ClutchServer
import Foundation
import HTTPTestSupport
import Logging
import ServerTestSupport
import TestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Keeps `GET /openapi.json` true: the real server's responses are checked against the schema the
/// document gives for that operation and status, and every documented route must exist.
@Suite("OpenAPI document")
struct OpenAPITests {
    @Test func documentIsOpenAPI31WithResolvableReferences() throws {
        let validator = try SchemaValidator.served.get()
        guard case .object(let root) = validator.document else {
            Issue.record("the document is not a JSON object")
            return
        }
        #expect(root["openapi"] == .string("3.1.0"))
        #expect(validator.pathTemplates.count >= 30)
        var references: [String] = []
        Self.collectReferences(validator.document, into: &references)
        #expect(!references.isEmpty)
        let dangling = references.filter { validator.resolve($0) == nil }
        #expect(dangling.isEmpty, "unresolvable: \(dangling)")
        for template in validator.pathTemplates {
            for method in ["get", "put", "post", "delete"] {
                guard case .object(let operation)? = validator.operation(method, template) else { continue }
                #expect(operation["responses"] != nil, "\(method) \(template) lists no responses")
            }
        }
    }

    /// Every route the server's router serves is an operation of the document (and the other
    /// tests here check that every documented operation answers as documented).
    @Test func everyRouteServedIsDocumented() async throws {
        let validator = try SchemaValidator.served.get()
        func shape(_ path: String) -> String {
            path.replacing(/\{[^}]*\}/, with: "{}").replacing(/:[A-Za-z]+/, with: "{}")
        }
        var documented: Set<String> = []
        for template in validator.pathTemplates {
            for method in ["get", "put", "patch", "post", "delete"] where validator.operation(method, template) != nil {
                documented.insert("\(method.uppercased()) \(shape(template))")
            }
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("clutch-routes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let configuration = ServerConfiguration(
            host: "127.0.0.1", port: 0, databasePath: directory.appendingPathComponent("clutch.db").path,
            bootstrapToken: TestServer.adminToken, cliConfigPath: directory.appendingPathComponent("config.json").path)
        let application = try await ClutchApplication(configuration: configuration, logger: Logger(label: "routes", factory: { _ in SwiftLogNoOpLogHandler() }))
        defer { try? application.close() }
        let served = application.routes.compactMap { route -> String? in
            let parts = route.split(separator: " ", maxSplits: 1).map(String.init)
            let path = parts.count > 1 ? parts[1] : ""
            // The web console (`/ui`, and `/` which redirects to it) serves HTML pages for people,
            // not the API: it is not part of the document.
            if path == "/" || path == "/ui" || path.hasPrefix("/ui/") { return nil }
            return "\(parts[0]) \(shape(path))"
        }
        #expect(served.count >= 30, "\(served)")
        let undocumented = served.filter { !documented.contains($0) }
        #expect(undocumented.isEmpty, "served but not in the document: \(undocumented)")
    }

    /// Every `METHOD /path` that docs/api.md (the contract) names is an operation of the document.
    @Test func everyEndpointOfTheContractIsDocumented() throws {
        let validator = try SchemaValidator.served.get()
        let contract = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/api.md")
        let text = try String(contentsOf: contract, encoding: .utf8)
        // Parameter names differ (`{key}` for a cohort in the prose); compare shapes only.
        func shape(_ path: String) -> String {
            path.replacing(/\{[^}]*\}/, with: "{}")
        }
        var documented: Set<String> = []
        for template in validator.pathTemplates {
            for method in ["get", "put", "patch", "post", "delete"] where validator.operation(method, template) != nil {
                documented.insert("\(method.uppercased()) \(shape(template))")
            }
        }
        var named: [String] = []
        for match in text.matches(of: /`((?:GET|POST|PUT|DELETE)(?:\|(?:GET|POST|PUT|DELETE))*) (\/[^\s`\[?]*)/) {
            for method in match.output.1.split(separator: "|") {
                named.append("\(method) \(shape(String(match.output.2)))")
            }
        }
        #expect(named.count >= 30, "only \(named.count) endpoints found in docs/api.md")
        let missing = named.filter { !documented.contains($0) }
        #expect(missing.isEmpty, "in docs/api.md but not in the OpenAPI document: \(missing)")
    }

    /// `GET /openapi.json` answers the committed `docs/openapi.json` byte for byte.
    @Test func servedDocumentIsTheCommittedFile() async throws {
        let file = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/openapi.json")
        let committed = try Data(contentsOf: file)
        try await TestServer.withDocumentedServer { server in
            let reply = try await server.send("GET", "/openapi.json")
            #expect(reply.status == 200)
            #expect(reply.body == committed, "served \(reply.body.count) bytes, the file has \(committed.count)")
        }
    }

    @Test func realResponsesMatchTheDocument() async throws {
        let validator = try SchemaValidator.served.get()
        try await TestServer.withDocumentedServer { server in
            var checker = ResponseChecker(validator: validator)
            try await OpenAPIScenario.run(server, &checker)
            #expect(checker.checked >= 40, "only \(checker.checked) responses checked")
            // Every documented operation is exercised (the endless streams have their own tests;
            // the client stream's events are checked against the document in ClientKeyTests).
            let streams: Set<String> = [
                "GET /sdk/v1/stream", "GET /ofrep/v1/events", "GET /sdk/v1/client/stream", "POST /sdk/v1/client/stream",
            ]
            var unexercised: [String] = []
            for template in validator.pathTemplates {
                for method in ["get", "put", "patch", "post", "delete"] where validator.operation(method, template) != nil {
                    let name = "\(method.uppercased()) \(template)"
                    if !streams.contains(name), !checker.exercised.contains(name) { unexercised.append(name) }
                }
            }
            #expect(unexercised.isEmpty, "not exercised: \(unexercised)")
            #expect(checker.problems.isEmpty, "\(checker.problems.joined(separator: "\n"))")
        }
    }

    @Test func everyDocumentedGETRouteExists() async throws {
        let validator = try SchemaValidator.served.get()
        try await TestServer.withDocumentedServer { server in
            let fixture = try await OpenAPIScenario.seed(server)
            // The release route answers 404 until the flag has had a release in the environment.
            _ = try await server.send(
                "POST", "/api/v1/flags/\(fixture.flag)/environments/production/release", body: #"{"variant": "express", "stepDuration": 3600}"#)
            var missing: [String] = []
            var tried = 0
            for template in validator.pathTemplates where validator.operation("get", template) != nil {
                let path = template
                    .replacingOccurrences(of: "{key}", with: fixture.flag)
                    .replacingOccurrences(of: "{env}", with: "production")
                    .replacingOccurrences(of: "{cohortKey}", with: fixture.cohort)
                    .replacingOccurrences(of: "{n}", with: "1")
                    .replacingOccurrences(of: "{id}", with: fixture.keyID)
                    .replacingOccurrences(of: "{scheduleId}", with: fixture.scheduleID)
                    .replacingOccurrences(of: "{webhookId}", with: fixture.webhookID)
                    .replacingOccurrences(of: "{requestId}", with: fixture.requestID)
                let query = template.hasSuffix("/diff") ? "?from=1" : ""
                let credential: TestServer.Credential = path.hasPrefix("/api/") ? .admin : .bearer(fixture.sdkKey)
                let status =
                    template == "/sdk/v1/stream" || template == "/ofrep/v1/events"
                    ? try await server.streamStatus(path, credential: credential)
                    : try await server.send("GET", path + query, as: credential).status
                tried += 1
                if status == 404 || status == 405 || status >= 500 { missing.append("GET \(path): \(status)") }
            }
            #expect(tried >= 15)
            #expect(missing.isEmpty, "\(missing)")
        }
    }

    @Test func streamEventsMatchTheDocument() async throws {
        let validator = try SchemaValidator.served.get()
        try await TestServer.withDocumentedServer { server in
            let fixture = try await OpenAPIScenario.seed(server)
            let stream = try server.openStream(sdkKey: fixture.sdkKey)
            defer { stream.close() }
            let first = try await stream.events(count: 1, timeout: .seconds(10))
            #expect(stream.status == 200)
            #expect(first.first?.name == "snapshot")

            let cohorts = "/api/v1/environments/production/cohorts"
            #expect(try await server.send("POST", "/api/v1/flags/\(fixture.flag)/environments/production/off").status == 200)
            #expect(try await server.send("POST", cohorts, body: #"{"key": "late", "members": ["x"]}"#).status == 201)
            #expect(try await server.send("DELETE", "\(cohorts)/late").status == 204)
            #expect(try await server.send("DELETE", "/api/v1/flags/\(fixture.flag)").status == 204)
            let events = try await stream.events(count: 5, timeout: .seconds(10))
            #expect(events.map(\.name) == ["snapshot", "flag", "cohort", "cohort-deleted", "flag-deleted"])

            let schemas = [
                "snapshot": "Snapshot", "flag": "SSEFlagEvent", "flag-deleted": "SSEDeletedEvent",
                "cohort": "SSECohortEvent", "cohort-deleted": "SSEDeletedEvent",
            ]
            for event in events {
                let schemaName = try #require(schemas[event.name], "undocumented event \(event.name)")
                let schema = try #require(validator.resolve("#/components/schemas/\(schemaName)"))
                let data = try JSONDecoder().decode(Value.self, from: Data(event.data.utf8))
                #expect(validator.errors(data, against: schema) == [], "event \(event.name)")
                var version: Value?
                if case .object(let fields) = data { version = fields["version"] }
                #expect(event.id != nil && event.id == version?.jsonText, "event \(event.name) id \(event.id ?? "none")")
            }
        }
    }

    private static func collectReferences(_ value: Value, into references: inout [String]) {
        switch value {
        case .object(let object):
            if case .string(let reference)? = object["$ref"] { references.append(reference) }
            for member in object.values { collectReferences(member, into: &references) }
        case .array(let array):
            for element in array { collectReferences(element, into: &references) }
        default:
            break
        }
    }
}

@Suite("Schema validator")
struct SchemaValidatorTests {
    let validator: SchemaValidator

    init() throws {
        validator = try SchemaValidator.served.get()
    }

    private func schema(_ name: String) throws -> Value {
        try #require(validator.resolve("#/components/schemas/\(name)"))
    }

    @Test func acceptsAConformingFlagRecord() throws {
        let body: Value = [
            "flag": [
                "key": "checkout", "type": "boolean", "description": "", "tags": [], "archived": false,
                "variants": [["key": "on", "value": true], ["key": "off", "value": false]], "offVariant": "off",
                "environments": [
                    "production": [
                        "enabled": true, "targets": [["variant": "on", "attribute": "targetingKey", "values": ["u1"]]],
                        "rules": [["clauses": [["cohort": "beta"]], "serve": ["rollout": ["bucketBy": "targetingKey", "weights": [["variant": "on", "weight": 100_000]]]]]],
                        "default": ["variant": "off"],
                    ]
                ],
            ],
            "revision": 3, "createdAt": "2026-11-21T10:00:00Z", "updatedAt": "2026-11-21T10:00:00.250Z", "updatedBy": "admin",
        ]
        #expect(validator.errors(body, against: try schema("FlagRecord")) == [])
    }

    @Test(arguments: [
        // missing required `revision`
        (#"{"flag": {"key": "k"}, "createdAt": "2026-11-21T10:00:00Z", "updatedAt": "2026-11-21T10:00:00Z", "updatedBy": "a"}"#, "missing required property 'revision'"),
        // wrong type
        (#"{"flag": {"key": "k"}, "revision": "3", "createdAt": "2026-11-21T10:00:00Z", "updatedAt": "2026-11-21T10:00:00Z", "updatedBy": "a"}"#, "$.revision: expected integer"),
        // not a date
        (#"{"flag": {"key": "k"}, "revision": 3, "createdAt": "yesterday", "updatedAt": "2026-11-21T10:00:00Z", "updatedBy": "a"}"#, "not an RFC 3339 date-time"),
        // unknown property in a closed object
        (#"{"flag": {"key": "k", "colour": "red"}, "revision": 3, "createdAt": "2026-11-21T10:00:00Z", "updatedAt": "2026-11-21T10:00:00Z", "updatedBy": "a"}"#, "unexpected property 'colour'"),
        // enum violation through $ref
        (#"{"flag": {"key": "k", "type": "float"}, "revision": 3, "createdAt": "2026-11-21T10:00:00Z", "updatedAt": "2026-11-21T10:00:00Z", "updatedBy": "a"}"#, "$.flag.type: \"float\" is not one of"),
        // oneOf: a serve with both a variant and a rollout
        (#"{"flag": {"key": "k", "environments": {"production": {"default": {"variant": "on", "rollout": {"weights": []}}}}}, "revision": 3, "createdAt": "2026-11-21T10:00:00Z", "updatedAt": "2026-11-21T10:00:00Z", "updatedBy": "a"}"#, "exactly one allowed"),
        // items: a tag that is not a string
        (#"{"flag": {"key": "k", "tags": ["a", 1]}, "revision": 3, "createdAt": "2026-11-21T10:00:00Z", "updatedAt": "2026-11-21T10:00:00Z", "updatedBy": "a"}"#, "$.flag.tags[1]: expected string"),
    ])
    func rejectsAWrongFlagRecord(body: String, expected: String) throws {
        let value = try JSONDecoder().decode(Value.self, from: Data(body.utf8))
        let errors = validator.errors(value, against: try schema("FlagRecord"))
        #expect(errors.contains { $0.contains(expected) }, "got \(errors)")
    }

    @Test func nullableTypesAndOneOfNull() throws {
        let revision: Value = [
            "number": 2, "flagKey": "k", "createdAt": "2026-11-21T10:00:00Z", "actor": "admin", "message": nil,
            "action": "delete", "summary": "deleted", "flag": nil,
        ]
        #expect(validator.errors(revision, against: try schema("Revision")) == [])
        var wrong = revision
        if case .object(var object) = wrong {
            object["message"] = 5
            wrong = .object(object)
        }
        #expect(validator.errors(wrong, against: try schema("Revision")) == ["$.message: expected string or null, got integer"])
    }

    @Test func ofrepBodiesAreTellApart() throws {
        let success: Value = ["key": "k", "value": 1.5, "reason": "SPLIT", "variant": "b", "metadata": [:]]
        let failure: Value = ["key": "k", "errorCode": "FLAG_NOT_FOUND", "errorDetails": "no flag k"]
        let bulk: Value = ["flags": [success, failure]]
        #expect(validator.errors(bulk, against: try schema("OFREPBulkEvaluation")) == [])
        let badReason: Value = ["key": "k", "value": 1, "reason": "BECAUSE", "variant": "b"]
        #expect(!validator.errors(badReason, against: try schema("OFREPEvaluationSuccess")).isEmpty)
        let errorShape: Value = ["error": ["code": "teapot", "message": "no"]]
        #expect(validator.errors(errorShape, against: try schema("Error")).contains { $0.contains("$.error.code") })
    }

    @Test func integersAcceptWholeDoublesOnly() {
        let schema: Value = ["type": "integer"]
        #expect(validator.errors(.double(3.0), against: schema) == [])
        #expect(!validator.errors(.double(3.5), against: schema).isEmpty)
        #expect(!validator.errors(.bool(true), against: schema).isEmpty)
    }

    @Test func pathTemplatesPreferLiteralSegments() {
        #expect(validator.template(for: "/api/v1/flags/stale") == "/api/v1/flags/stale")
        #expect(validator.template(for: "/api/v1/flags/checkout") == "/api/v1/flags/{key}")
        #expect(validator.template(for: "/api/v1/flags/checkout/environments/production/on") == "/api/v1/flags/{key}/environments/{env}/on")
        #expect(validator.template(for: "/nowhere") == nil)
    }
}

// MARK: - Checking replies

/// Records, for each reply, whether the document lists its status for the operation and whether the
/// body follows that response's schema.
struct ResponseChecker {
    let validator: SchemaValidator
    private(set) var problems: [String] = []
    private(set) var checked = 0
    /// `METHOD template` of every operation a reply was checked for.
    private(set) var exercised: Set<String> = []

    init(validator: SchemaValidator) {
        self.validator = validator
    }

    /// Checks `reply` to `method path`; `expect` is the status the scenario expects.
    mutating func check(_ method: String, _ path: String, _ reply: Reply, expect status: Int) {
        let label = "\(method) \(path) → \(reply.status)"
        checked += 1
        if reply.status != status {
            problems.append("\(label): expected \(status); body \(String(decoding: reply.body.prefix(300), as: UTF8.self))")
        }
        let bare = String(path.split(separator: "?", maxSplits: 1).first ?? "")
        guard let template = validator.template(for: bare) else {
            problems.append("\(label): path not in the document")
            return
        }
        guard validator.operation(method, template) != nil else {
            problems.append("\(label): \(method) \(template) not in the document")
            return
        }
        exercised.insert("\(method.uppercased()) \(template)")
        guard validator.response(method, template, status: reply.status) != nil else {
            problems.append("\(label): status \(reply.status) not documented for \(method) \(template)")
            return
        }
        for header in validator.responseHeaders(method, template, status: reply.status)
        where reply.headers[header.lowercased()] == nil {
            problems.append("\(label): documented header \(header) is missing")
        }
        let contentType = reply.contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        let documented = validator.responseContentTypes(method, template, status: reply.status)
        if documented.isEmpty {
            if !reply.body.isEmpty, contentType == "application/json" {
                problems.append("\(label): a JSON body where the document gives none")
            }
            return
        }
        guard documented.contains(contentType) else {
            problems.append("\(label): Content-Type '\(reply.contentType)' is not one of \(documented)")
            return
        }
        guard contentType == "application/json",
            let schema = validator.responseSchema(method, template, status: reply.status, contentType: contentType)
        else { return }
        let body: Value
        do {
            body = try JSONDecoder().decode(Value.self, from: reply.body)
        } catch {
            problems.append("\(label): body is not JSON: \(String(decoding: reply.body.prefix(200), as: UTF8.self))")
            return
        }
        for error in validator.errors(body, against: schema) {
            problems.append("\(label): \(error)")
        }
    }
}

// MARK: - The scenario

/// Exercises the API end to end, checking every reply.
enum OpenAPIScenario {
    struct Fixture {
        var flag: String
        var cohort: String
        var sdkKey: String
        var keyID: String
        var scheduleID: String
        var webhookID: String
        var requestID: String
    }

    static let flagKey = "checkout-flow"
    static let cohortKey = "beta-customers"

    static let flagBody = """
        {"key": "\(flagKey)", "type": "string", "description": "Which checkout to show", "tags": ["checkout"],
         "variants": [{"key": "classic", "value": "classic"}, {"key": "express", "value": "express", "description": "one page"}],
         "offVariant": "classic",
         "environments": {"production": {"enabled": true,
            "targets": [{"variant": "express", "values": ["vip-1"]}],
            "rules": [{"description": "beta", "clauses": [{"cohort": "\(cohortKey)"}], "serve": {"variant": "express"}},
                      {"clauses": [{"attribute": "country", "operator": "in", "values": ["FR", "DE"]}],
                       "serve": {"rollout": {"bucketBy": "targetingKey", "weights": [{"variant": "express", "weight": 25000}, {"variant": "classic", "weight": 75000}]}}}],
            "default": {"variant": "classic"}}}}
        """

    /// A cohort, a flag using it and an SDK key; what `everyDocumentedGETRouteExists` needs.
    static func seed(_ server: TestServer) async throws -> Fixture {
        _ = try await server.send("POST", "/api/v1/environments/production/cohorts", body: #"{"key": "\#(cohortKey)", "members": ["acme"]}"#)
        _ = try await server.send("POST", "/api/v1/flags", body: flagBody)
        let created = try await server.send("POST", "/api/v1/environments/production/keys", body: #"{"name": "openapi"}"#)
        let key = try JSONDecoder().decode(Value.self, from: created.body)
        guard case .object(let fields) = key, let secret = fields["key"]?.stringValue, let id = fields["id"]?.stringValue else {
            throw TestFailure("could not create an SDK key: \(created.status) \(String(decoding: created.body, as: UTF8.self))")
        }
        let schedule = try await server.send(
            "POST", "/api/v1/schedules",
            body: #"{"flag": "\#(flagKey)", "environment": "production", "instructions": [{"kind": "turnOff"}], "at": "2099-01-01T00:00:00Z"}"#)
        let webhook = try await server.send(
            "POST", "/api/v1/webhooks", body: #"{"url": "https://hooks.example.com/clutch", "secret": "openapi-secret-0123456789"}"#)
        guard case .object(let scheduleFields) = try JSONDecoder().decode(Value.self, from: schedule.body),
              let scheduleID = scheduleFields["id"]?.stringValue,
              case .object(let webhookFields) = try JSONDecoder().decode(Value.self, from: webhook.body),
              let webhookID = webhookFields["id"]?.stringValue
        else {
            throw TestFailure("could not create a schedule and a webhook")
        }
        let request = try await server.send(
            "POST", "/api/v1/change-requests",
            body: #"{"flag": "\#(flagKey)", "environment": "production", "instructions": [{"kind": "turnOff"}]}"#)
        guard case .object(let requestFields) = try JSONDecoder().decode(Value.self, from: request.body),
              let requestID = requestFields["id"].map({ $0.jsonText })
        else { throw TestFailure("could not open a change request: \(request.status)") }
        return Fixture(
            flag: flagKey, cohort: cohortKey, sdkKey: secret, keyID: id, scheduleID: scheduleID, webhookID: webhookID, requestID: requestID)
    }

    static func run(_ server: TestServer, _ checker: inout ResponseChecker) async throws {
        func call(
            _ method: String, _ path: String, body: String? = nil, credential: TestServer.Credential = .admin,
            headers: [String: String] = [:], expect status: Int
        ) async throws -> Reply {
            let reply = try await server.send(method, path, body: body, as: credential, headers: headers)
            checker.check(method, path, reply, expect: status)
            return reply
        }
        let flag = "/api/v1/flags/\(flagKey)"

        // Operations
        _ = try await call("GET", "/healthz", credential: .none, expect: 200)
        _ = try await call("GET", "/readyz", credential: .none, expect: 200)
        _ = try await call("GET", "/metrics", credential: .bearer(TestServer.metricsToken), expect: 200)
        _ = try await call("GET", "/metrics", credential: .none, expect: 401)
        _ = try await call("GET", "/metrics", credential: .admin, expect: 401)
        _ = try await call("GET", "/openapi.json", credential: .none, expect: 200)

        // Credentials and errors
        _ = try await call("GET", "/api/v1/flags", credential: .none, expect: 401)
        _ = try await call("GET", "/api/v1/flags", credential: .bearer("clutch_admin_wrong"), expect: 401)

        // Environments
        _ = try await call("GET", "/api/v1/environments", expect: 200)
        _ = try await call("POST", "/api/v1/environments", body: #"{"key": "qa"}"#, expect: 201)
        _ = try await call("POST", "/api/v1/environments", body: #"{"key": "qa"}"#, expect: 409)

        // Cohorts
        let cohorts = "/api/v1/environments/production/cohorts"
        _ = try await call("POST", cohorts, body: #"{"key": "\#(cohortKey)", "description": "early adopters", "members": ["acme"]}"#, expect: 201)
        _ = try await call("POST", cohorts, body: #"{"key": "to-delete", "attribute": "country", "clauses": [{"attribute": "plan", "operator": "in", "values": ["pro"]}]}"#, expect: 201)
        _ = try await call("GET", cohorts, expect: 200)
        _ = try await call("GET", "\(cohorts)/\(cohortKey)", expect: 200)
        _ = try await call("PUT", "\(cohorts)/\(cohortKey)", body: #"{"key": "\#(cohortKey)", "members": ["acme", "globex"]}"#, expect: 200)
        _ = try await call("POST", "\(cohorts)/\(cohortKey)/members", body: #"{"add": ["initech"], "remove": ["globex"]}"#, expect: 200)
        _ = try await call(
            "POST", "\(cohorts)/\(cohortKey)/changes",
            body: #"{"instructions": [{"kind": "addMembers", "values": ["hooli"]}, {"kind": "removeMembers", "values": ["hooli"]}], "message": "net nothing"}"#,
            expect: 200)
        _ = try await call("POST", "\(cohorts)/\(cohortKey)/changes", body: #"{"instructions": [{"kind": "addMembers", "values": [""]}]}"#, expect: 400)
        _ = try await call("GET", "\(cohorts)/nope", expect: 404)
        _ = try await call("DELETE", "\(cohorts)/to-delete", expect: 204)

        // Flags
        _ = try await call("POST", "/api/v1/flags", body: flagBody, headers: ["X-Clutch-Message": "first"], expect: 201)
        _ = try await call("POST", "/api/v1/flags", body: flagBody, expect: 409)
        _ = try await call("POST", "/api/v1/flags", body: #"{"key": "half"#, expect: 400)
        _ = try await call(
            "POST", "/api/v1/flags", body: #"{"key": "bad", "environments": {"production": {"enabled": true, "default": {"variant": "blue"}}}}"#,
            expect: 400)
        _ = try await call("POST", "/api/v1/flags", body: #"{"key": "dark-mode", "tags": ["ui"]}"#, expect: 201)
        _ = try await call(
            "POST", "/api/v1/flags",
            body: #"{"key": "discount", "type": "double", "variants": [{"key": "none", "value": 0.0}, {"key": "ten", "value": 0.1}], "offVariant": "none", "environments": {"production": {"enabled": true, "default": {"variant": "ten"}}}}"#,
            expect: 201)
        _ = try await call("GET", "/api/v1/flags", expect: 200)
        _ = try await call("GET", flag, expect: 200)
        _ = try await call("GET", "/api/v1/flags/nope", expect: 404)
        let updatedBody = flagBody.replacingOccurrences(of: "Which checkout to show", with: "Which checkout flow to show")
        _ = try await call("PUT", flag, body: updatedBody, headers: ["If-Match": "\"1\""], expect: 200)
        _ = try await call("PUT", flag, body: updatedBody, headers: ["If-Match": "\"1\""], expect: 409)
        _ = try await call(
            "PUT", "\(flag)/environments/staging",
            body: #"{"enabled": true, "default": {"rollout": {"weights": [{"variant": "express", "weight": 50000}, {"variant": "classic", "weight": 50000}]}}}"#,
            expect: 200)
        _ = try await call("POST", "\(flag)/environments/development/on", expect: 200)
        _ = try await call("POST", "\(flag)/environments/development/off", expect: 200)
        let changes = "\(flag)/environments/development/changes"
        _ = try await call(
            "POST", changes, body: #"{"instructions": [{"kind": "addTargets", "variant": "express", "attribute": "customerId", "values": ["acme"]}], "message": "acme"}"#,
            expect: 200)
        _ = try await call("POST", "\(changes)?dryRun=true", body: #"{"instructions": [{"kind": "turnOn"}]}"#, expect: 200)
        _ = try await call("POST", changes, body: #"{"instructions": [{"kind": "removeRule", "ruleId": "nope"}]}"#, expect: 400)
        _ = try await call("POST", "\(flag)/environments/nowhere/on", expect: 404)
        _ = try await call("POST", "/api/v1/flags/dark-mode/kill", body: #"{"environments": ["production"]}"#, expect: 200)
        _ = try await call("POST", "/api/v1/flags/dark-mode/archive", expect: 200)
        _ = try await call("GET", "/api/v1/flags?archived=true", expect: 200)
        _ = try await call("POST", "/api/v1/flags/dark-mode/unarchive", expect: 200)
        _ = try await call("GET", "/api/v1/flags/stale?days=30", expect: 200)
        _ = try await call("GET", "/api/v1/flags?stage=new&env=production", expect: 200)
        _ = try await call("GET", "/api/v1/flags?stage=bogus", expect: 400)
        _ = try await call("GET", "/api/v1/cleanup", expect: 200)
        _ = try await call("GET", "/api/v1/cleanup?env=production", expect: 200)
        _ = try await call("GET", "/api/v1/cleanup?env=nowhere", expect: 404)

        // Revisions
        _ = try await call("GET", "\(flag)/revisions", expect: 200)
        _ = try await call("GET", "\(flag)/revisions?environment=production", expect: 200)
        _ = try await call("GET", "\(flag)/revisions/1", expect: 200)
        _ = try await call("GET", "\(flag)/revisions/999", expect: 404)
        _ = try await call("GET", "\(flag)/diff?from=1&to=2", expect: 200)
        _ = try await call("POST", "\(flag)/rollback", body: #"{"revision": 1, "environment": "production"}"#, expect: 200)
        _ = try await call("POST", "\(flag)/rollback", body: #"{"revision": 1}"#, expect: 200)

        // Keys
        let created = try await call("POST", "/api/v1/environments/production/keys", body: #"{"name": "web"}"#, expect: 201)
        guard case .object(let keyFields) = try JSONDecoder().decode(Value.self, from: created.body),
            let sdkKey = keyFields["key"]?.stringValue, let keyID = keyFields["id"]?.stringValue
        else {
            throw TestFailure("no SDK key in \(String(decoding: created.body, as: UTF8.self))")
        }
        _ = try await call("GET", "/api/v1/keys", expect: 200)
        _ = try await call("GET", "/api/v1/flags", credential: .bearer(sdkKey), expect: 403)

        // Audit, status, explain, export and import
        _ = try await call("GET", "/api/v1/audit?since=1h&limit=50", expect: 200)
        _ = try await call("GET", "/api/v1/audit?flag=\(flagKey)", expect: 200)
        _ = try await call("GET", "/api/v1/status", expect: 200)
        _ = try await call(
            "POST", "/api/v1/environments/production/explain",
            body: #"{"flag": "\#(flagKey)", "context": {"targetingKey": "u1", "customerId": "acme"}}"#, expect: 200)
        _ = try await call(
            "POST", "/api/v1/environments/production/explain", body: #"{"flag": "nope", "context": {"targetingKey": "u1"}}"#, expect: 404)
        let export = try await call("GET", "/api/v1/export", expect: 200)
        _ = try await call("GET", "/api/v1/export?environment=production", expect: 200)
        _ = try await call("GET", "/api/v1/export?format=yaml", expect: 200)
        _ = try await call("POST", "/api/v1/import?dryRun=true", body: String(decoding: export.body, as: UTF8.self), expect: 200)
        _ = try await call("POST", "/api/v1/import", body: #"{"flags": [{"key": "imported", "type": "integer", "variants": [{"key": "one", "value": 1}], "offVariant": "one"}]}"#, expect: 200)
        _ = try await call("GET", "/api/v1/export/flagd?environment=production", expect: 200)
        _ = try await call("GET", "/api/v1/export/flagd", expect: 400)
        _ = try await call(
            "POST", "/api/v1/import?format=flagd&environment=production&dryRun=true",
            body: #"{"flags": {"from-flagd": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off"}}}"#, expect: 200)

        // Schedules and webhooks
        let schedule = try await call(
            "POST", "/api/v1/schedules",
            body: #"{"flag": "\#(flagKey)", "environment": "production", "instructions": [{"kind": "turnOff"}], "at": "2099-01-01T00:00:00Z", "message": "later"}"#,
            expect: 201)
        _ = try await call(
            "POST", "/api/v1/schedules",
            body: #"{"cohort": "\#(cohortKey)", "environment": "production", "instructions": [{"kind": "addMembers", "values": ["x"]}], "at": "2099-01-01T00:00:00Z"}"#,
            expect: 201)
        _ = try await call("POST", "/api/v1/schedules", body: #"{"flag": "\#(flagKey)", "environment": "production", "instructions": [], "at": "x"}"#, expect: 400)
        _ = try await call("GET", "/api/v1/schedules", expect: 200)
        _ = try await call("GET", "/api/v1/schedules?status=pending&key=\(flagKey)", expect: 200)
        guard case .object(let scheduleFields) = try JSONDecoder().decode(Value.self, from: schedule.body),
              let scheduleID = scheduleFields["id"]?.stringValue
        else { throw TestFailure("no schedule id") }
        _ = try await call("GET", "/api/v1/schedules/\(scheduleID)", expect: 200)
        _ = try await call("DELETE", "/api/v1/schedules/\(scheduleID)", expect: 200)
        _ = try await call("DELETE", "/api/v1/schedules/\(scheduleID)", expect: 409)

        // Protected production and a change request through its life.
        _ = try await call("POST", "/api/v1/flags", body: #"{"key": "reviewed"}"#, expect: 201)
        _ = try await call(
            "PATCH", "/api/v1/environments/production", body: #"{"protection": {"requiredApprovals": 1, "allowSelfApproval": true}}"#,
            expect: 200)
        _ = try await call("GET", "/api/v1/environments/production", expect: 200)
        let refused = try await call("POST", "/api/v1/flags/reviewed/environments/production/on", expect: 409)
        if refused.errorCode != "review_required" { throw TestFailure("a direct widening change was not refused for review: \(refused.text)") }
        let opened = try await call(
            "POST", "/api/v1/change-requests",
            body: #"{"flag": "reviewed", "environment": "production", "instructions": [{"kind": "turnOn"}], "message": "launch"}"#, expect: 201)
        let requestID = try #require(opened["id"]).jsonText
        _ = try await call("GET", "/api/v1/change-requests?status=open&flag=reviewed", expect: 200)
        _ = try await call("GET", "/api/v1/change-requests/\(requestID)", expect: 200)
        _ = try await call("PATCH", "/api/v1/change-requests/\(requestID)", body: #"{"instructions": [{"kind": "turnOn"}]}"#, expect: 200)
        _ = try await call("POST", "/api/v1/change-requests/\(requestID)/reviews", body: #"{"verdict": "approve", "comment": "ok"}"#, expect: 200)
        _ = try await call("POST", "/api/v1/change-requests/\(requestID)/apply", expect: 200)
        _ = try await call("POST", "/api/v1/change-requests/\(requestID)/apply", expect: 409)
        let second = try await call(
            "POST", "/api/v1/change-requests", body: #"{"flag": "reviewed", "environment": "production", "instructions": [{"kind": "turnOff"}]}"#,
            expect: 201)
        _ = try await call("POST", "/api/v1/change-requests/\(try #require(second["id"]).jsonText)/cancel", expect: 200)
        _ = try await call("PATCH", "/api/v1/environments/production", body: #"{"protection": null}"#, expect: 200)
        let webhook = try await call(
            "POST", "/api/v1/webhooks",
            body: #"{"url": "https://hooks.example.com/clutch", "events": ["flag.changed", "schedule.failed"], "secret": "openapi-secret-0123456789", "description": "ops"}"#,
            expect: 201)
        _ = try await call("POST", "/api/v1/webhooks", body: #"{"url": "ftp://x", "secret": "openapi-secret-0123456789"}"#, expect: 400)
        _ = try await call("GET", "/api/v1/webhooks", expect: 200)
        guard case .object(let webhookFields) = try JSONDecoder().decode(Value.self, from: webhook.body),
              let webhookID = webhookFields["id"]?.stringValue
        else { throw TestFailure("no webhook id") }
        _ = try await call("GET", "/api/v1/webhooks/\(webhookID)/deliveries?limit=10", expect: 200)
        _ = try await call("DELETE", "/api/v1/webhooks/\(webhookID)", expect: 204)

        // Blocks
        let block = try await call(
            "POST", "/api/v1/blocks",
            body: #"{"environment": "staging", "flag": "\#(flagKey)", "reason": "payments incident", "until": "2099-01-01T00:00:00Z"}"#,
            expect: 201)
        _ = try await call("POST", "/api/v1/blocks", body: #"{"environment": "staging", "reason": "x", "until": "soon"}"#, expect: 400)
        _ = try await call("GET", "/api/v1/blocks?environment=staging&flag=\(flagKey)", expect: 200)
        guard case .object(let blockFields) = try JSONDecoder().decode(Value.self, from: block.body),
              let blockID = blockFields["id"]?.stringValue
        else { throw TestFailure("no block id") }
        _ = try await call("DELETE", "/api/v1/blocks/\(blockID)", expect: 200)
        _ = try await call("DELETE", "/api/v1/blocks/\(blockID)", expect: 404)

        // Code references
        _ = try await call(
            "POST", "/api/v1/code-refs",
            body: #"{"repo": "app-ios", "branch": "main", "commit": "1a2b3c4", "references": [{"flag": "\#(flagKey)", "path": "Sources/Checkout.swift", "line": 12, "context": "if flags.newCheckout(for: context) {", "alias": "newCheckout"}]}"#,
            expect: 200)
        _ = try await call(
            "POST", "/api/v1/code-refs", body: #"{"repo": "app-ios", "branch": "main", "commit": "3f2a1c0", "references": []}"#, expect: 200)
        _ = try await call(
            "POST", "/api/v1/code-refs", body: #"{"repo": "app-ios", "branch": "main", "commit": "x", "references": [{"flag": "nope", "path": "a", "line": 1, "context": ""}]}"#,
            expect: 400)
        _ = try await call("GET", "/api/v1/code-refs", expect: 200)
        _ = try await call("GET", "\(flag)/code-refs", expect: 200)
        _ = try await call("GET", "/api/v1/flags/nope/code-refs", expect: 404)

        // SDK sync
        let snapshot = try await call("GET", "/sdk/v1/flags", credential: .bearer(sdkKey), expect: 200)
        if let etag = snapshot.headers["etag"] {
            _ = try await call("GET", "/sdk/v1/flags", credential: .bearer(sdkKey), headers: ["If-None-Match": etag], expect: 304)
        } else {
            checker.check("GET", "/sdk/v1/flags (no ETag)", snapshot, expect: -1)
        }
        _ = try await call("GET", "/sdk/v1/flags", credential: .admin, expect: 403)
        _ = try await call("GET", "/flagd/v1/flags.json", credential: .bearer(sdkKey), expect: 200)
        _ = try await call("GET", "/flagd/v1/flags.json", credential: .none, expect: 401)
        _ = try await call("GET", "/sdk/v1/flags", credential: .none, expect: 401)
        _ = try await call(
            "POST", "/sdk/v1/usage", body: #"{"counts": [{"flag": "\#(flagKey)", "variant": "express", "count": 12}]}"#,
            credential: .bearer(sdkKey), expect: 202)
        // That usage per variant over the day and the week (issue 27).
        _ = try await call("GET", "\(flag)/usage?environment=production", expect: 200)
        _ = try await call("GET", "\(flag)/usage?environment=production&window=week", expect: 200)
        _ = try await call("GET", "\(flag)/usage?environment=production&window=month", expect: 400)
        _ = try await call("GET", "/api/v1/flags/nope/usage?environment=production", expect: 404)
        // The attribute names an SDK saw, what the server lists, and the warning on one never seen.
        _ = try await call(
            "POST", "/sdk/v1/usage", body: #"{"counts": [], "attributes": [{"name": "customerId", "kind": "string"}, {"name": "org.id", "kind": "number"}]}"#,
            credential: .bearer(sdkKey), expect: 202)
        _ = try await call("GET", "/api/v1/environments/production/attributes", expect: 200)
        _ = try await call("GET", "/api/v1/environments/nope/attributes", expect: 404)
        _ = try await call(
            "POST", "\(flag)/environments/production/changes?dryRun=true",
            body: #"{"instructions": [{"kind": "setRollout", "percent": 10, "variant": "express", "bucketBy": "customerID"}]}"#, expect: 200)

        // Guarded releases (in staging, after everything else has used the flag there)
        let release = "\(flag)/environments/staging/release"
        _ = try await call("GET", release, expect: 404)
        _ = try await call("POST", release, body: #"{"variant": "purple"}"#, expect: 400)
        _ = try await call(
            "POST", release, body: #"{"variant": "express", "steps": [5, 50, 100], "stepDuration": 600, "minSamples": 100, "maxErrorRatio": 2}"#,
            headers: ["X-Clutch-Message": "deploy 7"], expect: 201)
        _ = try await call("POST", release, body: #"{"variant": "express"}"#, expect: 409)
        _ = try await call("GET", release, expect: 200)
        _ = try await call("POST", "\(release)/pause", body: #"{"message": "lunch"}"#, expect: 200)
        _ = try await call("POST", "\(release)/resume", expect: 200)
        _ = try await call("POST", "\(release)/abort", expect: 200)
        _ = try await call("POST", "\(release)/resume", expect: 409)
        _ = try await call("POST", "/api/v1/flags/nope/environments/staging/release/pause", expect: 404)
        _ = try await call(
            "POST", "/sdk/v1/usage",
            body: #"{"counts": [{"flag": "\#(flagKey)", "variant": "express", "count": 3, "errors": 1, "rollout": true}], "from": "2026-11-30T10:00:00Z", "to": "2026-11-30T10:00:05Z"}"#,
            credential: .bearer(sdkKey), expect: 202)
        _ = try await call(
            "POST", "/sdk/v1/usage", body: #"{"counts": [{"flag": "\#(flagKey)", "variant": "express", "count": 3, "errors": -1}]}"#,
            credential: .bearer(sdkKey), expect: 400)

        // OFREP
        let evaluate = "/ofrep/v1/evaluate/flags"
        _ = try await call("POST", "\(evaluate)/\(flagKey)", body: #"{"context": {"targetingKey": "u1", "country": "FR"}}"#, credential: .bearer(sdkKey), expect: 200)
        _ = try await call("POST", "\(evaluate)/discount", body: #"{"context": {"targetingKey": "u1"}}"#, credential: .apiKey(sdkKey), expect: 200)
        _ = try await call("POST", "\(evaluate)/nope", body: #"{"context": {"targetingKey": "u1"}}"#, credential: .bearer(sdkKey), expect: 404)
        _ = try await call("POST", "\(evaluate)/\(flagKey)", body: "{not json", credential: .bearer(sdkKey), expect: 400)
        _ = try await call("POST", "\(evaluate)/\(flagKey)", body: #"{"context": {"targetingKey": "u1"}}"#, credential: .none, expect: 401)
        _ = try await call("POST", "\(evaluate)/\(flagKey)", body: #"{"context": {"targetingKey": "u1"}}"#, credential: .admin, expect: 403)
        let bulk = try await call("POST", evaluate, body: #"{"context": {"targetingKey": "u1"}}"#, credential: .bearer(sdkKey), expect: 200)
        if let etag = bulk.headers["etag"] {
            _ = try await call(
                "POST", evaluate, body: #"{"context": {"targetingKey": "u1"}}"#, credential: .bearer(sdkKey), headers: ["If-None-Match": etag],
                expect: 304)
        } else {
            checker.check("POST", "\(evaluate) (no ETag)", bulk, expect: -1)
        }

        // People, tokens, who calls
        _ = try await call("GET", "/api/v1/me", expect: 200)
        _ = try await call("POST", "/api/v1/users", body: #"{"email": "bob@example.com", "name": "Bob", "role": "editor", "environments": ["staging"]}"#, expect: 201)
        _ = try await call("POST", "/api/v1/users", body: #"{"email": "BOB@example.com", "role": "viewer"}"#, expect: 409)
        _ = try await call("POST", "/api/v1/users", body: #"{"email": "carol@example.com", "role": "chief"}"#, expect: 400)
        _ = try await call("GET", "/api/v1/users", expect: 200)
        _ = try await call("PUT", "/api/v1/users/bob@example.com/role", body: #"{"role": "viewer"}"#, expect: 200)
        _ = try await call("PUT", "/api/v1/users/nobody@example.com/role", body: #"{"role": "viewer"}"#, expect: 404)
        let service = try await call(
            "POST", "/api/v1/tokens", body: #"{"name": "ci", "service": true, "role": "viewer", "expiresInDays": 90}"#, expect: 201)
        _ = try await call("POST", "/api/v1/tokens", body: #"{"name": "mine"}"#, expect: 400)
        guard let serviceSecret = service["token"]?.stringValue, let serviceID = service["record.id"]?.stringValue else {
            throw TestFailure("no service token: \(service.text)")
        }
        _ = try await call("GET", "/api/v1/users", credential: .bearer(serviceSecret), expect: 403)
        _ = try await call("GET", "/api/v1/me", credential: .bearer(serviceSecret), expect: 200)
        _ = try await call("GET", "/api/v1/tokens", expect: 200)
        _ = try await call("DELETE", "/api/v1/tokens/\(serviceID)", expect: 200)
        _ = try await call("DELETE", "/api/v1/tokens/t_nope", expect: 404)
        _ = try await call("DELETE", "/api/v1/users/bob@example.com", expect: 204)
        _ = try await call("DELETE", "/api/v1/users/bob@example.com", expect: 404)

        // Deletions last
        _ = try await call("DELETE", "/api/v1/keys/\(keyID)", expect: 204)
        _ = try await call("POST", "\(evaluate)/\(flagKey)", body: #"{"context": {"targetingKey": "u1"}}"#, credential: .bearer(sdkKey), expect: 401)
        // With force: the bulk evaluation above may already have been counted (usage is written
        // every 250 ms), and a flag evaluated in the last minute is refused without it.
        _ = try await call("DELETE", "/api/v1/flags/dark-mode?force=true", expect: 204)
        _ = try await call("POST", "/api/v1/flags/dark-mode/restore", expect: 201)
        _ = try await call("POST", "/api/v1/flags/dark-mode/restore", expect: 409)
        _ = try await call("POST", "/api/v1/flags/never-was/restore", expect: 404)
        _ = try await call("POST", "/api/v1/flags/dark-mode/environments/production/on", expect: 200)
        _ = try await call("DELETE", "/api/v1/flags/dark-mode", expect: 409)
        _ = try await call("DELETE", "/api/v1/flags/dark-mode?force=true", expect: 204)
        _ = try await call("GET", "/api/v1/flags/dark-mode/revisions", expect: 200)
    }
}

// MARK: - The real server, in process

extension TestServer {
    /// Runs `body` against a fresh server that serves `/metrics` on its API port, where the
    /// document describes it, behind ``TestServer/metricsToken``.
    static func withDocumentedServer(_ body: (TestServer) async throws -> Void) async throws {
        try await with(configure: { configuration in
            configuration.heartbeatInterval = .seconds(1)
            configuration.metricsAddress = nil
            configuration.metricsToken = TestServer.metricsToken
        }, body)
    }

    /// The status of an endless response (the SSE stream), without reading its body.
    func streamStatus(_ path: String, credential: Credential) async throws -> Int {
        guard let url = URL(string: "http://127.0.0.1:\(port)\(path)") else { throw TestFailure("bad path \(path)") }
        var request = URLRequest(url: url)
        request.timeoutInterval = 10
        Self.authorize(&request, credential)
        let catcher = OpenAPIHarness.StatusCatcher()
        let session = URLSession(configuration: .ephemeral, delegate: catcher, delegateQueue: nil)
        defer { session.invalidateAndCancel() }
        let task = session.dataTask(with: request)
        task.resume()
        return try await catcher.status(timeout: .seconds(10))
    }

    /// Opens `GET /sdk/v1/stream`; events are collected as they arrive.
    func openStream(sdkKey: String) throws -> OpenAPIHarness.EventStream {
        guard let url = URL(string: "http://127.0.0.1:\(port)/sdk/v1/stream") else { throw TestFailure("bad port") }
        var request = URLRequest(url: url)
        request.timeoutInterval = 30
        request.setValue("Bearer \(sdkKey)", forHTTPHeaderField: "Authorization")
        return OpenAPIHarness.EventStream(request: request)
    }
}

/// The stream clients of these tests.
enum OpenAPIHarness {
    /// One Server-Sent Event.
    struct Event: Sendable {
        var name: String
        var id: String?
        var data: String
    }

    /// An open SSE response, parsed into events as bytes arrive.
    final class EventStream: NSObject, URLSessionDataDelegate, @unchecked Sendable {
        private let lock = NSLock()
        private var buffer = Data()
        private var parsed: [Event] = []
        private var statusCode: Int?
        private var session: URLSession?

        init(request: URLRequest) {
            super.init()
            let session = URLSession(configuration: .ephemeral, delegate: self, delegateQueue: nil)
            lock.withLock { self.session = session }
            session.dataTask(with: request).resume()
        }

        var status: Int? { lock.withLock { statusCode } }

        func close() {
            lock.withLock { session }?.invalidateAndCancel()
        }

        func urlSession(
            _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
            completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
        ) {
            lock.withLock { statusCode = (response as? HTTPURLResponse)?.statusCode }
            completionHandler(.allow)
        }

        func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
            lock.withLock {
                buffer.append(data)
                let separator = Data("\n\n".utf8)
                while let end = buffer.range(of: separator) {
                    let block = String(decoding: buffer[buffer.startIndex..<end.lowerBound], as: UTF8.self)
                    buffer.removeSubrange(buffer.startIndex..<end.upperBound)
                    var event = Event(name: "message", id: nil, data: "")
                    var hasData = false
                    for line in block.split(separator: "\n", omittingEmptySubsequences: false) where !line.hasPrefix(":") {
                        let parts = line.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
                        guard let field = parts.first else { continue }
                        var value = parts.count > 1 ? String(parts[1]) : ""
                        if value.hasPrefix(" ") { value.removeFirst() }
                        switch field {
                        case "event": event.name = value
                        case "id": event.id = value
                        case "data":
                            event.data += hasData ? "\n" + value : value
                            hasData = true
                        default: break
                        }
                    }
                    // As in the SSE spec, a block without data (`retry:` alone) dispatches nothing.
                    if hasData { parsed.append(event) }
                }
            }
        }

        /// The first `count` events, waiting at most `timeout` for them.
        func events(count: Int, timeout: Duration) async throws -> [Event] {
            let clock = ContinuousClock()
            let deadline = clock.now + timeout
            while clock.now < deadline {
                let events = lock.withLock { parsed }
                if events.count >= count { return Array(events.prefix(count)) }
                try await Task.sleep(for: .milliseconds(20))
            }
            let got = lock.withLock { parsed.map(\.name) }
            throw TestFailure("only \(got.count) of \(count) events within \(timeout): \(got)")
        }
    }

    /// Catches the status line of a streaming response, then lets the session cancel it.
    final class StatusCatcher: NSObject, URLSessionDataDelegate, @unchecked Sendable {
        private let lock = NSLock()
        private var status: Int?
        private var failure: (any Error)?

        func urlSession(
            _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
            completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
        ) {
            lock.withLock { status = (response as? HTTPURLResponse)?.statusCode ?? -1 }
            completionHandler(.cancel)
        }

        func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
            lock.withLock { if status == nil { failure = error ?? TestFailure("no response") } }
        }

        func status(timeout: Duration) async throws -> Int {
            let clock = ContinuousClock()
            let deadline = clock.now + timeout
            while clock.now < deadline {
                let (status, failure) = lock.withLock { (self.status, self.failure) }
                if let status { return status }
                if let failure { throw failure }
                try await Task.sleep(for: .milliseconds(20))
            }
            throw TestFailure("no response within \(timeout)")
        }
    }
}
