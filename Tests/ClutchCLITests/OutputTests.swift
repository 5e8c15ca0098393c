import ClutchCore
import Foundation
import ProcessTestSupport
import ServerTestSupport
import Testing

/// Output for people and for scripts: colour only on a terminal without NO_COLOR, JSON with sorted keys.
@Suite("clutch output")
struct OutputTests {
    /// Runs `clutch` on a pseudo-terminal with `script`, so stdout is a TTY.
    static func onTerminal(_ server: TestServer, _ command: String, noColor: Bool) async throws -> CLIResult {
        let script = "/usr/bin/script"
        try #require(FileManager.default.isExecutableFile(atPath: script), "util-linux's script is needed to get a terminal")
        var environment = server.environment
        environment["NO_COLOR"] = noColor ? "1" : ""
        environment["TERM"] = "xterm"
        let binary = try ClutchBinary.require()
        let outcome = try await Subprocess.run(
            [script, "-qec", "\(binary) \(command)", "/dev/null"],
            environment: environment.merging(["PATH": "/usr/bin:/bin"]) { a, _ in a }, timeout: .seconds(30))
        return CLIResult(status: outcome.status, stdout: outcome.stdout, stderr: "")
    }

    @Test("colour on a terminal, none with NO_COLOR or when piped")
    func colour() async throws {
        let server = try await TestServer.shared.get()
        let key = uniqueKey("colour")
        _ = try await server.clutch("flags", "create", key)
        let escape = "\u{1B}["
        let tty = try await Self.onTerminal(server, "flags get \(key)", noColor: false)
        #expect(tty.status == 0, "\(tty)")
        #expect(tty.stdout.contains(escape + "31moff" + escape + "0m"), "\(tty)")
        let noColor = try await Self.onTerminal(server, "flags get \(key)", noColor: true)
        #expect(noColor.status == 0)
        #expect(noColor.stdout.contains(key))
        #expect(!noColor.stdout.contains(escape))
        let piped = try await server.clutch("flags", "get", key, environment: ["NO_COLOR": ""])
        #expect(piped.status == 0)
        #expect(!piped.stdout.contains(escape))
    }

    @Test("tables are aligned")
    func alignment() async throws {
        let server = try await TestServer.shared.get()
        let short = uniqueKey("a")
        let long = uniqueKey("a-much-longer-flag-key")
        _ = try await server.clutch("flags", "create", short)
        _ = try await server.clutch("flags", "create", long)
        let list = try await server.clutch("flags", "list")
        let lines = list.stdout.split(separator: "\n")
        let header = try #require(lines.first)
        let typeColumn = try #require(header.range(of: "TYPE")).lowerBound
        let offset = header.distance(from: header.startIndex, to: typeColumn)
        for key in [short, long] {
            let row = try #require(lines.first { $0.hasPrefix(key + " ") })
            let type = try #require(row.range(of: "boolean")).lowerBound
            #expect(row.distance(from: row.startIndex, to: type) == offset, "\(list.stdout)")
        }
    }

    @Test("--json prints only JSON, with sorted keys")
    func sortedJSON() async throws {
        let server = try await TestServer.shared.get()
        let key = uniqueKey("sorted")
        let created = try await server.clutch("flags", "create", key, "--json")
        #expect(created.status == 0)
        let topLevelKeys = created.stdout.split(separator: "\n")
            .filter { $0.hasPrefix("  \"") }
            .compactMap { $0.dropFirst(3).split(separator: "\"").first.map(String.init) }
        #expect(topLevelKeys == topLevelKeys.sorted())
        #expect(topLevelKeys.contains("flag") && topLevelKeys.contains("revision"))
        _ = try created.json()
    }
}
