import ClutchCore
import Foundation
import ServerTestSupport
import Testing

@Suite("clutch export --format flagd and import --format flagd")
struct FlagdCommandTests {
    @Test("export --format flagd prints the document and lists on stderr what it leaves out; --strict refuses")
    func export() async throws {
        let server = try await TestServer.shared.get()
        let plain = uniqueKey("flagd-plain")
        let regex = uniqueKey("flagd-regex")
        _ = try await server.clutch("flags", "create", plain)
        _ = try await server.clutch("on", plain, "--env", "staging")
        _ = try await server.clutch("flags", "create", regex)
        _ = try await server.clutch("rules", "add", regex, "--env", "staging", "--where", "email matches ^adm", "--serve", "on")
        _ = try await server.clutch("on", regex, "--env", "staging")

        let exported = try await server.clutch("export", "--format", "flagd", "--env", "staging")
        #expect(exported.status == 0, "\(exported)")
        let document = try exported.json()
        #expect(document["flags"]?[plain]?["state"]?.string == "ENABLED", "\(exported.stdout)")
        #expect(document["flags"]?[regex] == nil)
        #expect(exported.stderr.contains("left out flags.\(regex).rules[0].clauses[0].operator: flagd has no regular expressions"), "\(exported)")

        let strict = try await server.clutch("export", "--format", "flagd", "--env", "staging", "--strict")
        #expect(strict.status == 1)
        #expect(strict.stderr.contains("flags.\(regex)"), "\(strict)")
        #expect(strict.stdout.isEmpty)

        let noEnvironment = try await server.clutch("export", "--format", "flagd")
        #expect(noEnvironment.status == 2, "\(noEnvironment)")
    }

    @Test("import --format flagd: the dry run shows the diff and names what cannot be mapped; nothing is imported until all can be")
    func importFlagd() async throws {
        let server = try await TestServer.shared.get()
        let good = uniqueKey("flagd-good")
        let timed = uniqueKey("flagd-timed")
        let flag = #"{"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off", "targeting": {"if": [{"==": [{"var": "plan"}, "pro"]}, "on", null]}}"#
        let bad = #"{"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off", "targeting": {"if": [{">": [{"var": "$flagd.timestamp"}, 1]}, "on", null]}}"#
        let mixed = server.directory.appendingPathComponent("\(good)-mixed.json")
        try #"{"flags": {"\#(good)": \#(flag), "\#(timed)": \#(bad)}}"#.write(to: mixed, atomically: true, encoding: .utf8)

        let dry = try await server.clutch("import", "--format", "flagd", mixed.path, "--env", "staging", "--dry-run")
        #expect(dry.status == 1, "\(dry)")
        #expect(dry.stdout.contains("cannot map flags.\(timed).targeting.if[0].>[0]: $flagd.timestamp"), "\(dry)")
        #expect(dry.stderr.contains("cannot be mapped"), "\(dry)")
        let refused = try await server.clutch("import", "--format", "flagd", mixed.path, "--env", "staging")
        #expect(refused.status == 1, "\(refused)")
        #expect(refused.stderr.contains("flags.\(timed).targeting.if[0].>[0]"), "\(refused)")
        #expect(try await server.clutch("flags", "get", good).status == 1, "nothing was imported")

        let clean = server.directory.appendingPathComponent("\(good).json")
        try #"{"flags": {"\#(good)": \#(flag)}}"#.write(to: clean, atomically: true, encoding: .utf8)
        let applied = try await server.clutch("import", "--format", "flagd", clean.path, "--env", "staging")
        #expect(applied.status == 0, "\(applied)")
        #expect(applied.stdout.contains("Applied 1 change(s)"), "\(applied)")
        let stored = try await server.clutch("flags", "get", good, "--json").json()["flag"]?["environments"]?["staging"]
        #expect(stored?["enabled"]?.bool == true)
        #expect(stored?["rules"]?[0]?["clauses"]?[0]?["attribute"]?.string == "plan", "\(String(describing: stored))")
        #expect(stored?["default"]?["variant"]?.string == "off")

        let unknown = try await server.clutch("import", "--format", "xml", clean.path)
        #expect(unknown.status == 2, "\(unknown)")
    }
}
