import ClutchCore
import Foundation
import ProcessTestSupport
import ServerTestSupport
import Testing

/// What one `clutch` run printed and how it ended.
struct CLIResult: Sendable, CustomStringConvertible {
    var status: Int32
    var stdout: String
    var stderr: String

    /// stdout parsed as JSON.
    func json() throws -> Value {
        try ClutchJSON.decode(Value.self, from: Data(stdout.utf8))
    }

    var description: String { "exit \(status)\n--- stdout\n\(stdout)--- stderr\n\(stderr)" }
}

/// Runs `clutch` with `arguments` and an environment made only of `environment` (plus PATH
/// and HOME), so the developer's own CLUTCH_* settings never leak in. Waits at most `timeout`.
func runClutch(
    _ arguments: [String], environment: [String: String], stdin: String? = nil, timeout: Duration = .seconds(30)
) async throws -> CLIResult {
    let binary = try ClutchBinary.require()
    let home = FileManager.default.temporaryDirectory.appendingPathComponent("clutch-home-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: home) }
    // CLUTCH_TIMEOUT: the CLI's 10 s default is for people; the tests start dozens of servers and
    // CLI processes at once on 2 cores, where one request has been seen to wait longer than that.
    var env = [
        "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": home.path, "NO_COLOR": "1",
        "CLUTCH_TIMEOUT": "25",
    ]
    env.merge(environment) { _, new in new }
    let outcome = try await Subprocess.run([binary] + arguments, environment: env, input: stdin ?? "", timeout: timeout)
    if !outcome.finished {
        Issue.record("clutch \(arguments.joined(separator: " ")) did not finish within \(timeout)")
    }
    return CLIResult(status: outcome.status, stdout: outcome.stdout, stderr: outcome.stderr)
}
