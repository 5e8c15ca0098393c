import ClutchCore
import ClutchServer
import Foundation
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

    /// Runs a command, bounded, and returns its standard output; a non-zero exit fails.
    /// Output goes to files, not pipes: a blocking pipe read would hold one of the few threads the
    /// in-process server needs.
    static func run(_ arguments: [String], timeout: Duration = .seconds(45)) async throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("clutch-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outputURL = directory.appendingPathComponent("stdout")
        let errorURL = directory.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errorURL.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.standardOutput = try FileHandle(forWritingTo: outputURL)
        process.standardError = try FileHandle(forWritingTo: errorURL)
        try process.run()
        let finished = try await eventually(timeout: timeout) { !process.isRunning }
        if !finished {
            process.terminate()
            // Reading the exit status of a process still running traps.
            process.waitUntilExit()
        }
        let output = try String(contentsOf: outputURL, encoding: .utf8)
        let errors = (try? String(contentsOf: errorURL, encoding: .utf8)) ?? ""
        guard finished, process.terminationStatus == 0 else {
            throw TestFailure("\(arguments.joined(separator: " ")) failed (\(process.terminationStatus)): \(errors)")
        }
        return output
    }
}
