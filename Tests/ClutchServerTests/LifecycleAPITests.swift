import ClutchAPI
import ClutchCore
import ClutchServer
import Foundation
import ServerTestSupport
import TestSupport
import Testing

/// The flag lifecycle over HTTP, on a ``TestClock``: stages from real usage reports, the list's
/// `?stage=` filter, the stale list, the cleanup report and the daily `flag.stale` event.
@Suite("Flag lifecycle API")
struct LifecycleAPITests {
    static let day: Int64 = 86_400

    /// A test clock on a whole second: the databases store milliseconds (SQLite) or
    /// microseconds, so a flag's age is then exactly the days the test moved, never a hair less.
    static func clock() -> TestClock {
        TestClock(now: Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)))
    }

    /// Reports `count` evaluations of `variant` of `flag` with the SDK key `key`.
    static func report(_ server: TestServer, key: String, flag: String, variant: String = "on") async throws {
        let usage = try await server.send(
            "POST", "/sdk/v1/usage",
            body: #"{"counts": [{"flag": "\#(flag)", "variant": "\#(variant)", "count": 7}], "from": "2026-01-01T00:00:00Z", "to": "2026-01-01T00:01:00Z"}"#,
            as: .bearer(key))
        #expect(usage.status == 202, "\(usage.text)")
    }

    @Test func stagesComeFromRealUsageOverTheClockAndTheListFiltersByStage() async throws {
        let clock = LifecycleAPITests.clock()
        try await TestServer.with(configure: TestServer.on(clock)) { server in
            try await server.addPerson("alice@example.com")
            try await server.createFlag(
                #"{"key": "new-checkout", "kind": "release", "owner": "alice@example.com", "environments": {"production": {"enabled": true}}}"#)
            var flag = try await server.send("GET", "/api/v1/flags/new-checkout")
            #expect(flag["flag.kind"] == .string("release"))
            #expect(flag["flag.owner"] == .string("alice@example.com"))
            #expect(flag["lifecycle.stage"] == .string("new"))

            // Evaluated in production, where it is on for everyone: rolled out; still new in staging.
            let (_, key) = try await server.createKey("production")
            let snapshot = try await server.send("GET", "/sdk/v1/flags", as: .bearer(key))
            #expect(snapshot.status == 200 && snapshot.text.contains("new-checkout"))
            #expect(!snapshot.text.contains("alice@example.com"), "SDKs never get the owner")
            try await Self.report(server, key: key, flag: "new-checkout")
            flag = try await server.send("GET", "/api/v1/flags/new-checkout")
            #expect(flag["lifecycle.stage"] == .string("rolled-out"), "\(flag.text)")
            #expect(flag["lifecycle.variant"] == .string("on"))
            #expect(flag["lifecycle.environments.production.stage"] == .string("rolled-out"))
            #expect(flag["lifecycle.environments.staging.stage"] == .string("new"))
            func listed(_ query: String) async throws -> [String] {
                let list = try await server.send("GET", "/api/v1/flags?\(query)")
                return (list["flags"]?.arrayValue ?? []).compactMap { $0.at("flag.key")?.stringValue }
            }
            #expect(try await listed("stage=rolled-out") == ["new-checkout"])
            #expect(try await listed("stage=new").isEmpty)
            #expect(try await listed("stage=new&env=staging") == ["new-checkout"])
            let bad = try await server.send("GET", "/api/v1/flags?stage=done")
            #expect(bad.status == 400)
            #expect(bad.errorField == "stage")
            #expect(try await server.send("GET", "/api/v1/flags?stage=new&env=nowhere").errorField == "env")

            // Fourteen days on, still evaluated: stale, with why, and in the stale list and cleanup.
            clock.advance(by: .seconds(14 * Self.day))
            try await Self.report(server, key: key, flag: "new-checkout")
            flag = try await server.send("GET", "/api/v1/flags/new-checkout")
            #expect(flag["lifecycle.stage"] == .string("stale"))
            #expect(flag["lifecycle.reason"] == .string("on for everyone in production for 14 days"))
            #expect(try await listed("stage=stale") == ["new-checkout"])
            let stale = try await server.send("GET", "/api/v1/flags/stale")
            #expect(stale["flags[0].key"] == .string("new-checkout"))
            #expect(stale["flags[0].owner"] == .string("alice@example.com"))
            let cleanup = try await server.send("GET", "/api/v1/cleanup")
            #expect(cleanup["scanned"] == .bool(false))
            #expect(cleanup["flags[0].key"] == .string("new-checkout"))
            #expect(cleanup["flags[0].archivable"] == .bool(true))
            let next = cleanup["flags[0].nextStep"]?.stringValue ?? ""
            #expect(next.hasPrefix("on for everyone in production for 14 days") && next.contains("clutch flags archive new-checkout"), "\(next)")
            #expect(try await server.send("GET", "/api/v1/cleanup?env=nowhere").status == 404)
        }
    }

    @Test func aKindIsChangedByWritingTheFlagAndAnOwnerThatIsNoEmailIsRefusedNamingTheField() async throws {
        try await TestServer.with { server in
            try await server.createFlag(#"{"key": "banner", "kind": "experiment"}"#)
            let read = try await server.send("GET", "/api/v1/flags/banner")
            #expect(read["flag.kind"] == .string("experiment"))
            let badKind = try await server.send("POST", "/api/v1/flags", body: #"{"key": "other", "kind": "forever"}"#)
            #expect(badKind.status == 400)
            #expect(badKind.text.contains("kind"), "\(badKind.text)")
            let badOwner = try await server.send("POST", "/api/v1/flags", body: #"{"key": "other", "owner": "bob"}"#)
            #expect(badOwner.status == 400)
            #expect(badOwner.errorField == "owner", "\(badOwner.text)")
            let exported = try await server.send("GET", "/api/v1/export")
            #expect(exported["flags[0].kind"] == .string("experiment"))
        }
    }

    @Test func kindAndOwnerChangeThroughTheChangesAPIAndAnOwnerWhoIsNoMemberIsRefusedOnEveryPath() async throws {
        try await TestServer.with { server in
            try await server.addPerson("bob@example.com")
            let notMember = try await server.send("POST", "/api/v1/flags", body: #"{"key": "banner", "owner": "dave@example.com"}"#)
            #expect(notMember.status == 400)
            #expect(notMember.errorField == "owner", "\(notMember.text)")
            try await server.createFlag(#"{"key": "banner", "owner": "Bob@Example.com"}"#)
            var read = try await server.send("GET", "/api/v1/flags/banner")
            #expect(read["flag.owner"] == .string("bob@example.com"), "written as the member's email")
            let revision = read["revision"]?.intValue ?? 0

            let changes = "/api/v1/flags/banner/environments/production/changes"
            let unknown = try await server.send(
                "POST", changes, body: #"{"instructions": [{"kind": "setKind", "flagKind": "experiment"}, {"kind": "setOwner", "owner": "dave@example.com"}]}"#)
            #expect(unknown.status == 400)
            #expect(unknown.errorField == "instructions[1].owner", "\(unknown.text)")
            let badKind = try await server.send("POST", changes, body: #"{"instructions": [{"kind": "setKind", "flagKind": "forever"}]}"#)
            #expect(badKind.status == 400, "\(badKind.text)")
            let missing = try await server.send("POST", changes, body: #"{"instructions": [{"kind": "setOwner"}]}"#)
            #expect(missing.status == 400, "leaving owner out never removes it: \(missing.text)")
            #expect(try await server.send("GET", "/api/v1/flags/banner")["revision"]?.intValue == revision, "nothing refused was written")

            let changed = try await server.send(
                "POST", changes, body: #"{"instructions": [{"kind": "setKind", "flagKind": "kill-switch"}, {"kind": "setOwner", "owner": null}]}"#)
            #expect(changed.status == 200, "\(changed.text)")
            #expect(changed["flag.kind"] == .string("kill-switch"))
            #expect(changed["flag.owner"] == nil)
            #expect(changed["revision"]?.intValue == revision + 1, "one revision")

            // Flag-wide: an editor of staging only may not change the kind, even through staging.
            let token = try await server.send(
                "POST", "/api/v1/tokens", body: #"{"name": "stager", "service": true, "role": "editor", "environments": ["staging"]}"#)
            let secret = try #require(token["token"]?.stringValue, "\(token.text)")
            let staging = "/api/v1/flags/banner/environments/staging/changes"
            let narrowed = try await server.send(
                "POST", staging, body: #"{"instructions": [{"kind": "setKind", "flagKind": "release"}]}"#, as: .bearer(secret))
            #expect(narrowed.status == 403, "\(narrowed.text)")
            let stateOnly = try await server.send("POST", staging, body: #"{"instructions": [{"kind": "turnOn"}]}"#, as: .bearer(secret))
            #expect(stateOnly.status == 200, "its state there it may change: \(stateOnly.text)")

            let put = try await server.send("PUT", "/api/v1/flags/banner", body: #"{"key": "banner", "kind": "kill-switch", "owner": "dave@example.com"}"#)
            #expect(put.status == 400)
            #expect(put.errorField == "owner", "\(put.text)")
            let imported = try await server.send(
                "POST", "/api/v1/import", body: #"{"flags": [{"key": "other", "owner": "dave@example.com"}]}"#)
            #expect(imported.status == 400)
            #expect(imported.errorField == "flags[0].owner", "\(imported.text)")

            // Bob leaves: the flags he owned still name him, shown as removed.
            _ = try await server.send(
                "POST", changes, body: #"{"instructions": [{"kind": "setOwner", "owner": "bob@example.com"}]}"#)
            let removed = try await server.send("DELETE", "/api/v1/users/bob@example.com")
            #expect(removed.status < 300, "\(removed.text)")
            read = try await server.send("GET", "/api/v1/flags/banner")
            #expect(read["flag.owner"] == .string("bob@example.com"))
            #expect(read["ownerRemoved"] == .bool(true), "\(read.text)")
        }
    }

    @Test func aDailyFlagStaleEventNamesTheFlagsThatBecameStaleWithTheirOwnersOnce() async throws {
        let receiver = try await WebhookReceiver(secret: WebhookTests.secret)
        defer { receiver.stop() }
        let clock = LifecycleAPITests.clock()
        try await TestServer.with(configure: { WebhookTests.localReceivers(&$0); TestServer.on(clock)(&$0) }) { server in
            let hook = try await WebhookTests.createHook(server, receiver.url, events: #"["flag.stale"]"#)
            try await server.addPerson("ops@example.com")
            try await server.createFlag(#"{"key": "migration", "kind": "operational", "owner": "ops@example.com"}"#)
            try await server.createFlag(#"{"key": "new-checkout"}"#)
            // A day at a time: an operational flag is stale after 7 days, named by the next daily turn.
            for _ in 0..<8 { try await advance(clock, by: .seconds(Self.day), thenTurnOf: server.application.staleFlagTurns) }
            #expect(try await eventually(timeout: .seconds(15)) { !receiver.delivered("flag.stale").isEmpty })
            let event = try #require(receiver.delivered("flag.stale").first?.event)
            #expect(event.at("data.flags[0].key") == .string("migration"))
            #expect(event.at("data.flags[0].owner") == .string("ops@example.com"))
            #expect(event.at("data.flags[0].kind") == .string("operational"))
            #expect(event.at("data.flags[1]") == nil, "only the flag that became stale")
            // The next day's turn names nobody again: still one event queued.
            try await advance(clock, by: .seconds(Self.day), thenTurnOf: server.application.staleFlagTurns)
            let deliveries = try await server.send("GET", "/api/v1/webhooks/\(hook)/deliveries")
            #expect(deliveries["deliveries"]?.arrayCount == 1, "\(deliveries.text)")
        }
    }
}

/// The console's flag list shows each flag's stage as a badge and filters by it.
@Suite("Console: flag stages")
struct ConsoleStageTests {
    @Test func theFlagListShowsEachStageAsABadgeAndFiltersByStage() async throws {
        let clock = LifecycleAPITests.clock()
        try await TestServer.with(configure: TestServer.on(clock)) { server in
            try await server.createFlag(#"{"key": "migration", "kind": "operational"}"#)
            try await server.createFlag(#"{"key": "fresh"}"#)
            clock.advance(by: .seconds(8 * LifecycleAPITests.day))
            try await server.createFlag(#"{"key": "newest"}"#)
            let client = try await ConsoleTests.signIn(server)
            let page = try await client.get("/ui/flags?env=production")
            #expect(page.status == 200)
            #expect(page.body.contains(#"<span class="badge stale" title="Stale: past the 7 days an operational flag is expected to live (created 8 days ago)">stale</span>"#), "\(page.body)")
            #expect(page.body.contains(#"<span class="badge new" title="Stage: new">new</span>"#))
            #expect(page.body.contains(#"<option value="stale">stale</option>"#))
            let stale = try await client.get("/ui/flags?env=production&stage=stale")
            #expect(stale.body.contains(">migration</a>") && !stale.body.contains(">fresh</a>") && !stale.body.contains(">newest</a>"), "\(stale.body)")
            #expect(stale.body.contains(#"<option value="stale" selected>stale</option>"#))
            let bad = try await client.get("/ui/flags?env=production&stage=done")
            #expect(bad.status == 400)
            let flagPage = try await client.get("/ui/flags/migration?env=production")
            #expect(flagPage.body.contains(#"operational flag · stage in production: <span class="badge stale">stale</span> (past the 7 days"#), "\(flagPage.body)")
        }
    }
}
