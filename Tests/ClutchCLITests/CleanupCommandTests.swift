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

    @Test("a flag's kind and owner change with flags set; an unknown kind or a bad owner fails with one line")
    func kindAndOwnerChange() async throws {
        let server = try await TestServer.shared.get()
        let key = uniqueKey("kind")
        #expect(try await server.clutch("flags", "create", key).status == 0)
        let set = try await server.clutch("flags", "set", key, "--kind", "kill-switch", "--owner", "bob@example.com", "-m", "permanent")
        #expect(set.status == 0, "\(set)")
        #expect(set.stdout.contains("is a kill-switch flag, owner bob@example.com"), "\(set)")
        let json = try await server.clutch("flags", "get", key, "--json")
        #expect(try json.json()["flag"]?["kind"]?.string == "kill-switch")
        let history = try await server.clutch("history", key)
        #expect(history.stdout.contains("kind release → kill-switch"), "\(history)")
        let unknown = try await server.clutch("flags", "create", uniqueKey("bad"), "--kind", "forever")
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("unknown kind 'forever'"), "\(unknown)")
        let owner = try await server.clutch("flags", "set", key, "--owner", "bob")
        #expect(owner.status == 1)
        #expect(owner.stderr.contains("email address"), "\(owner)")
    }
}
