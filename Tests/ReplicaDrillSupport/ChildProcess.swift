import Foundation
import ProcessTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A program run in the background with its output (stdout and stderr together) in a file:
/// a `clutch serve` replica or HAProxy. Stopped by signal; ``forceStop()`` is the cleanup that
/// always ends it.
public final class ChildProcess: Sendable {
    private let process: Subprocess
    /// Where the program's output goes.
    public let logPath: String

    public init(executable: String, arguments: [String], environment: [String: String], logPath: String) throws {
        self.logPath = logPath
        process = try Subprocess([executable] + arguments, environment: environment, output: .file(logPath))
    }

    public var isRunning: Bool { process.isRunning }
    public var pid: Int32 { process.pid }

    /// What the program wrote so far (its last `limit` characters).
    public func output(limit: Int = 4000) -> String {
        String(((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "").suffix(limit))
    }

    public func signal(_ signal: Int32) {
        process.signal(signal)
    }

    /// Waits (polling, bounded) until the program has exited; whether it did.
    public func waitForExit(timeout: Duration) async -> Bool {
        await process.wait(timeout: timeout) != nil
    }

    /// Ends the program no matter what (SIGKILL) and reaps it.
    public func forceStop() {
        process.forceStop()
    }
}
