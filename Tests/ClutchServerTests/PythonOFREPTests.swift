import ClutchCore
import ClutchServer
import Foundation
import ProcessTestSupport
import ServerTestSupport
import TestSupport
import Testing

/// The stock OpenFeature Python SDK with its OFREP provider, unchanged, against the real server.
@Suite("OFREP with the Python OpenFeature provider")
struct PythonOFREPTests {
    /// Whether python3 has the OpenFeature SDK and its OFREP provider.
    static let available = pythonCanImport("openfeature.contrib.provider.ofrep, openfeature.api")

    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("ofrep_client.py").path
    }

    @Test(
        .enabled(if: available, "python3 with openfeature-sdk and openfeature-provider-ofrep is not installed (pip install openfeature-sdk openfeature-provider-ofrep)"),
        .timeLimit(.minutes(1)))
    func pythonProviderEvaluatesEveryType() async throws {
        try await TestServer.with { server in
            try await OFREPFixtures.seed(server)
            let (_, key) = try await server.createKey("production")
            let output = try await Self.run(["python3", Self.script, "http://127.0.0.1:\(server.port)", key])
            let results = try JSONDecoder().decode(Value.self, from: Data(output.utf8))
            #expect(results.at("dark-mode.value") == .bool(true))
            #expect(results.at("dark-mode.reason") == .string("STATIC"))
            #expect(results.at("dark-mode.variant") == .string("on"))
            #expect(results.at("banner.value") == .string("Hello"))
            #expect(results.at("limit.value") == .integer(1000))
            #expect(results.at("limit.python_type") == .string("int"))
            #expect(results.at("ratio.python_type") == .string("float"))
            #expect(results.at("ratio.value")?.numberValue == 1.0)
            #expect(results.at("ratio.error_code") == .null)
            #expect(results.at("config.value.retries") == .integer(3))
            #expect(results.at("config.value.endpoints") == .array(["a", "b"]))
            #expect(results.at("config.reason") == .string("TARGETING_MATCH"))
            #expect(results.at("missing.error_code") == .string("FLAG_NOT_FOUND"))
            #expect(results.at("missing.value") == .bool(true))
            #expect(results.at("mistyped.error_code") == .string("TYPE_MISMATCH"))
        }
    }

    /// Runs a command (through `/usr/bin/env`), bounded, and returns its standard output; a
    /// non-zero exit or running out of time fails.
    static func run(_ arguments: [String], timeout: Duration = .seconds(45)) async throws -> String {
        let outcome = try await Subprocess.run(["/usr/bin/env"] + arguments, timeout: timeout)
        guard outcome.termination == .exited(0) else {
            throw TestFailure("\(arguments.joined(separator: " ")) failed (\(outcome.termination)\(outcome.finished ? "" : ", out of time")): \(outcome.stderr)")
        }
        return outcome.stdout
    }
}
