import Foundation
import ProcessTestSupport
import ServerTestSupport
import Testing

@testable import Clutch

/// The examples in sdk-examples/ run against a real server, so they cannot drift from it.
@Suite("SDK examples")
struct ExamplesTests {
    /// The repository root, from this file's path.
    private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Runs `executable` with `arguments` and extra `environment`; returns its exit status and output.
    private func run(_ executable: URL, _ arguments: [String] = [], environment: [String: String]) async throws -> (Int32, String, String) {
        // Bound the wait: a hung example fails the test instead of blocking the suite.
        let outcome = try await Subprocess.run(
            [executable.path] + arguments, environment: ProcessInfo.processInfo.environment.merging(environment) { _, new in new },
            timeout: .seconds(30))
        return (outcome.status, outcome.stdout, outcome.stderr)
    }

    /// The built example next to the test bundle (`.build/<config>/`).
    private func builtProduct(_ name: String) throws -> URL {
        var candidates: [URL] = []
        if let bundle = Bundle.main.executableURL { candidates.append(bundle.deletingLastPathComponent().appendingPathComponent(name)) }
        if let first = CommandLine.arguments.first { candidates.append(URL(fileURLWithPath: first).deletingLastPathComponent().appendingPathComponent(name)) }
        candidates.append(Self.root.appendingPathComponent(".build/debug/\(name)"))
        return try #require(candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }, "\(name) is not built")
    }

    @Test("the command-line example prints each user's value and the client status")
    func cliApp() async throws {
        try await TestServer.with { server in
            try await server.createFlag(#"{"key": "new-checkout", "environments": {"production": {"enabled": true, "rules": [{"clauses": [{"attribute": "customerId", "operator": "in", "values": ["acme"]}], "serve": {"variant": "on"}}], "default": {"variant": "off"}}}}"#)
            let key = try await server.createKey().key
            let cache = try TemporaryDirectory()
            defer { cache.remove() }
            let (status, out, err) = try await run(try builtProduct("ClutchExampleCLI"), environment: [
                "CLUTCH_URL": try server.url.absoluteString, "CLUTCH_SDK_KEY": key, "CLUTCH_ITERATIONS": "1",
                "CLUTCH_CACHE_DIR": cache.url.path,
            ])
            // The example keeps its cache where it was told to.
            #expect(try FileManager.default.contentsOfDirectory(atPath: cache.url.path).count == 1)
            #expect(status == 0, "stderr: \(err)")
            // alice and bob are acme users; carol (globex) is not.
            #expect(out.contains("new-checkout [READY] alice=on  bob=on  carol=off"), "output: \(out)")
        }
    }

    @Test("the command-line example refuses to start without an SDK key")
    func cliAppNeedsKey() async throws {
        let (status, _, err) = try await run(try builtProduct("ClutchExampleCLI"), environment: ["CLUTCH_SDK_KEY": ""])
        #expect(status != 0)
        #expect(err.contains("CLUTCH_SDK_KEY"))
    }

    @Test("the device example prints what the signed-in person gets, then the next person's answers after a sign-in")
    func deviceApp() async throws {
        try await TestServer.with { server in
            try await server.createFlag(#"{"key": "new-checkout", "environments": {"production": {"enabled": true, "rules": [{"clauses": [{"attribute": "targetingKey", "operator": "in", "values": ["bob"]}], "serve": {"variant": "on"}}], "default": {"variant": "off"}}}}"#)
            let key = try await server.createKey(kind: "client").key
            let cache = try TemporaryDirectory()
            defer { cache.remove() }
            let (status, out, err) = try await run(try builtProduct("ClutchExampleDevice"), environment: [
                "CLUTCH_URL": try server.url.absoluteString, "CLUTCH_CLIENT_KEY": key, "CLUTCH_USER": "alice",
                "CLUTCH_SWITCH_TO": "bob", "CLUTCH_CHANGES": "0", "CLUTCH_CACHE_DIR": cache.url.path,
            ])
            #expect(status == 0, "stderr: \(err)")
            #expect(out.contains("alice new-checkout=off (DEFAULT) [READY]\nbob new-checkout=on (TARGETING_MATCH) [READY]"), "output: \(out)")
            // One file per person it answered for.
            #expect(try FileManager.default.contentsOfDirectory(atPath: cache.url.path).count == 2)
        }
    }

    @Test("the device example refuses to start without a client key")
    func deviceAppNeedsKey() async throws {
        let (status, _, err) = try await run(try builtProduct("ClutchExampleDevice"), environment: ["CLUTCH_CLIENT_KEY": ""])
        #expect(status != 0)
        #expect(err.contains("CLUTCH_CLIENT_KEY") && err.contains("--kind client"))
    }

    @Test("the curl OFREP example evaluates one flag, all flags, and gets a 304 with If-None-Match")
    func ofrepCurl() async throws {
        try await TestServer.with { server in
            try await server.createFlag(#"{"key": "new-checkout", "environments": {"production": {"enabled": true}}}"#)
            let key = try await server.createKey().key
            let script = Self.root.appendingPathComponent("sdk-examples/ofrep/evaluate.sh")
            let (status, out, err) = try await run(URL(fileURLWithPath: "/bin/bash"), [script.path, "new-checkout", "u1", "acme"], environment: [
                "CLUTCH_URL": try server.url.absoluteString, "CLUTCH_SDK_KEY": key,
            ])
            #expect(status == 0, "stderr: \(err)")
            #expect(out.contains(#""key":"new-checkout""#), "output: \(out)")
            #expect(out.contains(#""value":true"#), "output: \(out)")
            #expect(out.contains("HTTP 304"), "output: \(out)")
        }
    }
}
