import ClutchCore
import Foundation
import Logging
import TestSupport

/// Idle CPU of an application embedding the SDK: a client process holding the live stream
/// (`sdk_idle_cpu_stream`) and one that never syncs (`sdk_idle_cpu_nostream`), beside an
/// in-process server with one flag and its default 15 s heartbeat. Both run at once and
/// are sampled from `/proc/<pid>/stat` (utime + stime) over the same window:
/// `CLUTCH_BENCH_IDLE_SECONDS`, 60 by default. Linux only.
enum IdleBenchmark {
    static func run() async {
        guard FileManager.default.fileExists(atPath: "/proc/self/stat") else {
            print("# sdk_idle_cpu: skipped (no /proc on this system)")
            return
        }
        let seconds = ProcessInfo.processInfo.environment["CLUTCH_BENCH_IDLE_SECONDS"].flatMap(Double.init) ?? 60
        var logger = Logger(label: "clutch.bench")
        logger.logLevel = .critical
        let server: BenchServer
        do {
            server = try await BenchServer.start(heartbeatInterval: .seconds(15), logger: logger)
        } catch {
            print("sdk_idle_cpu_stream: failed (\(error))")
            return
        }
        do {
            try await measure(server, seconds: seconds)
        } catch {
            print("sdk_idle_cpu_stream: failed (\(error))")
        }
        await server.stop()
    }

    private static func measure(_ server: BenchServer, seconds: Double) async throws {
        try await server.admin("POST", "api/v1/flags", #"{"key": "idle", "environments": {"production": {"enabled": true}}}"#)
        let key = try await server.sdkKey()
        let streaming = try ChildProcess.launch(["idle-client", server.base.absoluteString, key, "stream"])
        defer { streaming.terminate() }
        let silent = try ChildProcess.launch(["idle-client", server.base.absoluteString, key, "none"])
        defer { silent.terminate() }
        for child in [streaming, silent] {
            guard try await child.waitForLine({ $0 == "ready" }, timeout: .seconds(30)) else {
                throw TestFailure("the idle client did not become ready: \(child.output)")
            }
        }
        // Let start-up work (first snapshot, lazy initialisation) settle before sampling.
        try await Task.sleep(for: .seconds(2))
        let start = ContinuousClock.now
        let before = (try streaming.cpuSeconds(), try silent.cpuSeconds())
        try await Task.sleep(for: .seconds(seconds))
        let after = (try streaming.cpuSeconds(), try silent.cpuSeconds())
        let elapsed = Bench.seconds(ContinuousClock.now - start)

        // The stream was live throughout: a change made now reaches the client.
        try await server.admin("POST", "api/v1/flags/idle/environments/production/off")
        let live = try await streaming.waitForLine({ $0.hasPrefix("change") }, timeout: .seconds(5))
        Bench.report("sdk_idle_cpu_stream", (after.0 - before.0) / elapsed * 100, "% of a core")
        Bench.report("sdk_idle_cpu_nostream", (after.1 - before.1) / elapsed * 100, "% of a core")
        if !live { print("# sdk_idle_cpu_stream: the client did not see a change after the window; its stream was not live") }
    }
}

/// This executable started again as a child, its stdout collected line by line.
private final class ChildProcess {
    private let process: Process
    private let lines = LineBuffer()

    private init(process: Process) {
        self.process = process
    }

    static func launch(_ arguments: [String]) throws -> ChildProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        let child = ChildProcess(process: process)
        let handle = output.fileHandleForReading
        try process.run()
        // A blocking reader thread: the pipe carries a few short lines.
        Thread.detachNewThread { [lines = child.lines] in
            var pending = ""
            while true {
                let data = handle.availableData
                if data.isEmpty { return }  // the child exited
                pending += String(decoding: data, as: UTF8.self)
                while let newline = pending.firstIndex(of: "\n") {
                    lines.append(String(pending[..<newline]))
                    pending = String(pending[pending.index(after: newline)...])
                }
            }
        }
        return child
    }

    var output: [String] { lines.all }

    /// Whether a line matching `matches` arrives within `timeout`.
    func waitForLine(_ matches: (String) -> Bool, timeout: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if output.contains(where: matches) { return true }
            guard process.isRunning else { return false }
            try await Task.sleep(for: .milliseconds(50))
        }
        return output.contains(where: matches)
    }

    /// User plus system CPU time so far, from `/proc/<pid>/stat`.
    func cpuSeconds() throws -> Double {
        let stat = try String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8)
        // Fields after the command name, which is in parentheses and may hold spaces:
        // state is field 3, utime 14 and stime 15.
        guard let close = stat.lastIndex(of: ")") else { throw TestFailure("unreadable /proc stat: \(stat)") }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else {
            throw TestFailure("unreadable /proc stat: \(stat)")
        }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    func terminate() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }
}

/// Lines read on one thread and looked at from another.
private final class LineBuffer: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []

    func append(_ line: String) {
        lock.withLock { lines.append(line) }
    }

    var all: [String] { lock.withLock { lines } }
}
