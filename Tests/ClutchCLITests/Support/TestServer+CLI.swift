import Foundation
import ServerTestSupport

/// A server the `clutch` under test talks to: the in-process ``TestServer`` (nearly every test)
/// or a `clutch serve` process (``ServeProcess``, for what the process itself does).
protocol CLIServer {
    /// `http://127.0.0.1:PORT`.
    var address: String { get }
    /// The admin token `clutch` sends.
    var token: String { get }
    /// A directory of the server's own, for files a test writes.
    var directory: URL { get }
}

extension CLIServer {
    /// The environment a `clutch` run needs to reach this server.
    var environment: [String: String] {
        ["CLUTCH_URL": address, "CLUTCH_TOKEN": token, "CLUTCH_CONFIG": directory.appendingPathComponent("cli-config.json").path]
    }

    /// Runs `clutch` against this server.
    func clutch(_ arguments: String..., stdin: String? = nil, environment extra: [String: String] = [:]) async throws -> CLIResult {
        try await runClutch(arguments, environment: environment.merging(extra) { _, new in new }, stdin: stdin)
    }

    /// Runs `clutch` against this server with an argument array.
    func clutch(arguments: [String], environment extra: [String: String] = [:]) async throws -> CLIResult {
        try await runClutch(arguments, environment: environment.merging(extra) { _, new in new })
    }
}

extension TestServer: CLIServer {
    var token: String { Self.adminToken }

    /// One server shared by every test in this process; tests use their own flag keys.
    static let shared = SharedServer()

    /// A random admin-token-shaped string (no server knows it unless given it).
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return "clutch_admin_" + (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}

extension ServeProcess: CLIServer {
    var token: String { bootstrapToken ?? "" }
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
