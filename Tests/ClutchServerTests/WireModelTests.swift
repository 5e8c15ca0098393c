import ClutchAPI
import ClutchCore
import ClutchServer
import Foundation
import ServerTestSupport
import TestSupport
import Testing

/// The admin API's one wire model (ClutchAPI) held to the server's real answers: every answer the
/// CLI reads is decoded into the type the CLI decodes it into, with the strict decoder, and
/// encoded again; the JSON must come back unchanged. A field the server adds, drops or renames
/// outside the shared types (a hand-built answer, a private struct) fails here, not in the CLI.
@Suite("Wire model")
struct WireModelTests {
    /// Whether two JSON texts are the same JSON (key order and number spelling aside).
    static func sameJSON(_ a: Data, _ b: Data) throws -> Bool {
        try ClutchJSON.decode(Value.self, from: a) == ClutchJSON.decode(Value.self, from: b)
    }

    /// `reply` decoded as `T` and encoded again: a success whose JSON is unchanged. Returns the decoded answer.
    @discardableResult
    static func roundTrip<T: Codable>(
        _ type: T.Type, _ reply: Reply, _ what: String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> T {
        #expect((200..<300).contains(reply.status), "\(what): HTTP \(reply.status) \(reply.text)", sourceLocation: sourceLocation)
        let decoded = try ClutchJSON.strictDecoder().decode(T.self, from: reply.body)
        #expect(try sameJSON(ClutchJSON.encode(decoded), reply.body), "\(what) changed in a round trip through \(T.self): \(reply.text)",
                sourceLocation: sourceLocation)
        return decoded
    }

    @Test("every answer the CLI reads decodes into its ClutchAPI type and encodes back to the same JSON")
    func everyAnswerTheCLIReadsRoundTrips() async throws {
        let receiver = try await WebhookReceiver(secret: WebhookTests.secret)
        defer { receiver.stop() }
        try await TestServer.with(configure: WebhookTests.localReceivers) { server in
            let hook = try Self.roundTrip(WebhookRecord.self, try await server.send(
                "POST", "/api/v1/webhooks", body: #"{"url": "\#(receiver.url)", "events": ["flag.changed"], "secret": "\#(WebhookTests.secret)"}"#),
                "POST /webhooks")
            try Self.roundTrip(WebhookList.self, try await server.send("GET", "/api/v1/webhooks"), "GET /webhooks")

            // Blocks (lifted at once: nothing after this is blocked).
            let block = try Self.roundTrip(BlockRecord.self, try await server.send(
                "POST", "/api/v1/blocks", body: #"{"environment": "staging", "reason": "freeze", "until": "2099-01-01T00:00:00Z"}"#), "POST /blocks")
            try Self.roundTrip(BlockList.self, try await server.send("GET", "/api/v1/blocks"), "GET /blocks")
            try Self.roundTrip(BlockRecord.self, try await server.send("DELETE", "/api/v1/blocks/\(block.id)"), "DELETE /blocks/{id}")

            // People, tokens and who calls.
            try Self.roundTrip(
                PersonCreated.self, try await server.send("POST", "/api/v1/users", body: #"{"email": "bob@example.com", "role": "editor", "environments": ["staging"]}"#),
                "POST /users")
            try Self.roundTrip(PersonList.self, try await server.send("GET", "/api/v1/users"), "GET /users")
            try Self.roundTrip(Person.self, try await server.send("PUT", "/api/v1/users/bob@example.com/role", body: #"{"role": "viewer"}"#), "PUT …/role")
            let token = try Self.roundTrip(
                TokenCreated.self, try await server.send("POST", "/api/v1/tokens", body: #"{"name": "ci", "service": true, "role": "editor", "expiresInDays": 30}"#),
                "POST /tokens")
            try Self.roundTrip(TokenList.self, try await server.send("GET", "/api/v1/tokens"), "GET /tokens")
            try Self.roundTrip(Me.self, try await server.send("GET", "/api/v1/me", as: .bearer(token.token)), "GET /me")
            try Self.roundTrip(TokenRecord.self, try await server.send("DELETE", "/api/v1/tokens/\(token.record.id)"), "DELETE /tokens/{id}")

            // A flag, changed every way the CLI changes one.
            let flag = "/api/v1/flags/new-checkout"
            try Self.roundTrip(FlagRecord.self, try await server.createFlag(ReleaseTests.flag), "POST /flags")
            try Self.roundTrip(FlagRecord.self, try await server.send("POST", "\(flag)/environments/staging/on"), "POST …/on")
            let turnOn = #"{"instructions": [{"kind": "turnOn"}]}"#
            try Self.roundTrip(
                ChangesDryRun.self, try await server.send("POST", "\(flag)/environments/development/changes?dryRun=true", body: turnOn),
                "POST …/changes?dryRun=true")
            try Self.roundTrip(
                FlagRecord.self, try await server.send("POST", "\(flag)/environments/development/changes", body: turnOn), "POST …/changes")

            // Code references: two scans of a branch (the second drops the flag), the scans, the flag's references.
            let scan = #"{"repo": "app-ios", "branch": "main", "commit": "1a2b3c4", "references": [{"flag": "new-checkout", "path": "A.swift", "line": 3, "context": "flags.newCheckout(for: user)", "alias": "newCheckout"}]}"#
            try Self.roundTrip(CodeScanResult.self, try await server.send("POST", "/api/v1/code-refs", body: scan), "POST /code-refs")
            try Self.roundTrip(
                CodeScanResult.self,
                try await server.send("POST", "/api/v1/code-refs", body: #"{"repo": "app-ios", "branch": "dev", "commit": "0ff", "references": []}"#),
                "POST /code-refs (none)")
            try Self.roundTrip(CodeScanList.self, try await server.send("GET", "/api/v1/code-refs"), "GET /code-refs")
            try Self.roundTrip(FlagCodeReferences.self, try await server.send("GET", "\(flag)/code-refs"), "GET …/code-refs")

            // A key, a release with reported usage (the record's usage, the release's reporters).
            let key = try Self.roundTrip(
                SDKKeyCreated.self, try await server.send("POST", "/api/v1/environments/production/keys", body: #"{"name": "wire"}"#),
                "POST …/keys")
            try Self.roundTrip(SDKKeyList.self, try await server.send("GET", "/api/v1/keys"), "GET /keys")
            try Self.roundTrip(
                ReleaseView.self, try await ReleaseTests.start(server, #"{"steps": [10, 50, 100], "stepDuration": 3600, "minSamples": 200}"#),
                "POST …/release")
            try await ReleaseTests.report(server, key: key.key, evaluations: 1_000, newRate: 0.01, otherRate: 0.01)
            try Self.roundTrip(ReleaseView.self, try await server.send("GET", ReleaseTests.release), "GET …/release")
            try Self.roundTrip(ReleaseView.self, try await server.send("POST", "\(ReleaseTests.release)/pause"), "POST …/release/pause")
            let read = try Self.roundTrip(FlagRecord.self, try await server.send("GET", flag), "GET /flags/{key}")
            #expect(read.usage?["production"] != nil)
            try Self.roundTrip(FlagList.self, try await server.send("GET", "/api/v1/flags"), "GET /flags")
            try Self.roundTrip(FlagList.self, try await server.send("GET", "/api/v1/flags?limit=1&q=e"), "GET /flags?limit=")

            // Cohorts.
            let cohorts = "/api/v1/environments/production/cohorts"
            try Self.roundTrip(
                CohortRecord.self, try await server.send("POST", cohorts, body: #"{"key": "beta", "members": ["acme"]}"#), "POST …/cohorts")
            try Self.roundTrip(CohortList.self, try await server.send("GET", cohorts), "GET …/cohorts")
            try Self.roundTrip(CohortRecord.self, try await server.send("GET", "\(cohorts)/beta"), "GET …/cohorts/{key}")
            try Self.roundTrip(
                MembershipResult.self,
                try await server.send("POST", "\(cohorts)/beta/changes", body: #"{"instructions": [{"kind": "addMembers", "values": ["globex"]}]}"#),
                "POST …/cohorts/{key}/changes")

            // Explain: a match, and none (a flag that is off).
            try Self.roundTrip(FlagRecord.self, try await server.createFlag(#"{"key": "dark"}"#), "POST /flags")
            let explain = "/api/v1/environments/production/explain"
            let decided = try Self.roundTrip(
                Explanation.self, try await server.send("POST", explain, body: #"{"flag": "new-checkout", "context": {"targetingKey": "u1"}}"#),
                "POST …/explain")
            #expect(decided.match != nil)
            let off = try Self.roundTrip(
                Explanation.self, try await server.send("POST", explain, body: #"{"flag": "dark", "context": {"targetingKey": "u1"}}"#),
                "POST …/explain")
            #expect(off.match == nil)

            // Kill, history, rollback, archive, delete and restore.
            try Self.roundTrip(KillResult.self, try await server.send("POST", "/api/v1/flags/new-checkout/kill"), "POST …/kill")
            try Self.roundTrip(RevisionList.self, try await server.send("GET", "\(flag)/revisions"), "GET …/revisions")
            try Self.roundTrip(RevisionDiff.self, try await server.send("GET", "\(flag)/diff?from=1"), "GET …/diff")
            try Self.roundTrip(
                FlagRecord.self, try await server.send("POST", "\(flag)/rollback", body: #"{"environment": "staging"}"#), "POST …/rollback")
            try Self.roundTrip(FlagRecord.self, try await server.send("POST", "/api/v1/flags/dark/archive"), "POST …/archive")
            try Self.roundTrip(FlagRecord.self, try await server.send("POST", "/api/v1/flags/dark/unarchive"), "POST …/unarchive")
            #expect(try await server.send("DELETE", "/api/v1/flags/dark").status == 204)
            let deleted = try Self.roundTrip(RevisionList.self, try await server.send("GET", "/api/v1/flags/dark/revisions"), "GET …/revisions")
            #expect(deleted.revisions.first?.flag == nil)
            try Self.roundTrip(FlagRecord.self, try await server.send("POST", "/api/v1/flags/dark/restore"), "POST …/restore")
            try Self.roundTrip(StaleFlagList.self, try await server.send("GET", "/api/v1/flags/stale?days=0"), "GET /flags/stale")
            try Self.roundTrip(CleanupReport.self, try await server.send("GET", "/api/v1/cleanup"), "GET /cleanup")

            // The server, the audit log, export and import.
            try Self.roundTrip(EnvironmentList.self, try await server.send("GET", "/api/v1/environments"), "GET /environments")
            try Self.roundTrip(ServerStatus.self, try await server.send("GET", "/api/v1/status"), "GET /status")
            try Self.roundTrip(AuditEventList.self, try await server.send("GET", "/api/v1/audit"), "GET /audit")
            try Self.roundTrip(ClutchDocument.self, try await server.send("GET", "/api/v1/export"), "GET /export")
            let imported = try Self.roundTrip(
                ImportAnswer.self, try await server.send("POST", "/api/v1/import?dryRun=true", body: #"{"flags": [{"key": "imported"}]}"#),
                "POST /import?dryRun=true")
            #expect(imported.changes.first?.fields.isEmpty == false)
            let fromFlagd = try Self.roundTrip(
                ImportAnswer.self,
                try await server.send(
                    "POST", "/api/v1/import?format=flagd&environment=staging&dryRun=true",
                    body: #"{"flags": {"paused": {"state": "DISABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off"}}}"#),
                "POST /import?format=flagd")
            #expect(fromFlagd.notes.map(\.path) == ["flags.paused"])
            try Self.roundTrip(FlagdExportAnswer.self, try await server.send("GET", "/api/v1/export/flagd?environment=staging"), "GET /export/flagd")

            // Schedules.
            let schedule = try Self.roundTrip(
                ScheduleRecord.self,
                try await server.send(
                    "POST", "/api/v1/schedules",
                    body: #"{"flag": "new-checkout", "environment": "staging", "instructions": [{"kind": "turnOff"}], "at": "2099-01-01T00:00:00Z"}"#),
                "POST /schedules")
            try Self.roundTrip(ScheduleList.self, try await server.send("GET", "/api/v1/schedules"), "GET /schedules")
            try Self.roundTrip(ScheduleRecord.self, try await server.send("GET", "/api/v1/schedules/\(schedule.id)"), "GET /schedules/{id}")
            try Self.roundTrip(ScheduleRecord.self, try await server.send("DELETE", "/api/v1/schedules/\(schedule.id)"), "DELETE /schedules/{id}")

            // Errors, as every command reads them: one naming the field at fault, one without.
            let refused = try await server.send("POST", "\(flag)/environments/production/changes", body: #"{"instructions": [], "messge": "x"}"#)
            #expect(refused.status == 400)
            let missing = try await server.send("GET", "/api/v1/flags/missing")
            #expect(missing.status == 404)
            for reply in [refused, missing] {
                let error = try ClutchJSON.strictDecoder().decode(ErrorBody.self, from: reply.body)
                #expect(try Self.sameJSON(ClutchJSON.encode(error), reply.body), "error changed in a round trip: \(reply.text)")
            }
            #expect(try ClutchJSON.decode(ErrorBody.self, from: refused.body).error.field == "messge")

            // A delivery with its attempt, once the receiver has answered.
            let deliveries = "/api/v1/webhooks/\(hook.id)/deliveries"
            #expect(try await eventually(timeout: .seconds(15)) {
                try await server.send("GET", deliveries)["deliveries[0].status"] == .string("delivered")
            })
            let listed = try Self.roundTrip(WebhookDeliveryList.self, try await server.send("GET", deliveries), "GET …/deliveries")
            #expect(listed.deliveries.first?.attempts.isEmpty == false)
        }
    }

    @Test("a field the server adds breaks the round trip, and one it renames fails to decode")
    func aChangedAnswerBreaksTheRoundTrip() async throws {
        try await TestServer.with { server in
            let created = try await server.createFlag(#"{"key": "wire"}"#)
            #expect(try Self.sameJSON(ClutchJSON.encode(ClutchJSON.strictDecoder().decode(FlagRecord.self, from: created.body)), created.body))
            guard case .object(var fields) = try created.json() else { throw TestFailure("not an object: \(created.text)") }
            fields["owner"] = "payments"
            let added = try ClutchJSON.encode(Value.object(fields))
            let decoded = try ClutchJSON.strictDecoder().decode(FlagRecord.self, from: added)
            #expect(try !Self.sameJSON(ClutchJSON.encode(decoded), added))
            fields["owner"] = nil
            fields["updatedByActor"] = fields.removeValue(forKey: "updatedBy")
            let renamed = try ClutchJSON.encode(Value.object(fields))
            #expect(throws: DecodingError.self) { try ClutchJSON.strictDecoder().decode(FlagRecord.self, from: renamed) }
        }
    }
}
