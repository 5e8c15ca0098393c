import Dispatch
import Foundation
import Synchronization

/// Tells, while a test process seems hung, *what* is stuck: Swift's global executor, Dispatch's
/// global queue, the test's HTTP client, or the server under test.
///
/// Why: a rare hang left every in-flight request of a test process waiting with no CPU used and
/// not even URLSession's 15 s timeouts firing; a backtrace taken afterwards cannot say which of
/// these stopped first. The watchdog runs on a plain thread of its own (never the cooperative
/// pool, which may be the thing that stopped) and every 2 s:
/// - enqueues a probe job on the global executor and one on Dispatch's global queue, and notes
///   how long each has waited to run;
/// - looks at the requests `TestServer.send` has in flight, and for one older than its timeout
///   plus a margin asks the same server for `/healthz` over a raw socket from this thread.
/// It prints one `STALL:` line per finding to standard error, which `scripts/run-tests.sh` shows.
/// A global executor that has run nothing for `abortAfter` will not recover (no test blocks the
/// pool that long), so the watchdog then ends the process: the run fails at once with the cause
/// printed, instead of waiting for the script's silence limit twice.
public final class StallWatchdog: Sendable {
    public static let shared = StallWatchdog()

    private struct Request {
        var method: String
        var path: String
        var port: Int
        var started: Date
        var timeout: TimeInterval
        var reported = false
    }

    private struct State {
        var executorProbeSent: Date?
        var dispatchProbeSent: Date?
        var executorReported = false
        var dispatchReported = false
        var requests: [UInt64: Request] = [:]
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())
    /// A probe that has not run after this long means its queue has stopped.
    private let probeLimit: TimeInterval = 10
    private let abortAfter: TimeInterval = 120

    private init() {
        let thread = Thread { [self] in
            while true {
                Thread.sleep(forTimeInterval: 2)
                tick(now: Date())
            }
        }
        thread.name = "clutch-stall-watchdog"
        thread.start()
    }

    /// Notes a request about to be sent; pass the returned token to `finished`.
    public func started(_ method: String, _ path: String, port: Int, timeout: TimeInterval) -> UInt64 {
        state.withLock {
            $0.nextID += 1
            $0.requests[$0.nextID] = Request(method: method, path: path, port: port, started: Date(), timeout: timeout)
            return $0.nextID
        }
    }

    public func finished(_ token: UInt64) {
        _ = state.withLock { $0.requests.removeValue(forKey: token) }
    }

    private func tick(now: Date) {
        var lines: [String] = []
        var stuckPorts: Set<Int> = []
        var abort = false
        let (sendExecutorProbe, sendDispatchProbe) = state.withLock { s -> (Bool, Bool) in
            if let sent = s.executorProbeSent, now.timeIntervalSince(sent) > probeLimit, !s.executorReported {
                s.executorReported = true
                lines.append("global executor: a job enqueued \(Self.seconds(now.timeIntervalSince(sent))) ago has not run")
            }
            if let sent = s.dispatchProbeSent, now.timeIntervalSince(sent) > probeLimit, !s.dispatchReported {
                s.dispatchReported = true
                lines.append("Dispatch global queue: a block enqueued \(Self.seconds(now.timeIntervalSince(sent))) ago has not run")
            }
            for (id, request) in s.requests where !request.reported && now.timeIntervalSince(request.started) > request.timeout + 10 {
                s.requests[id]?.reported = true
                lines.append(
                    "HTTP client: \(request.method) \(request.path) on port \(request.port) in flight for "
                        + "\(Self.seconds(now.timeIntervalSince(request.started))) (its timeout is \(Self.seconds(request.timeout)))")
                stuckPorts.insert(request.port)
            }
            if let sent = s.executorProbeSent, now.timeIntervalSince(sent) > abortAfter {
                lines.append("global executor: nothing has run for \(Self.seconds(now.timeIntervalSince(sent))); ending the test process")
                abort = true
            }
            let executor = s.executorProbeSent == nil
            let dispatch = s.dispatchProbeSent == nil
            if executor { s.executorProbeSent = now }
            if dispatch { s.dispatchProbeSent = now }
            return (executor, dispatch)
        }
        if sendExecutorProbe {
            Task.detached { [self] in self.probeRan(executor: true) }
        }
        if sendDispatchProbe {
            DispatchQueue.global().async { [self] in self.probeRan(executor: false) }
        }
        for port in stuckPorts.sorted() {
            lines.append("server on port \(port): GET /healthz over a raw socket from the watchdog thread → \(Self.rawHealth(port: port))")
        }
        for line in lines {
            FileHandle.standardError.write(Data("STALL: \(line)\n".utf8))
        }
        // `_exit`, not `exit`: atexit handlers and static destructors can block in a process whose
        // threads are stuck, and a watchdog that hangs while ending the process helps no one.
        if abort { _exit(70) }
    }

    private func probeRan(executor: Bool) {
        let now = Date()
        let (waited, wasReported) = state.withLock { s -> (TimeInterval, Bool) in
            let sent = (executor ? s.executorProbeSent : s.dispatchProbeSent) ?? now
            let reported = executor ? s.executorReported : s.dispatchReported
            if executor {
                s.executorProbeSent = nil
                s.executorReported = false
            } else {
                s.dispatchProbeSent = nil
                s.dispatchReported = false
            }
            return (now.timeIntervalSince(sent), reported)
        }
        if wasReported {
            let name = executor ? "global executor" : "Dispatch global queue"
            FileHandle.standardError.write(Data("STALL: \(name) ran its probe again after \(Self.seconds(waited))\n".utf8))
        }
    }

    private static func seconds(_ interval: TimeInterval) -> String {
        String(format: "%.1f s", interval)
    }

    /// One blocking HTTP/1.0 request from this thread, waiting at most 5 s for the answer: its
    /// status line, or what went wrong.
    private static func rawHealth(port: Int) -> String {
        guard let connection = try? RawConnection(port: port) else { return "connect failed" }
        guard (try? connection.send("GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")) != nil else { return "send failed" }
        let answer = connection.read(timeout: .seconds(5), limit: 512)
        guard !answer.isEmpty else { return "no answer in 5 s" }
        return String(decoding: answer, as: UTF8.self).split(separator: "\r\n").first.map(String.init) ?? "unreadable answer"
    }
}
