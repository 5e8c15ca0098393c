import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A program run in the background with its output (stdout and stderr together) in a file:
/// a `clutch serve` replica or HAProxy. Stopped by signal; ``forceStop()`` is the cleanup that
/// always ends it.
public final class ChildProcess: @unchecked Sendable {
    private let process = Process()
    /// Where the program's output goes.
    public let logPath: String

    public init(executable: String, arguments: [String], environment: [String: String], logPath: String) throws {
        self.logPath = logPath
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = log
        process.standardError = log
        try process.run()
        try log.close()
    }

    public var isRunning: Bool { process.isRunning }
    public var pid: Int32 { process.processIdentifier }

    /// What the program wrote so far (its last `limit` characters).
    public func output(limit: Int = 4000) -> String {
        String(((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "").suffix(limit))
    }

    public func signal(_ signal: Int32) {
        if process.isRunning { kill(process.processIdentifier, signal) }
    }

    /// Waits (polling, bounded) until the program has exited; whether it did.
    public func waitForExit(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else { return false }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return true
    }

    /// Ends the program no matter what (SIGKILL) and reaps it.
    public func forceStop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}
