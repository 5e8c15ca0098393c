import ClutchCore
import ClutchServer
import Foundation
import ServerTestSupport
import TestSupport
import Testing

/// Clutch's flagd export, judged by flagd's own evaluator: openfeature-provider-flagd's
/// in-process resolver reads the document Clutch serves (file mode) and must answer what Clutch's
/// OFREP answers — value and variant — for every flag of ``FlagdCorpus`` and 1,000 contexts.
@Suite("flagd: the export answers as Clutch does")
struct FlagdInteropTests {
    static let available = pythonCanImport("openfeature.contrib.provider.flagd, openfeature.api")

    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("flagd_resolver.py").path
    }

    @Test("flagd's in-process resolver answers Clutch's OFREP answer for every flag and 1,000 contexts",
        .enabled(if: available, "python3 with openfeature-provider-flagd is not installed (scripts/ensure-deps.sh test)"),
        .timeLimit(.minutes(5)))
    func flagdAgreesWithOFREP() async throws {
        try await TestServer.with { server in
            let document = ClutchDocument(flags: FlagdCorpus.flags, cohorts: [FlagdCorpus.environment: FlagdCorpus.cohorts])
            let imported = try await server.send("POST", "/api/v1/import", data: try ClutchJSON.encode(document))
            #expect(imported.status == 200, "\(imported.text)")
            let (_, key) = try await server.createKey(FlagdCorpus.environment)

            // The document a flagd follows, with its entity tag.
            let served = try await server.send("GET", "/flagd/v1/flags.json", data: nil, as: .bearer(key))
            #expect(served.status == 200, "\(served.text)")
            let etag = try #require(served.headers["etag"])
            let again = try await server.send("GET", "/flagd/v1/flags.json", data: nil, as: .bearer(key), headers: ["If-None-Match": etag])
            #expect(again.status == 304)
            let flagd = try served.json()
            let exported = try #require(flagd.at("flags")?.objectValue)

            // What flagd cannot say is left out, and the admin export names it.
            let admin = try await server.send("GET", "/api/v1/export/flagd?environment=\(FlagdCorpus.environment)")
            #expect(admin.status == 200, "\(admin.text)")
            #expect(admin["document"] == flagd, "the admin export holds the served document")
            let listed = Set((admin["unexpressed"]?.arrayValue ?? []).compactMap { $0.at("path")?.stringValue })
            for (flag, path) in FlagdCorpus.unexpressibleIssues {
                #expect(exported[flag] == nil, "\(flag) is left out")
                #expect(listed.contains(path), "\(path) is listed: \(listed)")
            }
            let strict = try await server.send("GET", "/api/v1/export/flagd?environment=\(FlagdCorpus.environment)&strict=true")
            #expect(strict.status == 400)
            #expect(listed.contains(strict.errorField ?? ""), "strict refuses naming what it would leave out: \(strict.text)")

            let left = Set(FlagdCorpus.unexpressibleIssues.map(\.0))
            let flags = FlagdCorpus.flags.filter { !left.contains($0.key) }
            #expect(Set(exported.keys) == Set(flags.map(\.key)), "every other flag is exported")

            // flagd's answers, from the file.
            let contexts = FlagdCorpus.contexts(1000)
            let answers = try await Self.flagdAnswers(
                served.body, types: Dictionary(uniqueKeysWithValues: flags.map { ($0.key, $0.type.rawValue) }), contexts: contexts,
                directory: server.directory)

            // Clutch's answers, over OFREP, compared one by one.
            let (compared, differences) = try await Self.compare(answers, contexts: contexts, flags: flags.map(\.key), server: server, key: key)
            #expect(compared == flags.count * contexts.count)
            #expect(differences.isEmpty, "\(differences.count) of \(compared) answers differ; first: \(differences.prefix(5).joined(separator: "\n"))")
        }
    }

    @Test("a flagd document imports into one environment, and Clutch then answers what flagd answers on it",
        .enabled(if: available, "python3 with openfeature-provider-flagd is not installed (scripts/ensure-deps.sh test)"),
        .timeLimit(.minutes(5)))
    func importedAnswersAsFlagd() async throws {
        try await TestServer.with { server in
            let source = Data(FlagdSource.document.utf8)
            let dry = try await server.send("POST", "/api/v1/import?format=flagd&environment=staging&dryRun=true", data: source)
            #expect(dry.status == 200, "\(dry.text)")
            #expect(dry["applied"] == .bool(false))
            #expect(dry["unmapped"] == nil, "\(dry.text)")
            let creates = (dry["changes"]?.arrayValue ?? []).filter { $0.at("action") == .string("create") }
            #expect(creates.count == FlagdSource.compared.count + 1 + 2, "every flag and both evaluators (as cohorts)")
            let notes = (dry["notes"]?.arrayValue ?? []).compactMap { $0.at("path")?.stringValue }
            #expect(notes.contains("flags.paused"), "a disabled flagd flag serves the off variant in Clutch: \(notes)")
            #expect(try await server.send("GET", "/api/v1/flags/welcome").status == 404, "a dry run writes nothing")

            let applied = try await server.send("POST", "/api/v1/import?format=flagd&environment=staging", data: source)
            #expect(applied.status == 200, "\(applied.text)")
            #expect(applied["applied"] == .bool(true))
            let welcome = try await server.send("GET", "/api/v1/flags/welcome")
            #expect(welcome["flag.environments.production.enabled"] == .bool(false), "other environments are left off")
            #expect(welcome["flag.environments.staging.enabled"] == .bool(true))
            let (_, key) = try await server.createKey("staging")

            let contexts = FlagdSource.contexts(1000)
            let answers = try await Self.flagdAnswers(source, types: FlagdSource.compared, contexts: contexts, directory: server.directory)

            let (compared, differences) = try await Self.compare(
                answers, contexts: contexts, flags: FlagdSource.compared.keys.sorted(), server: server, key: key)
            #expect(compared == FlagdSource.compared.count * contexts.count)
            #expect(differences.isEmpty, "\(differences.count) of \(compared) answers differ; first: \(differences.prefix(5).joined(separator: "\n"))")
        }
    }

    @Test("a flagd document with constructs Clutch cannot map imports nothing, and every construct is named with its path")
    func unmappableImportsNothing() async throws {
        try await TestServer.with { server in
            let source = Data(FlagdSource.unmappable.utf8)
            let dry = try await server.send("POST", "/api/v1/import?format=flagd&environment=staging&dryRun=true", data: source)
            #expect(dry.status == 200, "\(dry.text)")
            let paths = Set((dry["unmapped"]?.arrayValue ?? []).compactMap { $0.at("path")?.stringValue })
            #expect(paths == Set(FlagdSource.unmappablePaths), "\(dry.text)")

            let refused = try await server.send("POST", "/api/v1/import?format=flagd&environment=staging", data: source)
            #expect(refused.status == 400)
            #expect(refused.errorCode == "validation_failed")
            #expect(FlagdSource.unmappablePaths.contains(refused.errorField ?? ""), "\(refused.text)")
            #expect(try await server.send("GET", "/api/v1/flags/fine").status == 404, "all or nothing")

            let noEnvironment = try await server.send("POST", "/api/v1/import?format=flagd", data: source)
            #expect(noEnvironment.status == 400)
            #expect(noEnvironment.errorField == "environment")
            let notJSON = try await server.send("POST", "/api/v1/import?format=flagd&environment=staging", body: "flags: {}")
            #expect(notJSON.status == 400, "\(notJSON.text)")
        }
    }

    @Test("the served flagd document follows every change of the environment, and is 304 while nothing changed")
    func servedDocumentFollowsChanges() async throws {
        try await TestServer.with { server in
            try await server.createFlag(#"{"key": "switch", "environments": {"production": {"enabled": true}}}"#)
            let (_, key) = try await server.createKey("production")
            let first = try await server.send("GET", "/flagd/v1/flags.json", data: nil, as: .bearer(key))
            #expect(first["flags.switch.defaultVariant"] == .string("on"))
            let etag = try #require(first.headers["etag"])
            #expect(try await server.send("GET", "/flagd/v1/flags.json", data: nil, as: .bearer(key), headers: ["If-None-Match": etag]).status == 304)

            #expect(try await server.send("POST", "/api/v1/flags/switch/environments/production/off").status == 200)
            let changed = try await server.send("GET", "/flagd/v1/flags.json", data: nil, as: .bearer(key), headers: ["If-None-Match": etag])
            #expect(changed.status == 200)
            #expect(changed.headers["etag"] != etag)
            #expect(changed["flags.switch.defaultVariant"] == .string("off"), "a disabled flag serves its off variant: \(changed.text)")
            let admin = try await server.send("GET", "/api/v1/export/flagd?environment=production")
            #expect(admin["document.flags.switch.defaultVariant"] == .string("off"))
        }
    }

    /// What flagd's in-process resolver answers on `document` (read from a file) for each context,
    /// for the flags of `types` (key → Clutch type name).
    static func flagdAnswers(_ document: Data, types: [String: String], contexts: [Value], directory: URL) async throws -> [Value] {
        let flagsFile = directory.appendingPathComponent("flagd-\(UUID().uuidString).json")
        try document.write(to: flagsFile)
        let casesFile = directory.appendingPathComponent("flagd-cases-\(UUID().uuidString).json")
        let cases = Value.object(["flags": .object(types.mapValues(Value.string)), "contexts": .array(contexts)])
        try Data(cases.jsonText.utf8).write(to: casesFile)
        let output = try await PythonOFREPTests.run(["python3", script, flagsFile.path, casesFile.path], timeout: .seconds(150))
        let answers = try #require(try JSONDecoder().decode(Value.self, from: Data(output.utf8)).arrayValue)
        #expect(answers.count == contexts.count)
        return answers
    }

    /// Clutch's OFREP answer for each context against flagd's, flag by flag: how many were
    /// compared, and each difference in value or variant.
    static func compare(
        _ answers: [Value], contexts: [Value], flags: [String], server: TestServer, key: String
    ) async throws -> (compared: Int, differences: [String]) {
        var compared = 0
        var differences: [String] = []
        for (index, context) in contexts.enumerated() where index < answers.count {
            let bulk = try await server.send(
                "POST", "/ofrep/v1/evaluate/flags", body: Value.object(["context": context]).jsonText, as: .bearer(key))
            #expect(bulk.status == 200, "\(bulk.text)")
            var clutch: [String: Value] = [:]
            for entry in bulk["flags"]?.arrayValue ?? [] {
                if let key = entry.at("key")?.stringValue { clutch[key] = entry }
            }
            for flag in flags {
                let theirs = answers[index].at(flag)
                let ours = clutch[flag]
                compared += 1
                if theirs?.at("value") != ours?.at("value") || theirs?.at("variant") != ours?.at("variant") {
                    differences.append("\(flag) for \(context.jsonText): flagd \(theirs?.jsonText ?? "nothing"), Clutch \(ours?.jsonText ?? "nothing")")
                }
            }
        }
        return (compared, differences)
    }
}
