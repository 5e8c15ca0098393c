import Foundation
import Synchronization
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A program the tests run: `clutch`, `clutch serve`, Python clients, HAProxy, PostgreSQL's
/// tools. The one way tests start processes; Foundation's `Process` is not used.
///
/// Why not `Process`: on Linux it learns that a child ended from EOF on a socket the child
/// inherits, read by one shared manager thread that then calls a *blocking* `waitpid`.
/// - Its child is spawned with every descriptor another thread opened after `Process` listed
///   `/proc/self/fd`, among them other children's sockets: a long-lived child (a replica, HAProxy)
///   that got one hides that other child's exit until it ends itself, and `waitUntilExit()` waits
///   that long (`pg_ctl start`, whose server keeps the socket, was never seen to end at all).
/// - `waitUntilExit()` blocks its thread; on the two threads of Swift's cooperative pool on a
///   2-core machine, two such waits stop every test and every in-process server.
///
/// Here the child gets standard input, output and error and no other descriptor
/// (`posix_spawn_file_actions_addclosefrom_np`), its signal mask cleared and its signal
/// dispositions reset, and it stays in the test process's process group (so killing a hung test
/// run's group ends its children too). Its end is seen with `waitpid(pid, WNOHANG)` on this
/// process only; asynchronous waits poll and never hold a thread.
public final class Subprocess: Sendable {
    /// How a process ended.
    public enum Termination: Sendable, Equatable, CustomStringConvertible {
        /// It called `exit` with this status.
        case exited(Int32)
        /// A signal ended it.
        case signaled(Int32)

        /// Its exit status, or the signal's number (as Foundation's `terminationStatus`).
        public var status: Int32 {
            switch self {
            case .exited(let status), .signaled(let status): status
            }
        }

        public var description: String {
            switch self {
            case .exited(let status): "exit \(status)"
            case .signaled(let signal): "signal \(signal)"
            }
        }
    }

    /// Where one of the child's standard streams goes.
    public enum Stream: Sendable {
        /// `/dev/null`.
        case null
        /// A file, created if missing and truncated (for output) or read from its start (input).
        case file(String)
        /// The same as standard output (for standard error only).
        case output
    }

    /// The process ID.
    public let pid: pid_t
    private let ended = Mutex<Termination?>(nil)
    private let killOnRelease: Bool

    /// Starts `argv` (a path, or a name looked up in PATH). `environment` nil passes this
    /// process's own. `killOnRelease`: whether freeing this object ends the program (SIGKILL) if
    /// it still runs; false for a program that looks after its own end (a shell that stops its
    /// server when the test process is gone, where SIGKILL would leave the server running).
    public init(
        _ argv: [String], environment: [String: String]? = nil, input: Stream = .null, output: Stream = .null,
        error: Stream = .output, killOnRelease: Bool = true
    ) throws {
        guard let program = argv.first else { throw TestFailure("no program to run") }
        self.killOnRelease = killOnRelease
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        try Self.redirect(&actions, 0, input, reading: true)
        if case .output = output { throw TestFailure(".output is for standard error only") }
        try Self.redirect(&actions, 1, output, reading: false)
        try Self.redirect(&actions, 2, error, reading: false)
        if let closeFrom = Self.addCloseFrom {
            _ = closeFrom(&actions, 3)
        } else {
            // Before glibc 2.34: close what is open now (one opened meanwhile may leak).
            let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
            for fd in open.compactMap(Int32.init) where fd > 2 { posix_spawn_file_actions_addclose(&actions, fd) }
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // A thread of this process may block signals (the child would inherit its mask) or
        // ignore SIGPIPE (ignored dispositions survive exec): the child starts with neither.
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var all = sigset_t()
        sigemptyset(&all)
        for signal in Int32(1)..<32 where signal != SIGKILL && signal != SIGSTOP { sigaddset(&all, signal) }
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let cArguments = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        let cEnvironment = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer { cEnvironment?.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = cEnvironment.map { env in
            env.withUnsafeBufferPointer { envp in
                Self.spawn(&pid, program, &actions, &attributes, cArguments, envp.baseAddress)
            }
        } ?? Self.spawn(&pid, program, &actions, &attributes, cArguments, environ)
        guard spawned == 0 else {
            throw TestFailure("cannot run \(program): \(String(cString: strerror(spawned)))")
        }
        self.pid = pid
    }

    private static func spawn(
        _ pid: inout pid_t, _ program: String, _ actions: inout posix_spawn_file_actions_t, _ attributes: inout posix_spawnattr_t,
        _ argv: [UnsafeMutablePointer<CChar>?], _ envp: UnsafePointer<UnsafeMutablePointer<CChar>?>?
    ) -> Int32 {
        argv.withUnsafeBufferPointer { args in
            guard let argp = args.baseAddress, let envp else { return EINVAL }
            let arguments = UnsafeMutablePointer(mutating: argp)
            let environment = UnsafeMutablePointer(mutating: envp)
            return program.contains("/")
                ? posix_spawn(&pid, program, &actions, &attributes, arguments, environment)
                : posix_spawnp(&pid, program, &actions, &attributes, arguments, environment)
        }
    }

    private static func redirect(_ actions: inout posix_spawn_file_actions_t, _ fd: Int32, _ stream: Stream, reading: Bool) throws {
        switch stream {
        case .null:
            posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", reading ? O_RDONLY : O_WRONLY, 0)
        case .file(let path):
            posix_spawn_file_actions_addopen(&actions, fd, path, reading ? O_RDONLY : O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        case .output:
            guard fd == 2 else { throw TestFailure(".output is for standard error only") }
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 and later), which Swift's Glibc
    /// module does not declare: looked up at run time.
    private static let addCloseFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()

    /// How it ended, or nil while it runs (reaps it when it has ended).
    public var termination: Termination? {
        ended.withLock { ended in
            if ended == nil { ended = Self.reap(pid, blocking: false) }
            return ended
        }
    }

    public var isRunning: Bool { termination == nil }

    /// Sends `signal` unless it has ended (its ID may then belong to another process).
    public func signal(_ signal: Int32) {
        ended.withLock { ended in
            if ended == nil { ended = Self.reap(pid, blocking: false) }
            if ended == nil { kill(pid, signal) }
        }
    }

    /// Waits until it ends, polling without holding a thread; how it ended, or nil after `timeout`.
    @discardableResult
    public func wait(timeout: Duration) async -> Termination? {
        let deadline = ContinuousClock.now + timeout
        var pause = Duration.milliseconds(1)
        while true {
            if let termination { return termination }
            guard ContinuousClock.now < deadline else { return nil }
            try? await Task.sleep(for: pause)
            pause = min(pause * 2, .milliseconds(20))
        }
    }

    /// Waits for the end of a process that ends by itself soon (`python3 -c`, `clutch --help`),
    /// holding this thread: for synchronous callers only.
    @discardableResult
    public func waitBlocking() -> Termination {
        ended.withLock { ended in
            if let ended { return ended }
            let termination = Self.reap(pid, blocking: true) ?? .exited(-1)
            ended = termination
            return termination
        }
    }

    /// Ends it at once (SIGKILL) and reaps it: the cleanup that always works.
    @discardableResult
    public func forceStop() -> Termination {
        signal(SIGKILL)
        return waitBlocking()
    }

    deinit {
        // Never leave a child running or a zombie behind (unless it looks after itself).
        if killOnRelease, isRunning { forceStop() }
    }

    private static func reap(_ pid: pid_t, blocking: Bool) -> Termination? {
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, blocking ? 0 : WNOHANG)
            if result == pid { break }
            if result == 0 { return nil }
            if errno == EINTR { continue }
            // ECHILD: already reaped elsewhere; nothing more can be known.
            return .exited(-1)
        }
        return status & 0x7f == 0 ? .exited((status >> 8) & 0xff) : .signaled(status & 0x7f)
    }
}

extension Subprocess {
    /// What a run printed and how it ended.
    public struct Outcome: Sendable {
        public var termination: Termination
        public var stdout: String
        public var stderr: String
        /// Whether it ended on its own before the time limit.
        public var finished: Bool

        public var status: Int32 { termination.status }
    }

    /// Runs `argv` to its end with `input` on its standard input, its output collected through
    /// files (a pipe could be held open by whatever it leaves running); killed after `timeout`.
    public static func run(
        _ argv: [String], environment: [String: String]? = nil, input: String? = nil, timeout: Duration = .seconds(45)
    ) async throws -> Outcome {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("clutch-subprocess-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let stdout = scratch.appendingPathComponent("stdout").path
        let stderr = scratch.appendingPathComponent("stderr").path
        var stdin = Stream.null
        if let input {
            let path = scratch.appendingPathComponent("stdin").path
            try Data(input.utf8).write(to: URL(fileURLWithPath: path))
            stdin = .file(path)
        }
        let process = try Subprocess(argv, environment: environment, input: stdin, output: .file(stdout), error: .file(stderr))
        let ended = await process.wait(timeout: timeout)
        let termination = ended ?? process.forceStop()
        return Outcome(
            termination: termination,
            stdout: (try? String(contentsOfFile: stdout, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: stderr, encoding: .utf8)) ?? "",
            finished: ended != nil)
    }

    /// Runs a short command to its end, holding this thread (for synchronous callers: test traits,
    /// static properties); whether it exited with status 0.
    public static func succeeds(_ argv: [String]) -> Bool {
        guard let process = try? Subprocess(argv) else { return false }
        return process.waitBlocking() == .exited(0)
    }
}
