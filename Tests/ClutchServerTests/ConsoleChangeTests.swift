import ClutchCore
import Foundation
import ServerTestSupport
import TestSupport
import Testing

@testable import ClutchServer

/// One change, one confirmation: the flag page's edits collect into one pending change, shown
/// in plain language and applied once; a refused edit comes back beside its field with what was
/// typed; and the flag itself is created, edited, archived and deleted from the console through
/// the API's store operations and guard rails.
@Suite struct ConsoleChangeTests {
    typealias Setup = ConsoleControlsTests.Setup

    /// The value of the hidden `pending` field of the first form on `page` that has one.
    static func pending(_ page: String) throws -> String {
        guard let range = page.range(of: #"name="pending" value=""#) else { throw TestFailure("no pending field") }
        let escaped = String(page[range.upperBound...].prefix { $0 != "\"" })
        return escaped.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
    }

    @Test func editsCollectIntoOnePendingChangeAppliedOnceWithOneConfirmation() async throws {
        try await TestServer.with { server in
            try await server.createFlag(#"{"key": "checkout", "type": "boolean"}"#)
            try await server.send("POST", "/api/v1/flags/checkout/environments/production/on")
            let s = try await ConsoleControlsTests.setup(server, env: "production")
            let prod: [(String, String)] = [("env", "production"), ("stage", "1")]
            let revision = try await s.state("checkout", "production")["revision"]
            // Two customers, then a rule: each edit is added to the same pending change.
            let first = try await s.post("/ui/flags/checkout/customers", prod + [("customers", "acme, globex"), ("do", "add"), ("pending", "")])
            #expect(first.status == 200)
            #expect(first.body.contains("<li>production: acme and globex now get “on”; everyone else now gets “off” (was “on”)</li>"), "\(first.body)")
            let second = try await s.post(
                "/ui/flags/checkout/rules", prod + [("conditions", "plan in enterprise"), ("position", "last"), ("pending", try Self.pending(first.body))])
            #expect(second.status == 200)
            #expect(second.body.contains("contexts where plan in enterprise now get “on”"))
            #expect(second.body.contains("acme and globex now get “on”"), "the first edit is still part of it")
            // One message field and one confirmation for the whole change; nothing applied yet.
            #expect(second.body.components(separatedBy: "Type <strong>production</strong> to confirm").count == 2)
            // The pending change's message and the kill switch's (every environment at once, applied on its own).
            #expect(second.body.components(separatedBy: #"name="message""#).count == 3)
            #expect(try await s.state("checkout", "production")["revision"] == revision)
            let change = try Self.pending(second.body)
            // Applying without the word keeps the change and says so beside the confirmation.
            let unconfirmed = try await s.post("/ui/flags/checkout/apply", [("env", "production"), ("pending", change), ("message", "pilot")])
            #expect(unconfirmed.status == 400)
            #expect(unconfirmed.body.contains(#"id="confirm-problem""#))
            #expect(unconfirmed.body.contains(#"value="pilot""#), "the message is kept")
            #expect(try Self.pending(unconfirmed.body) == change, "the pending change is kept")
            let applied = try await s.post("/ui/flags/checkout/apply", [("env", "production"), ("pending", change), ("message", "pilot"), ("confirm", "production")])
            #expect(applied.location == "/ui/flags/checkout?env=production&done=applied")
            #expect(try await s.evaluate("checkout", #"{"targetingKey": "u", "customerId": "globex"}"#) == .bool(true))
            #expect(try await s.evaluate("checkout", #"{"targetingKey": "u", "plan": "enterprise"}"#) == .bool(true))
            #expect(try await s.evaluate("checkout", #"{"targetingKey": "u"}"#) == .bool(false))
            // One revision for all of it, with the one message.
            let revisions = try await server.send("GET", "/api/v1/flags/checkout/revisions")
            #expect(revisions["revisions[0].message"] == .string("pilot"))
            #expect(revisions["revisions[0].number"] == .integer((revision?.intValue ?? 0) + 1))
        }
    }

    /// A change someone made meanwhile stays: the pending change is applied as instructions
    /// against the flag as it is then.
    @Test func aPendingChangeKeepsAChangeMadeMeanwhile() async throws {
        try await TestServer.with { server in
            try await server.createFlag(#"{"key": "shared", "type": "boolean"}"#)
            let s = try await ConsoleControlsTests.setup(server)
            let staged = try await s.post(
                "/ui/flags/shared/customers", [("env", "staging"), ("stage", "1"), ("customers", "acme"), ("do", "add"), ("pending", "")])
            try await server.send(
                "POST", "/api/v1/flags/shared/environments/staging/changes",
                body: #"{"instructions": [{"kind": "addTargets", "variant": "on", "attribute": "customerId", "values": ["initech"]}]}"#)
            let applied = try await s.post("/ui/flags/shared/apply", [("env", "staging"), ("pending", try Self.pending(staged.body))])
            #expect(applied.status == 303)
            let values = try await s.state("shared", "staging")["flag.environments.staging.targets[0].values"]
            #expect(Set(values?.arrayValue?.compactMap(\.stringValue) ?? []) == ["acme", "initech"])
        }
    }

    /// The error is beside the field at fault, what was typed is kept, and there is no separate
    /// "Not changed" page.
    @Test func aRefusedEditShowsItsErrorBesideTheFieldWithTheInputKept() async throws {
        try await TestServer.with { server in
            try await server.createFlag(#"{"key": "typo", "type": "boolean"}"#)
            let s = try await ConsoleControlsTests.setup(server)
            let bad = try await s.post(
                "/ui/flags/typo/rules", [("env", "staging"), ("stage", "1"), ("conditions", "plan frobnicates pro"), ("description", "my rule"), ("pending", "")])
            #expect(bad.status == 400)
            #expect(!bad.body.contains("Not changed"))
            let problem = try #require(bad.body.range(of: #"id="conditions-problem""#))
            #expect(bad.body[problem.lowerBound...].prefix(300).contains("unknown operator"))
            #expect(bad.body.contains(">plan frobnicates pro</textarea>"))
            #expect(bad.body.contains(#"value="my rule""#))
            let percent = try await s.post("/ui/flags/typo/rollout", [("env", "staging"), ("stage", "1"), ("percent", "150"), ("pending", "")])
            #expect(percent.status == 400)
            #expect(percent.body.contains(#"id="percent-problem""#))
            #expect(percent.body.contains(#"value="150""#))
            #expect(try await s.state("typo", "staging")["revision"] == .integer(1))
        }
    }

    /// "Schedule the change" instead of applying it: the store's schedule, applied by the
    /// scheduler when the test clock reaches the next morning, and listed on the page till then.
    @Test func aPendingChangeIsScheduledForTheNextMorningAndAppliedThen() async throws {
        let clock = TestClock()
        try await TestServer.with(configure: TestServer.on(clock)) { server in
            try await server.createFlag(#"{"key": "launch", "type": "boolean"}"#)
            let s = try await ConsoleControlsTests.setup(server, env: "production")
            let staged = try await s.post("/ui/flags/launch/toggle", [("env", "production"), ("stage", "1"), ("to", "on"), ("pending", "")])
            let change = try Self.pending(staged.body)
            #expect(staged.body.contains("Schedule the change"))
            let formatter = ISO8601DateFormatter()
            let morning = String(formatter.string(from: clock.now().addingTimeInterval(86_400)).prefix(16))
            let later: [(String, String)] = [("env", "production"), ("pending", change), ("when", "later"), ("confirm", "production"), ("message", "launch day")]
            let bad = try await s.post("/ui/flags/launch/apply", later + [("at", "tomorrow")])
            #expect(bad.status == 400)
            #expect(bad.body.contains(#"id="at-problem""#))
            let scheduled = try await s.post("/ui/flags/launch/apply", later + [("at", morning)])
            #expect(scheduled.location == "/ui/flags/launch?env=production&done=scheduled")
            #expect(try await ConsoleTests.enabled(server, "launch", "production") == false, "scheduled, not applied")
            let page = try await s.client.get("/ui/flags/launch?env=production")
            #expect(page.body.contains("Scheduled in production"))
            #expect(page.body.contains("<li>production: switched on; everyone still gets “on”</li>"))
            #expect(page.body.contains("launch day"))
            try await advance(clock, by: .seconds(86_400 + 60), thenTurnOf: server.application.scheduleTurns)
            #expect(try await ConsoleTests.enabled(server, "launch", "production") == true)
            #expect(!(try await s.client.get("/ui/flags/launch?env=production").body.contains("Scheduled in production")))
        }
    }

    @Test func aFlagIsCreatedEditedArchivedAndDeletedFromTheConsole() async throws {
        try await TestServer.with { server in
            let s = try await ConsoleControlsTests.setup(server)
            #expect(try await s.client.get("/ui/flags").body.contains(#"href="/ui/new-flag""#))
            let form: [(String, String)] = [
                ("type", "string"), ("variants", "blue=#00f\nred=#f00"), ("offVariant", "red"), ("description", "Button colour"),
                ("tags", "ui, checkout"), ("kind", "experiment"), ("message", "try colours"),
            ]
            // A bad key is refused beside the key, everything typed kept.
            let bad = try await s.post("/ui/new-flag", [("key", "no spaces")] + form)
            #expect(bad.status == 400)
            #expect(bad.body.contains(#"id="key-problem""#))
            #expect(bad.body.contains(#"value="Button colour""#))
            #expect(bad.body.contains("blue=#00f\nred=#f00</textarea>"))
            let badValue = try await s.post("/ui/new-flag", [("key", "button"), ("type", "integer"), ("variants", "a=x")])
            #expect(badValue.body.contains(#"id="variants-problem""#))
            let created = try await s.post("/ui/new-flag", [("key", "button")] + form)
            #expect(created.location == "/ui/flags/button?env=production&done=created")
            let record = try await s.state("button", "production")
            #expect(record["flag.type"] == .string("string"))
            #expect(record["flag.variants[0].value"] == .string("#00f"))
            #expect(record["flag.offVariant"] == .string("red"))
            #expect(record["flag.kind"] == .string("experiment"))
            #expect(record["flag.tags"] == .array([.string("ui"), .string("checkout")]))
            // Details: the description without confirmation; a variant's value only with the key typed.
            let details = try await s.client.get("/ui/flags/button/details")
            #expect(details.body.contains("blue=#00f\nred=#f00</textarea>"))
            let described = try await s.post("/ui/flags/button/details", [("revision", "1"), ("description", "Checkout button colour")] + form.filter { $0.0 != "description" })
            #expect(described.location == "/ui/flags/button?env=production&done=details")
            let unconfirmed = try await s.post("/ui/flags/button/details", [("revision", "2"), ("variants", "blue=#00e\nred=#f00")] + form.filter { $0.0 != "variants" })
            #expect(unconfirmed.status == 400)
            #expect(unconfirmed.body.contains(#"id="confirm-problem""#))
            let stale = try await s.post("/ui/flags/button/details", [("revision", "1"), ("description", "old")] + form.filter { $0.0 != "description" })
            #expect(stale.status == 400, "a change made meanwhile is not overwritten")
            #expect(try await s.state("button", "production")["flag.description"] == .string("Checkout button colour"))
            // Archive and back.
            #expect(try await s.post("/ui/flags/button/archive", [("env", "staging"), ("to", "archive")]).location == "/ui/flags/button?env=staging&done=archived")
            #expect(try await s.state("button", "staging")["flag.archived"] == .bool(true))
            #expect(try await s.post("/ui/flags/button/archive", [("env", "staging"), ("to", "unarchive")]).status == 303)
            // Delete: the API's guard rail (on somewhere) refuses it beside the delete form.
            try await server.send("POST", "/api/v1/flags/button/environments/staging/on")
            let refused = try await s.post("/ui/flags/button/delete", [("env", "staging"), ("confirm", "button")])
            #expect(refused.status == 400)
            #expect(refused.body.contains(#"id="delete-problem""#))
            #expect(try await server.send("GET", "/api/v1/flags/button").status == 200)
            try await server.send("POST", "/api/v1/flags/button/environments/staging/off")
            #expect(try await s.post("/ui/flags/button/delete", [("env", "staging"), ("confirm", "butto")]).status == 400)
            #expect(try await s.post("/ui/flags/button/delete", [("env", "staging"), ("confirm", "button")]).location == "/ui/flags?env=staging")
            #expect(try await server.send("GET", "/api/v1/flags/button").status == 404)
        }
    }
}
