import ClutchCore
import ClutchServer
import Foundation
import ServerTestSupport
import Testing

/// `clutch cleanup`, `--kind`/`--owner`, `flags set` and the stage in `flags list`/`get`, through
/// the real binary against a server on a ``TestClock``: the test moves time, the stages follow.
@Suite("clutch cleanup")
struct CleanupCommandTests {
    @Test("a stale flag is listed with its next step, and --archive archives it after a listing, only once confirmed")
    func cleanupListsAndArchives() async throws {
        // On a whole second: stored times keep milliseconds, so ages are exactly the days moved.
        let clock = TestClock(now: Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)))
        try await TestServer.with(configure: { $0.clock = clock }) { server in
            try await server.addPerson("ops@example.com")
            let created = try await server.clutch("flags", "create", "migration", "--kind", "operational", "--owner", "ops@example.com")
            #expect(created.status == 0, "\(created)")
            #expect(created.stdout.contains("operational flag, owner ops@example.com"), "\(created)")
            #expect(try await server.clutch("flags", "create", "keeper").status == 0)
            let clean = try await server.clutch("cleanup")
            #expect(clean.status == 0, "\(clean)")
            #expect(clean.stdout.contains("Nothing to clean up"), "\(clean)")

            // Eight days on, the operational flag is past its 7 days.
            clock.advance(by: .seconds(8 * 86_400))
            let listed = try await server.clutch("cleanup")
            #expect(listed.status == 0, "\(listed)")
            #expect(listed.stdout.contains("migration  stale"), "\(listed)")
            #expect(listed.stdout.contains("next: past the 7 days an operational flag is expected to live"), "\(listed)")
            #expect(listed.stdout.contains("`clutch flags archive migration`"), "\(listed)")
            #expect(!listed.stdout.contains("keeper"), "\(listed)")
            let stale = try await server.clutch("flags", "list", "--stage", "stale")
            #expect(stale.stdout.contains("migration") && stale.stdout.contains("STAGE") && !stale.stdout.contains("keeper"), "\(stale)")
            let got = try await server.clutch("flags", "get", "migration")
            #expect(got.stdout.contains("kind: operational (expected to live 7 days); owner: ops@example.com"), "\(got)")
            #expect(got.stdout.contains("stage: stale (past the 7 days"), "\(got)")

            // Not confirmed: listed, nothing archived, exit 1.
            let refused = try await server.clutch("cleanup", "--archive", stdin: "no\n")
            #expect(refused.status == 1, "\(refused)")
            #expect(refused.stdout.contains("Would archive 1 flag"), "\(refused)")
            #expect(try await server.send("GET", "/api/v1/flags/migration")["flag.archived"] == .bool(false))
            let confirmed = try await server.clutch("cleanup", "--archive", stdin: "yes\n")
            #expect(confirmed.status == 0, "\(confirmed)")
            #expect(confirmed.stdout.contains("Archived migration."), "\(confirmed)")
            #expect(try await server.send("GET", "/api/v1/flags/migration")["flag.archived"] == .bool(true))
            let again = try await server.clutch("cleanup", "--archive", "--yes")
            #expect(again.status == 0 && again.stdout.contains("nothing to archive"), "\(again)")
        }
    }

    @Test("after a scan upload that no longer finds a flag, cleanup lists it as removable and --archive archives it, keeping the flag still in the code")
    func scanUploadThenCleanup() async throws {
        let clock = TestClock(now: Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)))
        try await TestServer.with(configure: { $0.clock = clock }) { server in
            for flag in ["checkout", "search"] {
                #expect(try await server.clutch("flags", "create", flag, "--kind", "operational").status == 0)
            }
            let repository = try await RefsTests.Repository()
            defer { repository.remove() }
            try repository.write("Sources/App.swift", "if client.bool(\"checkout\", default: false) {}\nif client.bool(\"search\", default: false) {}\n")
            try await repository.commitAll("both checks")
            let first = try await server.clutch("refs", "scan", repository.path, "--upload", "--repo", "app")
            #expect(first.status == 0, "\(first)")

            // The search check leaves the code; CI uploads the scan of that commit.
            try repository.write("Sources/App.swift", "if client.bool(\"checkout\", default: false) {}\n")
            try await repository.commitAll("search is for everyone")
            let second = try await server.clutch("refs", "scan", repository.path, "--upload", "--repo", "app")
            #expect(second.status == 0, "\(second)")

            // Not stale yet: search is listed as referenced nowhere, nothing is archivable.
            let early = try await server.clutch("cleanup")
            #expect(early.stdout.contains("search  new"), "\(early)")
            #expect(early.stdout.contains("referenced in no scanned code"), "\(early)")
            #expect(!early.stdout.contains("checkout"), "\(early)")
            #expect(try await server.clutch("cleanup", "--archive", "--yes").stdout.contains("nothing to archive"))

            // Eight days on both are past an operational flag's 7 days.
            clock.advance(by: .seconds(8 * 86_400))
            let listed = try await server.clutch("cleanup")
            #expect(listed.status == 0, "\(listed)")
            #expect(listed.stdout.contains("search  stale"), "\(listed)")
            #expect(listed.stdout.contains("checkout  stale"), "\(listed)")
            #expect(listed.stdout.contains("referenced in 1 place: remove the checks, then `clutch flags archive checkout`"), "\(listed)")
            #expect(listed.stdout.contains("referenced in no scanned code: `clutch flags archive search`"), "\(listed)")

            let archived = try await server.clutch("cleanup", "--archive", "--yes")
            #expect(archived.status == 0, "\(archived)")
            #expect(archived.stdout.contains("Would archive 1 flag") && archived.stdout.contains("Archived search."), "\(archived)")
            #expect(!archived.stdout.contains("Archived checkout"), "\(archived)")
            #expect(try await server.send("GET", "/api/v1/flags/search")["flag.archived"] == .bool(true))
            #expect(try await server.send("GET", "/api/v1/flags/checkout")["flag.archived"] == .bool(false), "still in the code: kept")
        }
    }

    @Test("a flag's kind and owner change with flags set, set-kind and set-owner; an unknown kind, a bad owner or one who is no member fails with one line")
    func kindAndOwnerChange() async throws {
        let server = try await TestServer.shared.get()
        let key = uniqueKey("kind")
        let bob = "\(key)@example.com"
        #expect(try await server.clutch("users", "add", bob, "--role", "editor").status == 0)
        #expect(try await server.clutch("flags", "create", key).status == 0)
        let set = try await server.clutch("flags", "set", key, "--kind", "kill-switch", "--owner", bob.uppercased(), "-m", "permanent")
        #expect(set.status == 0, "\(set)")
        #expect(set.stdout.contains("is a kill-switch flag, owner \(bob)"), "\(set)")
        let json = try await server.clutch("flags", "get", key, "--json")
        #expect(try json.json()["flag"]?["kind"]?.string == "kill-switch")
        let history = try await server.clutch("history", key)
        #expect(history.stdout.contains("kind release → kill-switch"), "\(history)")
        let kind = try await server.clutch("flags", "set-kind", key, "experiment")
        #expect(kind.status == 0 && kind.stdout.contains("is an experiment flag, owner \(bob)"), "\(kind)")
        let unknown = try await server.clutch("flags", "create", uniqueKey("bad"), "--kind", "forever")
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("unknown kind 'forever'"), "\(unknown)")
        let owner = try await server.clutch("flags", "set", key, "--owner", "bob")
        #expect(owner.status == 1)
        #expect(owner.stderr.contains("email address"), "\(owner)")
        let stranger = try await server.clutch("flags", "set-owner", key, "nobody-\(bob)")
        #expect(stranger.status == 1)
        #expect(stranger.stderr.contains("is not a member"), "\(stranger)")
        #expect(stranger.stderr.split(separator: "\n").count == 1, "one line: \(stranger)")
        let creating = try await server.clutch("flags", "create", uniqueKey("owned"), "--owner", "nobody-\(bob)")
        #expect(creating.status == 1 && creating.stderr.contains("is not a member"), "\(creating)")

        // Bob leaves: the flag still names him, as removed.
        #expect(try await server.clutch("users", "remove", bob).status == 0)
        let got = try await server.clutch("flags", "get", key)
        #expect(got.stdout.contains("owner: \(bob) (removed)"), "\(got)")
    }
}
