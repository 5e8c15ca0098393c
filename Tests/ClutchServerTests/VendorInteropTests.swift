import ClutchCore
import ClutchServer
import Foundation
import ServerTestSupport
import TestSupport
import Testing

/// Moving in from LaunchDarkly and Unleash, judged by each vendor's own SDK: after `import
/// --format`, Clutch answers what the vendor's SDK answers on the very file that was imported —
/// context by context for flags without rollouts, by proportion for rollouts (the vendors bucket
/// differently, so only the shares carry over).
@Suite("Moving in from LaunchDarkly and Unleash")
struct VendorInteropTests {
    static let launchDarklyAvailable = pythonCanImport("ldclient, ldclient.integrations")
    static let unleashAvailable = pythonCanImport("UnleashClient")

    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("vendor_eval.py").path
    }

    /// The vendor SDK's answers on `document` for `flags` and `contexts`, one object per context.
    static func vendorAnswers(
        _ vendor: String, document: String, flags: [String], variants: [String] = [], contexts: [Value], in server: TestServer
    ) async throws -> [Value] {
        let file = server.directory.appendingPathComponent("\(vendor)-source.json")
        try Data(document.utf8).write(to: file)
        let cases = server.directory.appendingPathComponent("\(vendor)-cases-\(contexts.count).json")
        let body = Value.object([
            "flags": .array(flags.map(Value.string)), "variants": .array(variants.map(Value.string)), "contexts": .array(contexts),
        ])
        try Data(body.jsonText.utf8).write(to: cases)
        let output = try await PythonOFREPTests.run(["python3", script, vendor, file.path, cases.path], timeout: .seconds(240))
        let answers = try #require(try JSONDecoder().decode(Value.self, from: Data(output.utf8)).arrayValue)
        #expect(answers.count == contexts.count)
        return answers
    }

    /// Clutch's answers over OFREP bulk evaluation: each flag's entry by key, per context.
    static func clutchAnswers(_ contexts: [Value], key: String, in server: TestServer) async throws -> [[String: Value]] {
        var all: [[String: Value]] = []
        for context in contexts {
            let bulk = try await server.send("POST", "/ofrep/v1/evaluate/flags", body: Value.object(["context": context]).jsonText, as: .bearer(key))
            #expect(bulk.status == 200, "\(bulk.text)")
            var answers: [String: Value] = [:]
            for entry in bulk["flags"]?.arrayValue ?? [] {
                if let flag = entry.at("key")?.stringValue { answers[flag] = entry }
            }
            all.append(answers)
        }
        return all
    }

    /// Runs `work` on a thread of its own: evaluating and counting 100,000 contexts takes
    /// seconds, and blocking one of the two threads of Swift's cooperative pool that long would
    /// stall the in-process servers of the tests running beside this one.
    static func onThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try work() }) }
        }
    }

    /// The shares of the answers to each rollout flag over `count` contexts (`r-<i>`, every other
    /// one on plan "pro"), from the vendor's SDK and from Clutch's engine on the environment's
    /// snapshot (the engine the server evaluates with; 100,000 HTTP requests would only measure
    /// HTTP): they must agree within one percentage point. `variants` are answered by variant name.
    static func expectRolloutSharesAgree(
        _ vendor: String, document: String, flags: [String], variants: [String] = [], key: String, in server: TestServer,
        count: Int = 100_000
    ) async throws {
        let file = server.directory.appendingPathComponent("\(vendor)-source.json")
        try Data(document.utf8).write(to: file)
        let cases = server.directory.appendingPathComponent("\(vendor)-shares.json")
        let request = Value.object([
            "flags": .array(flags.map(Value.string)), "variants": .array(variants.map(Value.string)),
            "share": .object(["count": .integer(Int64(count)), "prefix": .string("r-")]),
        ])
        try Data(request.jsonText.utf8).write(to: cases)
        let output = try await PythonOFREPTests.run(["python3", script, vendor, file.path, cases.path], timeout: .seconds(240))
        let theirs = try #require(try JSONDecoder().decode(Value.self, from: Data(output.utf8)).objectValue)

        let served = try await server.send("GET", "/sdk/v1/flags", data: nil, as: .bearer(key))
        #expect(served.status == 200)
        let snapshot = try ClutchJSON.decode(Snapshot.self, from: served.body)
        let ours: [String: [String: Int]] = try await onThread {
            let engine = Engine(snapshot)
            var counts: [String: [String: Int]] = [:]
            for index in 0..<count {
                let context = EvaluationContext(
                    targetingKey: "r-\(index)", attributes: ["plan": .string(index % 2 == 0 ? "pro" : "free")])
                for flag in flags {
                    let result = engine.evaluate(flag, context: context)
                    let answer = variants.contains(flag) ? result.variant.map(Value.string) : result.value
                    counts[flag, default: [:]][answer?.jsonText ?? "nothing", default: 0] += 1
                }
            }
            return counts
        }
        for flag in flags {
            let vendorCounts = (theirs[flag]?.objectValue ?? [:]).mapValues { Double($0.numberValue ?? 0) / Double(count) }
            let clutchCounts = (ours[flag] ?? [:]).mapValues { Double($0) / Double(count) }
            #expect(Set(vendorCounts.keys) == Set(clutchCounts.keys), "\(flag): \(vendor) serves \(vendorCounts), Clutch \(clutchCounts)")
            for (answer, share) in vendorCounts {
                #expect(abs(share - (clutchCounts[answer] ?? 0)) <= 0.01, "\(flag) → \(answer): \(vendor) \(share), Clutch \(clutchCounts[answer] ?? 0)")
            }
        }
    }

    // MARK: LaunchDarkly

    @Test("LaunchDarkly's SDK data imports, and Clutch answers what LaunchDarkly's SDK answers on the same file",
        .enabled(if: launchDarklyAvailable, "python3 with launchdarkly-server-sdk is not installed (scripts/ensure-deps.sh test)"),
        .timeLimit(.minutes(5)))
    func launchDarklyAnswersCarryOver() async throws {
        try await TestServer.with { server in
            let source = Data(LaunchDarklyCorpus.document.utf8)
            let dry = try await server.send("POST", "/api/v1/import?format=launchdarkly&environment=production&dryRun=true", data: source)
            #expect(dry.status == 200, "\(dry.text)")
            #expect(dry["applied"] == .bool(false))
            let unmapped = dry["unmapped"]?.arrayValue ?? []
            #expect(unmapped.isEmpty, "\(dry.text)")
            let notes = (dry["notes"]?.arrayValue ?? []).compactMap { $0.at("reason")?.stringValue }
            for flag in LaunchDarklyCorpus.rollouts {
                #expect(notes.contains { $0.hasPrefix("flag '\(flag)': the rollout keeps its proportions") }, "\(flag) says what carries over: \(notes)")
            }
            #expect(try await server.send("GET", "/api/v1/flags/ld-plan").status == 404, "a dry run writes nothing")

            let applied = try await server.send("POST", "/api/v1/import?format=launchdarkly&environment=production", data: source)
            #expect(applied.status == 200, "\(applied.text)")
            let plan = try await server.send("GET", "/api/v1/flags/ld-plan")
            #expect(plan["flag.variants"]?.arrayValue?.compactMap { $0.at("key")?.stringValue } == ["basic", "premium", "gold"])
            #expect(plan["flag.environments.staging.enabled"] == .bool(false), "other environments are left off")
            let (_, key) = try await server.createKey(LaunchDarklyCorpus.environment)

            // Context by context, on 1,000 contexts.
            let contexts = LaunchDarklyCorpus.contexts(1000)
            let theirs = try await Self.vendorAnswers(
                "launchdarkly", document: LaunchDarklyCorpus.document, flags: LaunchDarklyCorpus.compared, contexts: contexts, in: server)
            let ours = try await Self.clutchAnswers(contexts, key: key, in: server)
            var compared = 0
            var differences: [String] = []
            for (index, context) in contexts.enumerated() where index < theirs.count {
                for flag in LaunchDarklyCorpus.compared {
                    compared += 1
                    let vendor = theirs[index].at(flag)
                    let clutch = ours[index][flag]?.at("value")
                    if vendor != clutch {
                        differences.append("\(flag) for \(context.jsonText): LaunchDarkly \(vendor?.jsonText ?? "nothing"), Clutch \(clutch?.jsonText ?? "nothing")")
                    }
                }
            }
            #expect(compared == LaunchDarklyCorpus.compared.count * contexts.count)
            #expect(differences.count == 0, "\(differences.count) of \(compared) answers differ; first: \(differences.prefix(5).joined(separator: "\n"))")

            // Rollouts, by proportion over 100,000 contexts.
            try await Self.expectRolloutSharesAgree(
                "launchdarkly", document: LaunchDarklyCorpus.document, flags: LaunchDarklyCorpus.rollouts, key: key, in: server)
        }
    }

    @Test("LaunchDarkly's REST API flags import with every environment they hold, or only --env's")
    func launchDarklyRESTEnvironments() async throws {
        try await TestServer.with { server in
            let document = #"""
            {"items": [
              {"key": "new-checkout", "name": "New checkout", "kind": "boolean", "description": "The new checkout",
               "variations": [{"value": true, "name": "On"}, {"value": false, "name": "Off"}],
               "environments": {
                 "production": {"on": true, "offVariation": 1, "fallthrough": {"variation": 1},
                                "targets": [{"values": ["acme"], "variation": 0}], "rules": [], "prerequisites": []},
                 "staging": {"on": true, "offVariation": 1, "fallthrough": {"variation": 0}, "targets": [], "rules": []}}}
            ]}
            """#
            let all = try await server.send("POST", "/api/v1/import?format=launchdarkly", body: document)
            #expect(all.status == 200, "\(all.text)")
            let flag = try await server.send("GET", "/api/v1/flags/new-checkout")
            #expect(flag["flag.description"] == .string("The new checkout"))
            #expect(flag["flag.environments.production.targets"]?.arrayValue?.first?.at("values") == .array([.string("acme")]))
            #expect(flag["flag.environments.production.default.variant"] == .string("off"))
            #expect(flag["flag.environments.staging.default.variant"] == .string("on"))

            let one = try await server.send("POST", "/api/v1/import?format=launchdarkly&environment=staging&dryRun=true",
                body: document.replacingOccurrences(of: "new-checkout", with: "other-checkout"))
            #expect(one.status == 200, "\(one.text)")
            let created = (one["changes"]?.arrayValue ?? []).filter { $0.at("action") == .string("create") }
            #expect(created.count == 1)
        }
    }

    @Test("a LaunchDarkly file with constructs Clutch cannot map imports nothing, naming each with its path and reason")
    func launchDarklyUnmappable() async throws {
        try await TestServer.with { server in
            let document = #"""
            {"flags": {
              "kinds": {"key": "kinds", "on": true, "variations": [true, false], "offVariation": 1, "fallthrough": {"variation": 0},
                        "rules": [{"clauses": [{"contextKind": "organization", "attribute": "key", "op": "in", "values": ["o1"]}], "variation": 0}]},
              "Upper": {"key": "Upper", "on": true, "variations": [true, false], "offVariation": 1, "fallthrough": {"variation": 0}},
              "mixed": {"key": "mixed", "on": true, "variations": [true, "yes"], "offVariation": 1, "fallthrough": {"variation": 0}},
              "no-off": {"key": "no-off", "on": false, "variations": [true, false], "fallthrough": {"variation": 0}},
              "fine": {"key": "fine", "on": true, "variations": [true, false], "offVariation": 1, "fallthrough": {"variation": 0}}
            },
            "segments": {"excluding": {"key": "excluding", "included": ["a"], "excluded": ["b"], "rules": []}}}
            """#
            let refused = try await server.send("POST", "/api/v1/import?format=launchdarkly&environment=production", body: document)
            #expect(refused.status == 400, "\(refused.text)")
            let text = refused["error.message"]?.stringValue ?? ""
            for path in ["flags.kinds.rules[0].clauses[0]", "flags.Upper", "flags.mixed.variations", "flags.no-off", "segments.excluding.excluded"] {
                #expect(text.contains(path), "\(path) is named: \(text)")
            }
            #expect(try await server.send("GET", "/api/v1/flags/fine").status == 404, "nothing is half-imported")

            let dry = try await server.send("POST", "/api/v1/import?format=launchdarkly&environment=production&dryRun=true", body: document)
            let unmapped = dry["unmapped"]?.arrayValue ?? []
            #expect(unmapped.count == 5, "a dry run lists them all: \(dry.text)")

            let noEnvironment = try await server.send("POST", "/api/v1/import?format=launchdarkly", body: document)
            #expect(noEnvironment.status == 400)
            #expect(noEnvironment.errorField == "environment", "\(noEnvironment.text)")
        }
    }

    // MARK: Unleash

    @Test("Unleash's client features import, and Clutch answers what Unleash's SDK answers on the same file",
        .enabled(if: unleashAvailable, "python3 with UnleashClient is not installed (scripts/ensure-deps.sh test)"),
        .timeLimit(.minutes(5)))
    func unleashAnswersCarryOver() async throws {
        try await TestServer.with { server in
            let source = Data(UnleashCorpus.document.utf8)
            let dry = try await server.send("POST", "/api/v1/import?format=unleash&environment=production&dryRun=true", data: source)
            #expect(dry.status == 200, "\(dry.text)")
            let unmapped = dry["unmapped"]?.arrayValue ?? []
            #expect(unmapped.isEmpty, "\(dry.text)")
            let applied = try await server.send("POST", "/api/v1/import?format=unleash&environment=production", data: source)
            #expect(applied.status == 200, "\(applied.text)")
            let (_, key) = try await server.createKey(UnleashCorpus.environment)

            let contexts = UnleashCorpus.contexts(1000)
            let theirs = try await Self.vendorAnswers(
                "unleash", document: UnleashCorpus.document, flags: UnleashCorpus.compared, variants: UnleashCorpus.withVariants,
                contexts: contexts, in: server)
            let ours = try await Self.clutchAnswers(contexts, key: key, in: server)
            var compared = 0
            var differences: [String] = []
            for (index, context) in contexts.enumerated() where index < theirs.count {
                for flag in UnleashCorpus.compared {
                    compared += 1
                    let vendor = theirs[index].at(flag)
                    let clutch = UnleashCorpus.withVariants.contains(flag) ? ours[index][flag]?.at("variant") : ours[index][flag]?.at("value")
                    if vendor != clutch {
                        differences.append("\(flag) for \(context.jsonText): Unleash \(vendor?.jsonText ?? "nothing"), Clutch \(clutch?.jsonText ?? "nothing")")
                    }
                }
            }
            #expect(compared == UnleashCorpus.compared.count * contexts.count)
            #expect(differences.count == 0, "\(differences.count) of \(compared) answers differ; first: \(differences.prefix(5).joined(separator: "\n"))")

            try await Self.expectRolloutSharesAgree(
                "unleash", document: UnleashCorpus.document, flags: UnleashCorpus.rollouts, variants: UnleashCorpus.withVariants,
                key: key, in: server)
        }
    }

    @Test("Unleash's export imports each environment's strategies, and names what it cannot map")
    func unleashExport() async throws {
        try await TestServer.with { server in
            let export = #"""
            {"features": [{"name": "dark-mode", "description": "Dark mode", "type": "release", "project": "default"}],
             "featureStrategies": [
               {"featureName": "dark-mode", "environment": "production", "strategyName": "userWithId", "parameters": {"userIds": "acme,globex"}, "constraints": [], "sortOrder": 0},
               {"featureName": "dark-mode", "environment": "staging", "strategyName": "default", "parameters": {}, "constraints": [], "sortOrder": 0}],
             "featureEnvironments": [
               {"featureName": "dark-mode", "environment": "production", "enabled": true, "variants": []},
               {"featureName": "dark-mode", "environment": "staging", "enabled": true, "variants": []}],
             "segments": []}
            """#
            let imported = try await server.send("POST", "/api/v1/import?format=unleash", body: export)
            #expect(imported.status == 200, "\(imported.text)")
            let flag = try await server.send("GET", "/api/v1/flags/dark-mode")
            #expect(flag["flag.description"] == .string("Dark mode"))
            #expect(flag["flag.environments.production.rules"]?.arrayValue?.first?.at("clauses")?.arrayValue?.first?.at("values")
                == .array([.string("acme"), .string("globex")]))
            #expect(flag["flag.environments.production.default.variant"] == .string("off"))
            #expect(flag["flag.environments.staging.default.variant"] == .string("on"))

            let unmappable = #"""
            {"version": 2, "features": [
              {"name": "by-address", "enabled": true, "strategies": [{"name": "remoteAddress", "parameters": {"IPs": "10.0.0.1"}}]},
              {"name": "two-rollouts", "enabled": true, "strategies": [
                {"name": "flexibleRollout", "parameters": {"rollout": "10", "stickiness": "userId"}},
                {"name": "flexibleRollout", "parameters": {"rollout": "20", "stickiness": "userId"}}]},
              {"name": "any-case", "enabled": true, "strategies": [{"name": "default", "constraints": [
                {"contextName": "email", "operator": "STR_ENDS_WITH", "values": ["@ACME.COM"], "caseInsensitive": true}]}]},
              {"name": "fine", "enabled": true, "strategies": []}
            ]}
            """#
            let refused = try await server.send("POST", "/api/v1/import?format=unleash&environment=production", body: unmappable)
            #expect(refused.status == 400, "\(refused.text)")
            let text = refused["error.message"]?.stringValue ?? ""
            for path in ["features[0].strategies[0].name", "features[1].strategies[1]", "features[2].strategies[0].constraints[0].caseInsensitive"] {
                #expect(text.contains(path), "\(path) is named: \(text)")
            }
            #expect(try await server.send("GET", "/api/v1/flags/fine").status == 404, "nothing is half-imported")
        }
    }
}
