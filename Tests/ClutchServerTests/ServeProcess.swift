import ClutchCore
import Foundation
import ProcessTestSupport

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The real `clutch serve` binary as a subprocess, its output captured in files.
final class ServeProcess: @unchecked Sendable {
    static let adminToken = "clutch_admin_process_" + String(repeating: "0123456789abcdef", count: 4)

    /// `.build/debug/clutch`, next to the test bundle (ClutchCLITests depends on the executable, so
    /// `swift build --build-tests` builds it).
    static let binary: String? = {
        var candidates: [URL] = []
        if let first = CommandLine.arguments.first {
            var url = URL(fileURLWithPath: first)
            for _ in 0..<4 {
                url = url.deletingLastPathComponent()
                candidates.append(url.appendingPathComponent("clutch"))
            }
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(root.appendingPathComponent(".build/debug/clutch"))
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }?.path
    }()

    let directory: URL
    let process: Subprocess
    let stdoutURL: URL
    let stderrURL: URL
    private(set) var port = 0

    var databasePath: String { directory.appendingPathComponent("clutch.db").path }
    var configPath: String { directory.appendingPathComponent("cli/config.json").path }

    /// Starts `clutch serve --port 0` over `directory`'s database and waits until it listens.
    /// `environment` adds to (or overrides) the variables the process gets.
    init(directory: URL, run: Int = 0, environment extra: [String: String] = [:]) async throws {
        guard let binary = Self.binary else { throw TestFailure("the clutch binary is not built") }
        self.directory = directory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        stdoutURL = directory.appendingPathComponent("stdout-\(run)")
        stderrURL = directory.appendingPathComponent("stderr-\(run)")
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        var environment = ProcessInfo.processInfo.environment
        environment["CLUTCH_BOOTSTRAP_TOKEN"] = Self.adminToken
        environment["CLUTCH_CONFIG"] = directory.appendingPathComponent("cli/config.json").path
        environment["CLUTCH_LOG_LEVEL"] = "info"
        environment["CLUTCH_CHECK_CONTRACT"] = "1"
        environment.merge(extra) { _, new in new }
        process = try Subprocess(
            [binary, "serve", "--host", "127.0.0.1", "--port", "0", "--db", directory.appendingPathComponent("clutch.db").path, "--json"],
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

    var stdout: String { (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "" }

    /// The port of the `--json` ready line.
    private func readyPort() -> Int? {
        for line in stdout.split(separator: "\n") where line.hasPrefix("{") {
            if let value = try? JSONDecoder().decode(Value.self, from: Data(line.utf8)), let port = value.at("port")?.intValue {
                return Int(port)
            }
        }
        return nil
    }

    /// Sends `signal` and waits (bounded) for the process to exit; returns whether it did.
    func stop(signal: Int32 = SIGTERM, timeout: Duration = .seconds(5)) async throws -> Bool {
        process.signal(signal)
        return await process.wait(timeout: timeout) != nil
    }

    /// Ends the process no matter what (cleanup).
    func forceStop() {
        process.forceStop()
    }
}
