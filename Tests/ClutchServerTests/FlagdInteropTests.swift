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
        .timeLimit(.minutes(3)))
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
            let flagsFile = server.directory.appendingPathComponent("flagd-flags.json")
            try served.body.write(to: flagsFile)
            let casesFile = server.directory.appendingPathComponent("flagd-cases.json")
            let types = Value.object(Dictionary(uniqueKeysWithValues: flags.map { ($0.key, Value.string($0.type.rawValue)) }))
            try Data(Value.object(["flags": types, "contexts": .array(contexts)]).jsonText.utf8).write(to: casesFile)
            let output = try await PythonOFREPTests.run(["python3", Self.script, flagsFile.path, casesFile.path], timeout: .seconds(150))
            let answers = try #require(try JSONDecoder().decode(Value.self, from: Data(output.utf8)).arrayValue)
            #expect(answers.count == contexts.count)

            // Clutch's answers, over OFREP, compared one by one.
            var compared = 0
            var differences: [String] = []
            for (index, context) in contexts.enumerated() where index < answers.count {
                let body = Value.object(["context": context]).jsonText
                let bulk = try await server.send("POST", "/ofrep/v1/evaluate/flags", body: body, as: .bearer(key))
                #expect(bulk.status == 200, "\(bulk.text)")
                var clutch: [String: Value] = [:]
                for entry in bulk["flags"]?.arrayValue ?? [] {
                    if let key = entry.at("key")?.stringValue { clutch[key] = entry }
                }
                for flag in flags {
                    let theirs = answers[index].at(flag.key)
                    let ours = clutch[flag.key]
                    compared += 1
                    if theirs?.at("value") != ours?.at("value") || theirs?.at("variant") != ours?.at("variant") {
                        differences.append("\(flag.key) for \(context.jsonText): flagd \(theirs?.jsonText ?? "nothing"), Clutch \(ours?.jsonText ?? "nothing")")
                    }
                }
            }
            #expect(compared == flags.count * contexts.count)
            #expect(differences.isEmpty, "\(differences.count) of \(compared) answers differ; first: \(differences.prefix(5).joined(separator: "\n"))")
        }
    }
}
