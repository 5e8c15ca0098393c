import ClutchCore
import ClutchRefs
import Foundation
import ServerTestSupport
import Testing

@testable import ClutchCLI

/// What a daily user of the CLI trips over within the hour (issue 27): options before the
/// command, misspelled commands, a history wider than the terminal, YAML errors without a place,
/// and relative times for `--at`.
@Suite("clutch papercuts")
struct PapercutTests {
    @Test("the README's scheduled examples use a relative --at, so they work on any day")
    func readmeSchedulesRelatively() throws {
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("README.md")
        let commands = try String(contentsOf: readme, encoding: .utf8).split(separator: "\n")
            .filter { $0.hasPrefix("clutch ") && $0.contains(" --at ") }
        #expect(!commands.isEmpty, "the README shows a scheduled change")
        for command in commands {
            let at = command.components(separatedBy: " --at ")[1].prefix { $0 != " " }
            #expect(at.hasPrefix("+") && ScheduleTime.parse(String(at), now: Date()) != nil, "\(command)")
        }
    }

    @Test("global options written before the command are moved after it; everything else stays in place", arguments: [
        (["--token", "T", "flags", "list"], ["flags", "list", "--token", "T"]),
        (["--json", "--server=http://x", "-e", "staging", "on", "k"], ["on", "k", "--json", "--server=http://x", "-e", "staging"]),
        (["flags", "list", "--token", "T"], ["flags", "list", "--token", "T"]),
        (["--env", "production", "explain", "k", "--", "--x"], ["explain", "k", "--env", "production", "--", "--x"]),
        (["--help"], ["--help"]),
        (["--token", "T"], ["--token", "T"]),
    ])
    func hoisting(_ arguments: [String], _ expected: [String]) {
        #expect(GlobalOptions.hoisted(arguments) == expected)
    }

    @Test("a misspelled command is named with the closest command, also below a command")
    func suggestions() {
        #expect(CommandSuggestion.error(for: ["flgas", "list"])?.description == "error: unknown command 'flgas'; did you mean 'flags'?")
        #expect(CommandSuggestion.error(for: ["flags", "lsit"])?.description == "error: unknown command 'flags lsit'; did you mean 'flags list'?")
        #expect(CommandSuggestion.error(for: ["release", "stat", "k"])?.description == "error: unknown command 'release stat'; did you mean 'release start'?")
        #expect(CommandSuggestion.error(for: ["zzzzzz"])?.description == "error: unknown command 'zzzzzz' (see 'clutch --help')")
        // A word a default subcommand takes as its argument is no command at all.
        #expect(CommandSuggestion.error(for: ["rules", "new-checkout"]) == nil)
        #expect(CommandSuggestion.error(for: ["flags", "get", "flgas"]) == nil, "a flag key is not a command")
        #expect(CommandSuggestion.distance("flgas", "flags") == 1)
    }

    @Test("--at takes a delay from now in minutes, hours or days", arguments: [("+30m", 1_800.0), ("+1h", 3_600.0), ("+2d", 172_800.0), ("+1h30m", 5_400.0)])
    func relativeTimes(_ text: String, _ seconds: Double) throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(ScheduleTime.parse(text, now: now) == now.addingTimeInterval(seconds))
    }

    @Test("a relative --at that is not a delay is refused", arguments: ["+1w", "+h", "+", "1h", "+-1h"])
    func badRelativeTimes(_ text: String) {
        #expect(ScheduleTime.parse(text, now: Date()) == nil)
    }

    @Test("long cells wrap at spaces within their column; a word longer than the column is cut")
    func wrapping() {
        #expect(Table.wrapped("one two three four", width: 9) == ["one two", "three", "four"])
        #expect(Table.wrapped("abcdefghij", width: 4) == ["abcd", "efgh", "ij"])
        #expect(Table.wrapped("", width: 4) == [""])
    }

    @Test("the real binary: --token before the command works, a misspelled command exits 2 with a suggestion")
    func globalOptionsAndSuggestionsInTheBinary() async throws {
        let server = try await TestServer.shared.get()
        let key = uniqueKey("hoist")
        #expect(try await server.clutch("flags", "create", key).status == 0)
        // No CLUTCH_TOKEN: the token given first is the one used.
        let environment = ["CLUTCH_TOKEN": "", "CLUTCH_URL": ""]
        let before = try await server.clutch(
            arguments: ["--token", server.token, "--server", server.address, "--json", "flags", "get", key], environment: environment)
        #expect(before.status == 0, "\(before)")
        #expect(try before.json()["flag"]?["key"]?.string == key)
        let after = try await server.clutch(
            arguments: ["flags", "get", key, "--token", server.token, "--server", server.address, "--json"], environment: environment)
        #expect(after.status == 0, "\(after)")
        #expect(after.stdout == before.stdout)

        let typo = try await server.clutch("flgas", "list")
        #expect(typo.status == 2, "\(typo)")
        #expect(typo.stderr == "error: unknown command 'flgas'; did you mean 'flags'?\n", "\(typo)")
        let nested = try await server.clutch("flags", "lsit")
        #expect(nested.status == 2, "\(nested)")
        #expect(nested.stderr.contains("did you mean 'flags list'?"), "\(nested)")
    }

    @Test("history fits 100 columns: long actors, messages and changes wrap, nothing is lost")
    func historyFitsOneHundredColumns() async throws {
        let server = try await TestServer.shared.get()
        let key = uniqueKey("wide") + "-with-a-rather-long-key-name"
        let message = (1...30).map { "word\($0)" }.joined(separator: " ")
        #expect(try await server.clutch("flags", "create", key, "-m", message).status == 0)
        let customers = (1...12).map { "customer-number-\($0)" }.joined(separator: ",")
        #expect(try await server.clutch("target", key, "--env", "production", "--customers", customers, "-m", "x").status == 0)
        let history = try await server.clutch("history", key)
        #expect(history.status == 0, "\(history)")
        let lines = history.stdout.split(separator: "\n")
        #expect(lines.count > 3, "the long cells took more than one line each: \(history.stdout)")
        for line in lines { #expect(Table.visibleWidth(String(line)) <= 100, "\(line.count): \(line)") }
        let words = Set(history.stdout.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
        #expect((1...30).allSatisfy { words.contains("word\($0)") }, "every word of the message is printed")
    }

    @Test("a YAML import with a syntax error names its line and column")
    func yamlErrorsNameLineAndColumn() async throws {
        let server = try await TestServer.shared.get()
        let key = uniqueKey("yaml")
        let broken = server.directory.appendingPathComponent("\(key)-broken.yaml")
        try "flags:\n  - key: \(key)\n    description: \"unterminated\n".write(to: broken, atomically: true, encoding: .utf8)
        let syntax = try await server.clutch("import", broken.path)
        #expect(syntax.status == 1, "\(syntax)")
        #expect(syntax.stderr.contains("malformed YAML at line 4, column 1: "), "\(syntax)")
        // A misspelled field: ImportExportTests.badDocument checks its path and place.
    }

    @Test("a bad .clutch/refs.yaml names its line and column")
    func refsConfigurationErrorsNameLineAndColumn() {
        #expect(throws: RefsConfigurationError.self) { try RefsConfiguration.parse("patterns:\n  - [unclosed\n") }
        do {
            _ = try RefsConfiguration.parse("aliases:\n  new-checkout: 12\n")
            Issue.record("a number where a list of names belongs was accepted")
        } catch {
            #expect("\(error)".contains("at line 2, column 3"), "\(error)")
        }
        do {
            _ = try RefsConfiguration.parse("patterns:\n  - \"a\n")
            Issue.record("an unterminated string was accepted")
        } catch {
            #expect("\(error)".contains("not valid YAML at line"), "\(error)")
        }
    }
}
