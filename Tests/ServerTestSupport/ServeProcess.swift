import ClutchCore
import Foundation
import ProcessTestSupport
import TestSupport

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The real `clutch` executable, built next to the test bundle (ClutchCLITests depends on the
/// executable, so `swift build --build-tests` builds it).
public enum ClutchBinary {
    /// `.build/debug/clutch`, or `nil` when it is not built.
    public static let path: String? = {
        var candidates: [URL] = []
        if let first = CommandLine.arguments.first {
            var url = URL(fileURLWithPath: first)
            for _ in 0..<4 {
                url = url.deletingLastPathComponent()
                candidates.append(url.appendingPathComponent("clutch"))
            }
        }
        if let executable = Bundle.main.executableURL {
            candidates.append(executable.deletingLastPathComponent().appendingPathComponent("clutch"))
        }
        // The package root from this file: Tests/ServerTestSupport/ServeProcess.swift.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(root.appendingPathComponent(".build/debug/clutch"))
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }?.path
    }()

    /// ``path``, or a failure saying how to build it.
    public static func require() throws -> String {
        guard let path else { throw TestFailure("the clutch executable is not built (swift build --build-tests builds it)") }
        return path
    }
}

/// The real `clutch serve` binary as a subprocess, its output captured in files: for the tests
/// of what the process itself does (its options, ready line, signals, log); everything else runs
/// ``TestServer`` in process.
public final class ServeProcess: @unchecked Sendable {
    public static let adminToken = "clutch_admin_process_" + String(repeating: "0123456789abcdef", count: 4)

    public let directory: URL
    public let process: Subprocess
    public let stdoutURL: URL
    public let stderrURL: URL
    /// The admin token the server was started with (`CLUTCH_BOOTSTRAP_TOKEN`), if any.
    public let bootstrapToken: String?
    public private(set) var port = 0

    public var databasePath: String { directory.appendingPathComponent("clutch.db").path }
    public var configPath: String { directory.appendingPathComponent("cli/config.json").path }
    /// `http://127.0.0.1:PORT`.
    public var address: String { "http://127.0.0.1:\(port)" }

    /// Starts `clutch serve --port 0` over `directory`'s database and waits until it listens.
    /// `environment` adds to (or overrides) the variables the process gets; `json`: the ready line
    /// is `--json`'s, else the text `Clutch listening on URL`.
    public init(
        directory: URL = FileManager.default.temporaryDirectory.appendingPathComponent("clutch-process-\(UUID().uuidString)"),
        run: Int = 0, bootstrapToken: String? = ServeProcess.adminToken, json: Bool = true, environment extra: [String: String] = [:]
    ) async throws {
        let binary = try ClutchBinary.require()
        self.directory = directory
        self.bootstrapToken = bootstrapToken
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        stdoutURL = directory.appendingPathComponent("stdout-\(run)")
        stderrURL = directory.appendingPathComponent("stderr-\(run)")
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        var environment = ProcessInfo.processInfo.environment
        environment["CLUTCH_BOOTSTRAP_TOKEN"] = bootstrapToken
        environment["CLUTCH_CONFIG"] = directory.appendingPathComponent("cli/config.json").path
        environment["CLUTCH_LOG_LEVEL"] = "info"
        environment["CLUTCH_CHECK_CONTRACT"] = "1"
        environment.merge(extra) { _, new in new }
        process = try Subprocess(
            [binary, "serve", "--host", "127.0.0.1", "--port", "0", "--db", directory.appendingPathComponent("clutch.db").path]
                + (json ? ["--json"] : []),
            environment: environment,
            output: .file(stdoutURL.path), error: .file(stderrURL.path))
        let ready = try await eventually(timeout: .seconds(30)) { [self] in
            guard process.isRunning else { return true }
            return readyPort() != nil
        }
        guard ready, let port = readyPort() else {
            process.forceStop()
            throw TestFailure("clutch serve did not start: \(stderr)")
        }
        self.port = port
    }

    public var stdout: String { (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "" }
    public var stderr: String { (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "" }

    /// The port of the ready line: `{"port": …}` with `--json`, else `Clutch listening on http://HOST:PORT`.
    private func readyPort() -> Int? {
        for line in stdout.split(separator: "\n") {
            if line.hasPrefix("{"), let value = try? JSONDecoder().decode(Value.self, from: Data(line.utf8)),
                let port = value.at("port")?.intValue
            {
                return Int(port)
            }
            if line.hasPrefix("Clutch listening on "), let port = line.split(separator: ":").last.flatMap({ Int($0) }) {
                return port
            }
        }
        return nil
    }

    /// Sends `signal` and waits (bounded) for the process to exit; returns whether it did.
    public func stop(signal: Int32 = SIGTERM, timeout: Duration = .seconds(5)) async throws -> Bool {
        process.signal(signal)
        return await process.wait(timeout: timeout) != nil
    }

    /// Ends the process no matter what (cleanup).
    public func forceStop() {
        process.forceStop()
    }
}
