import ClutchCore
import Foundation
import ServerTestSupport
import Testing

@Suite("clutch export and import")
struct ImportExportTests {
    @Test("export as YAML and JSON")
    func export() async throws {
        let server = try await TestServer.shared.get()
        let key = uniqueKey("exported")
        _ = try await server.clutch("flags", "create", key, "--description", "to export")
        let json = try await server.clutch("export", "--json")
        #expect(json.status == 0, "\(json)")
        let flags = try #require(try json.json()["flags"]?.array)
        #expect(flags.contains { $0["key"]?.string == key })
        // Other tests add flags meanwhile, so compare what this test made.
        let jsonFormat = try await server.clutch("export", "--format", "json")
        let same = try jsonFormat.json()["flags"]?.array?.first { $0["key"]?.string == key }
        #expect(same == flags.first { $0["key"]?.string == key })

        let yaml = try await server.clutch("export", "--env", "staging")
        #expect(yaml.status == 0, "\(yaml)")
        #expect(yaml.stdout.contains("key: \(key)"), "\(yaml)")
        #expect(yaml.stdout.contains("flags:"))

        let bad = try await server.clutch("export", "--format", "xml")
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("unknown format 'xml'"))
    }

    @Test("import --dry-run shows the changes and applies nothing; import applies them")
    func importDocument() async throws {
        let server = try await TestServer.shared.get()
        let key = uniqueKey("imported")
        let existing = uniqueKey("existing")
        _ = try await server.clutch("flags", "create", existing)
        let yaml = """
            flags:
              - key: \(key)
                description: from a file
                environments:
                  staging:
                    enabled: true
                    rules:
                      - clauses:
                          - attribute: plan
                            operator: in
                            values: [pro]
                        serve:
                          variant: "on"
                    default:
                      variant: "off"
              - key: \(existing)
                environments:
                  production:
                    enabled: true
            """
        let file = server.directory.appendingPathComponent("\(key).yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)

        let dry = try await server.clutch("import", file.path, "--dry-run")
        #expect(dry.status == 0, "\(dry)")
        #expect(dry.stdout.contains("create"), "\(dry)")
        #expect(dry.stdout.contains(key))
        #expect(dry.stdout.contains("Dry run"), "\(dry)")
        #expect(dry.stdout.contains("~ flag \(existing)"), "\(dry)")
        #expect(dry.stdout.contains("environments.production.enabled: false → true"), "\(dry)")
        let notYet = try await server.clutch("flags", "get", key)
        #expect(notYet.status == 1, "a dry run creates nothing")

        let applied = try await server.clutch("import", file.path, "-m", "from git", "--json")
        #expect(applied.status == 0, "\(applied)")
        let body = try applied.json()
        #expect(body["applied"]?.bool == true)
        let actions = Dictionary(
            (body["changes"]?.array ?? []).filter { $0["kind"]?.string == "flag" }.compactMap { c in c["key"]?.string.map { ($0, c["action"]?.string ?? "") } },
            uniquingKeysWith: { a, _ in a })
        #expect(actions[key] == "create")
        #expect(actions[existing] == "update")
        let now = try await server.clutch("flags", "get", key, "--json")
        #expect(try now.json()["flag"]?["environments"]?["staging"]?["enabled"]?.bool == true)

        // The same document again changes nothing.
        let again = try await server.clutch("import", file.path)
        #expect(again.status == 0, "\(again)")
        #expect(again.stdout.contains("Nothing to change"), "\(again)")
    }

    @Test("a bad document is refused naming the path in the file, and nothing changes")
    func badDocument() async throws {
        let server = try await TestServer.shared.get()
        let key = uniqueKey("bad-import")
        let good = uniqueKey("good-import")
        let document: Value = [
            "flags": [
                ["key": .string(good)],
                ["key": .string(key), "environments": ["staging": ["enabled": true, "default": ["variant": "blue"]]]],
            ],
        ]
        let file = server.directory.appendingPathComponent("\(key).json")
        try document.jsonText.write(to: file, atomically: true, encoding: .utf8)
        let result = try await server.clutch("import", file.path)
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.contains("flags[1].environments.staging.default"), "\(result)")
        #expect(result.stderr.contains("unknown variant 'blue'"), "\(result)")
        let none = try await server.clutch("flags", "get", good)
        #expect(none.status == 1, "all or nothing")

        let broken = server.directory.appendingPathComponent("\(key)-broken.yaml")
        try "flags:\n  - key: x\n    type: sometimes\n".write(to: broken, atomically: true, encoding: .utf8)
        let parse = try await server.clutch("import", broken.path)
        #expect(parse.status == 1)
        #expect(parse.stderr.contains("flags[0].type"), "\(parse)")

        // The document goes to the server as written: a misspelled field is refused by the
        // server's strict reading, naming its path, instead of being dropped on the way.
        let typo = server.directory.appendingPathComponent("\(key)-typo.yaml")
        try "flags:\n  - key: \(key)\n    environments:\n      staging:\n        enabeld: true\n".write(to: typo, atomically: true, encoding: .utf8)
        let misspelled = try await server.clutch("import", typo.path)
        #expect(misspelled.status == 1, "\(misspelled)")
        #expect(misspelled.stderr.contains("flags[0].environments.staging.enabeld"), "\(misspelled)")
        #expect(misspelled.stderr.contains("(line 5, column 9)"), "where it is in the file: \(misspelled)")
        #expect(try await server.clutch("flags", "get", key).status == 1, "nothing was imported")

        let missing = try await server.clutch("import", "/nonexistent/file.yaml")
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("cannot read /nonexistent/file.yaml"))
    }
}
