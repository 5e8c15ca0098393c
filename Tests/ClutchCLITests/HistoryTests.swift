import ClutchCore
import Foundation
import ServerTestSupport
import Testing

@Suite("clutch history, diff, rollback")
struct HistoryTests {
    @Test("history lists revisions newest first with actor and message")
    func history() async throws {
        let server = try await TestServer.shared.get()
        let key = uniqueKey("hist")
        _ = try await server.clutch("flags", "create", key, "-m", "created for QA")
        _ = try await server.clutch("on", key, "--env", "staging", "-m", "Ünïcode ✓ 100% done")
        _ = try await server.clutch("rollout", key, "--env", "production", "--percent", "10", "-m", "ten percent")
        let json = try await server.clutch("history", key, "--json")
        #expect(json.status == 0, "\(json)")
        let revisions = try #require(try json.json()["revisions"]?.array)
        #expect(revisions.compactMap { $0["number"]?.int } == [3, 2, 1])
        #expect(revisions[1]["message"]?.string == "Ünïcode ✓ 100% done")
        #expect(revisions[2]["message"]?.string == "created for QA")

        let staging = try await server.clutch("history", key, "--env", "staging", "--json")
        let numbers = try staging.json()["revisions"]?.array?.compactMap { $0["number"]?.int } ?? []
        #expect(!numbers.contains(3), "the production change is left out: \(numbers)")

        let text = try await server.clutch("history", key)
        #expect(text.status == 0)
        let lines = text.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("REV") == true)
        // One line per revision, and more where a long change wraps to fit 100 columns.
        #expect(lines.filter { $0.first?.isNumber == true }.count == 3, "\(text)")
        #expect(lines[1].hasPrefix("3 ") && lines[1].contains("ten percent"), "\(text)")
    }

    @Test("history and audit print control characters in a message escaped; --json keeps them exact")
    func controlCharactersAreEscaped() async throws {
        let server = try await TestServer.shared.get()
        let key = uniqueKey("ctl")
        // Retitles the window, clears the screen, recolours, and forges a line of its own.
        let message = "ok\u{1B}]0;pwned\u{07}\u{1B}[2J\u{1B}[31mred\r\nREV 99 forged\u{202E}"
        _ = try await server.clutch("flags", "create", key)
        let toggled = try await server.clutch("on", key, "--env", "staging", "-m", message)
        #expect(toggled.status == 0, "\(toggled)")
        let escaped = #"ok\e]0;pwned\u{7}\e[2J\e[31mred\r\nREV 99 forged\u{202e}"#
        for arguments in [["history", key], ["audit", "--flag", key]] {
            // Wide enough that history wraps no cell: the message is checked whole.
            let text = try await server.clutch(arguments: arguments, environment: ["COLUMNS": "300"])
            #expect(text.status == 0, "\(text)")
            #expect(text.stdout.contains(escaped), "\(text)")
            let raw = text.stdout.unicodeScalars.filter { $0.value < 0x20 && $0 != "\n" || $0 == "\u{202E}" }
            #expect(raw.isEmpty, "\(arguments[0]) printed raw control characters: \(raw.map(\.value))")
            #expect(!text.stdout.split(separator: "\n").contains { $0.hasPrefix("REV 99") }, "\(text)")
        }
        let json = try await server.clutch("history", key, "--json")
        #expect(try json.json()["revisions"]?.array?.first?["message"]?.string == message)
        let audit = try await server.clutch("audit", "--flag", key, "--json")
        #expect(try audit.json()["events"]?.array?.contains { $0["message"]?.string == message } == true, "\(audit)")
    }

    @Test("diff shows the changed paths of one environment")
    func diff() async throws {
        let server = try await TestServer.shared.get()
        let key = uniqueKey("diff")
        _ = try await server.clutch("flags", "create", key)
        _ = try await server.clutch("on", key, "--env", "staging")
        _ = try await server.clutch("on", key, "--env", "production")
        let json = try await server.clutch("diff", key, "--env", "staging", "1", "--json")
        #expect(json.status == 0, "\(json)")
        let changes = try #require(try json.json()["changes"]?.array)
        #expect(changes.contains { $0["path"]?.string == "environments.staging.enabled" && $0["after"] == true })
        #expect(!changes.contains { $0["path"]?.string?.hasPrefix("environments.production") == true })

        let text = try await server.clutch("diff", key, "--env", "production", "2", "3")
        #expect(text.status == 0, "\(text)")
        #expect(text.stdout.contains("environments.production.enabled"))
        #expect(text.stdout.contains("- false"))
        #expect(text.stdout.contains("+ true"))
        #expect(text.stdout.contains("production: switched on"), "\(text)")
        let missing = try await server.clutch("diff", key, "--env", "staging", "99")
        #expect(missing.status == 1)
    }

    @Test("rollback restores the previous revision as a new one and says what changed back")
    func rollback() async throws {
        let server = try await TestServer.shared.get()
        let key = uniqueKey("rb")
        _ = try await server.clutch("flags", "create", key)
        _ = try await server.clutch("rollout", key, "--env", "staging", "--percent", "30")
        _ = try await server.clutch("rollout", key, "--env", "staging", "--percent", "80")
        let back = try await server.clutch("rollback", key, "--env", "staging", "-m", "too fast")
        #expect(back.status == 0, "\(back)")
        #expect(back.stdout.contains("as revision 4"), "\(back)")
        #expect(back.stdout.contains("environments.staging.default"), "\(back)")
        #expect(back.stdout.contains("default:  30% on / 70% off by targetingKey"), "\(back)")
        // In plain language first, the words the console's history uses (Describe.changes).
        #expect(back.stdout.contains("staging: everyone now gets a rollout: 30% “on”, 70% “off”, sticky by targetingKey (was a rollout: 80% “on”, 20% “off”, sticky by targetingKey)"), "\(back)")

        let toFirst = try await server.clutch("rollback", key, "--env", "staging", "--to", "1", "--json")
        #expect(toFirst.status == 0, "\(toFirst)")
        let json = try toFirst.json()
        #expect(json["revision"]?.int == 5)
        #expect(json["restored"]?.int == 1)
        let restoredDefault = json["flag"]?["environments"]?["staging"]?["default"]
        #expect(restoredDefault == nil || restoredDefault == .null)

        let history = try await server.clutch("history", key, "--json")
        #expect(try history.json()["revisions"]?[1]?["message"]?.string == "too fast")
    }
}
