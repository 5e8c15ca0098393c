import AsyncHTTPClient
import Foundation
import TestSupport

/// One `clutch serve --db postgres://…` replica: the real binary on a fixed loopback port, so
/// that the proxy's configuration stays valid across restarts. Each start is a new process
/// with its own log file.
public final class ReplicaProcess: @unchecked Sendable {
    /// The name HAProxy knows it by (`clutch-1`…, the example configuration's `server` names).
    public let name: String
    public let port: Int
    private let binary: String
    private let environment: [String: String]
    private let directory: URL
    private var child: ChildProcess?
    private var runs = 0

    public var baseURL: String { "http://127.0.0.1:\(port)" }
    public var isRunning: Bool { child?.isRunning ?? false }
    /// The current process's output (its last characters).
    public var output: String { child?.output() ?? "" }

    public init(name: String, port: Int, binary: String, environment: [String: String], directory: URL) {
        self.name = name
        self.port = port
        self.binary = binary
        self.environment = environment
        self.directory = directory
    }

    /// Starts a new process and waits (bounded) until `/readyz` answers 200.
    public func start(client: HTTPClient, timeout: Duration = .seconds(90)) async throws {
        runs += 1
        let child = try ChildProcess(
            executable: binary, arguments: ["serve", "--host", "127.0.0.1", "--port", "\(port)"],
            environment: environment, logPath: directory.appendingPathComponent("\(name)-run\(runs).log").path)
        self.child = child
        let deadline = ContinuousClock.now + timeout
        while (try? await DrillHTTP.call(client, .GET, "\(baseURL)/readyz", timeout: .seconds(5)))?.status != 200 {
            guard child.isRunning else { throw TestFailure("\(name) exited while starting: \(child.output())") }
            guard ContinuousClock.now < deadline else {
                child.forceStop()
                throw TestFailure("\(name) was not ready within \(timeout): \(child.output())")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// SIGTERM (the replica drains, then stops); whether it exited by itself within `timeout`.
    /// One that did not is killed, so nothing outlives the drill.
    public func drainAndStop(timeout: Duration = .seconds(30)) async -> Bool {
        guard let child else { return true }
        child.signal(SIGTERM)
        let exited = await child.waitForExit(timeout: timeout)
        if !exited { child.forceStop() }
        return exited
    }

    /// SIGINT: stops without draining (the end of a drill); killed if it has not exited in 15 s.
    public func stop() async {
        guard let child else { return }
        child.signal(SIGINT)
        if !(await child.waitForExit(timeout: .seconds(15))) { child.forceStop() }
    }

    /// SIGKILL: the replica vanishes mid-request, as when its machine dies.
    public func kill9() {
        child?.forceStop()
    }

    /// Ends the process no matter what (cleanup).
    public func forceStop() {
        child?.forceStop()
    }
}
