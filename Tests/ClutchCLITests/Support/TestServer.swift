import ClutchCore
import Foundation
import ProcessTestSupport
import Testing

/// A real `clutch serve` on 127.0.0.1 with an ephemeral port, a temp database and config.
///
/// It runs under `sh`, which ends the server when `stop()` is called or the test process
/// dies, so no server outlives the tests; its temp directory (database, config, the
/// server's log `server.log`) goes with it.
final class TestServer: Sendable {
    let url: String
    let token: String
    let directory: URL
    let configPath: String
    private let process: Subprocess

    /// One server shared by every test in this process; tests use their own flag keys.
    static let shared = SharedServer()

    private init(url: String, token: String, directory: URL, configPath: String, process: Subprocess) {
        self.url = url
        self.token = token
        self.directory = directory
        self.configPath = configPath
        self.process = process
    }

    /// The environment a `clutch` run needs to reach this server.
    var environment: [String: String] {
        ["CLUTCH_URL": url, "CLUTCH_TOKEN": token, "CLUTCH_CONFIG": directory.appendingPathComponent("cli-config.json").path]
    }

    /// Runs `clutch` against this server.
    func clutch(_ arguments: String..., stdin: String? = nil, environment extra: [String: String] = [:]) async throws -> CLIResult {
        try await runClutch(arguments, environment: environment.merging(extra) { _, new in new }, stdin: stdin)
    }

    /// Runs `clutch` against this server with an argument array.
    func clutch(arguments: [String], environment extra: [String: String] = [:]) async throws -> CLIResult {
        try await runClutch(arguments, environment: environment.merging(extra) { _, new in new })
    }

    /// Starts a server in a new temp directory and waits (at most `timeout`) for its ready line.
    static func start(
        bootstrapToken: String? = TestServer.randomToken(), json: Bool = false,
        extraEnvironment: [String: String] = [:], timeout: Duration = .seconds(60)
    ) async throws -> TestServer {
        let binary = try ClutchBinary.require()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("clutch-cli-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let configPath = directory.appendingPathComponent("config.json").path

        // The shell ends the server on SIGTERM (`stop()`) and when the test process ($PPID)
        // is gone, so a crashed test run leaves no server behind.
        let arguments = [
            "/bin/sh", "-c",
            """
            "$0" serve --port 0 --db "$1" $3 </dev/null 2>"$2" & pid=$!
            trap 'kill -TERM $pid 2>/dev/null' TERM INT
            while kill -0 $PPID 2>/dev/null && kill -0 $pid 2>/dev/null; do sleep 0.2; done
            kill -TERM $pid 2>/dev/null; wait $pid; rm -rf "$4"
            """,
            binary.path, directory.appendingPathComponent("clutch.db").path, directory.appendingPathComponent("server.log").path,
            json ? "--json" : "", directory.path,
        ]
        var env = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": directory.path,
            "CLUTCH_CONFIG": configPath, "CLUTCH_LOG_LEVEL": "warning",
            // Every request the CLI sends and every answer it reads is held to docs/openapi.json.
            "CLUTCH_CHECK_CONTRACT": "1",
        ]
        if let bootstrapToken { env["CLUTCH_BOOTSTRAP_TOKEN"] = bootstrapToken }
        env.merge(extraEnvironment) { _, new in new }
        // The server's output goes to a file read by polling (not a pipe a thread blocks on).
        let outputPath = directory.appendingPathComponent("stdout").path
        let process = try Subprocess(arguments, environment: env, output: .file(outputPath), error: .null, killOnRelease: false)
        var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            if let url = Self.readyURL(in: output, json: json) {
                return TestServer(
                    url: url, token: bootstrapToken ?? "", directory: directory, configPath: configPath,
                    process: process)
            }
            if !process.isRunning || clock.now > deadline {
                process.signal(SIGTERM)
                Issue.record("clutch serve did not print its ready line; output so far: \(output)")
                throw CancellationError()
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// The URL in the ready line: `Clutch listening on URL`, or `{"url": …}` with `--json`.
    static func readyURL(in output: String, json: Bool) -> String? {
        for line in output.split(separator: "\n") {
            if json, line.hasPrefix("{"), let value = try? ClutchJSON.decode(Value.self, from: Data(line.utf8)) {
                return value["url"]?.string
            }
            if !json, line.hasPrefix("Clutch listening on ") {
                return String(line.dropFirst("Clutch listening on ".count))
            }
        }
        return nil
    }

    /// Stops the server and waits (at most 10 s) for it to exit.
    func stop() async {
        process.signal(SIGTERM)
        let stopped = await process.wait(timeout: .seconds(10)) != nil
        #expect(stopped, "clutch serve did not stop within 10 s")
    }

    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return "clutch_admin_" + (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}

/// Starts the shared server once, on first use.
actor SharedServer {
    private var task: Task<TestServer, any Error>?

    func get() async throws -> TestServer {
        if let task { return try await task.value }
        let task = Task { try await TestServer.start() }
        self.task = task
        return try await task.value
    }
}

/// A flag key no other test uses.
func uniqueKey(_ prefix: String) -> String {
    "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
}
