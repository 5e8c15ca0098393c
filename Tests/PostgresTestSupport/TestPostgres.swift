import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A real PostgreSQL server for tests: Debian's `initdb` and `postgres` run in a temporary
/// directory, listening on 127.0.0.1 on a free port, started once per test process and stopped
/// (its directory removed) when that process ends, by a watchdog shell that outlives neither.
/// Each test takes a database of its own (``database()``). As root, the server runs as the
/// `postgres` user (PostgreSQL refuses to run as root), through `setpriv`.
///
/// The binaries are looked up in `CLUTCH_PG_BIN`, then /usr/lib/postgresql/<newest>/bin;
/// `scripts/ensure-deps.sh test` installs Debian's `postgresql` package when they are missing.
public final class TestPostgres: Sendable {
    public let port: Int
    public let directory: String
    /// The superuser tests connect as (trust authentication on loopback only).
    public let user = "clutch"
    /// The watchdog shell's process ID (it ends after this process does; never waited for).
    private let watchdog: pid_t

    private static let shared = Mutex<Result<TestPostgres, TestPostgresError>?>(nil)

    /// Runs `work` on a thread of its own. Starting PostgreSQL or running `psql` blocks for
    /// seconds; on the few threads of Swift's cooperative pool that would stall the in-process
    /// servers of every test running at the same time (and a test waiting for the shared server
    /// to start would block a second one on the lock).
    static func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try work() }) }
        }
    }

    /// The one server of this test process, started on first use.
    public static func server() async throws -> TestPostgres {
        try await offPool { try sharedServer() }
    }

    private static func sharedServer() throws -> TestPostgres {
        try shared.withLock { slot in
            if let slot { return try slot.get() }
            let result = Result { try TestPostgres() }.mapError { $0 as? TestPostgresError ?? TestPostgresError("\($0)") }
            slot = result
            return try result.get()
        }
    }

    /// A new, empty database on the shared server: its `postgres://` URL.
    public static func database() async throws -> String {
        try await offPool { try sharedServer().createDatabase() }
    }

    /// A server of its own, for a test that stops it: stopping the shared one would pull the
    /// database from under every other test running at the same time. Stopped when the test
    /// process ends, like the shared one.
    public static func isolated() async throws -> TestPostgres {
        try await offPool {
            do {
                return try TestPostgres()
            } catch {
                throw error as? TestPostgresError ?? TestPostgresError("\(error)")
            }
        }
    }

    /// A new, empty database on this server: its `postgres://` URL.
    public func newDatabase() async throws -> String {
        try await Self.offPool { try self.createDatabase() }
    }

    private func createDatabase() throws -> String {
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        try runSQL("CREATE DATABASE \(name)")
        return url(database: String(name))
    }

    public func url(database: String) -> String {
        "postgres://\(user)@127.0.0.1:\(port)/\(database)?sslmode=disable"
    }

    /// Runs one SQL statement as the superuser on database `postgres` (or `database`).
    public func psql(_ sql: String, database: String = "postgres") async throws {
        try await Self.offPool { try self.runSQL(sql, database: database) }
    }

    private func runSQL(_ sql: String, database: String = "postgres") throws {
        let output = try Self.run(Self.binary("psql"), ["-h", "127.0.0.1", "-p", "\(port)", "-U", user, "-d", database, "-v", "ON_ERROR_STOP=1", "-qAtc", sql], asPostgres: false)
        _ = output
    }

    /// Stops the server (fast shutdown: open connections are ended). ``start()`` brings it back
    /// on the same port with the same data.
    public func stop() async throws {
        _ = try await Self.offPool { try Self.run(Self.binary("pg_ctl"), ["-D", "\(self.directory)/data", "-m", "fast", "-w", "stop"], asPostgres: true) }
    }

    /// Starts a stopped server again.
    public func start() async throws {
        _ = try await Self.offPool {
            try Self.run(Self.binary("pg_ctl"), ["-D", "\(self.directory)/data", "-w", "-t", "60", "-l", "\(self.directory)/restart.log", "start"], asPostgres: true)
        }
    }

    private init() throws {
        let template = FileManager.default.temporaryDirectory.appendingPathComponent("clutch-pg-XXXXXX").path
        var bytes = Array(template.utf8CString)
        guard let made = mkdtemp(&bytes) else { throw TestPostgresError("cannot make a temporary directory") }
        directory = String(cString: made)
        if Self.isRoot {
            _ = try Self.run("/bin/chown", ["postgres:postgres", directory], asPostgres: false)
        }
        _ = try Self.run(Self.binary("initdb"), [
            "-D", "\(directory)/data", "-U", "clutch", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync",
        ], asPostgres: true)
        port = try Self.freePort()
        // In the configuration file, so that a restart (``start()``) listens where the first start did.
        // No fsync: tests never cut the power, and it keeps a loaded machine responsive.
        let settings = """

            port = \(port)
            listen_addresses = '127.0.0.1'
            unix_socket_directories = '\(directory)'
            fsync = off
            max_connections = 200

            """
        let configuration = try FileHandle(forWritingTo: URL(fileURLWithPath: "\(directory)/data/postgresql.conf"))
        try configuration.seekToEnd()
        try configuration.write(contentsOf: Data(settings.utf8))
        try configuration.close()
        // The watchdog: starts postgres, and stops it (and removes the directory) when the test
        // process is gone.
        let postgres = (Self.isRoot ? "setpriv --reuid=postgres --regid=postgres --clear-groups " : "")
            + "'\(try Self.binary("postgres"))' -D '\(directory)/data'"
        let script = """
            \(postgres) >'\(directory)/postgres.log' 2>&1 &
            while kill -0 \(getpid()) 2>/dev/null; do sleep 1; done
            \(Self.isRoot ? "setpriv --reuid=postgres --regid=postgres --clear-groups " : "")'\(try Self.binary("pg_ctl"))' -D '\(directory)/data' -m immediate stop >/dev/null 2>&1
            sleep 1; rm -rf '\(directory)'
            """
        watchdog = try Self.spawn(["/bin/sh", "-c", script], output: "/dev/null")
        let deadline = Date().addingTimeInterval(90)
        while true {
            if (try? Self.run(Self.binary("pg_isready"), ["-h", "127.0.0.1", "-p", "\(port)", "-U", user], asPostgres: false)) != nil { break }
            guard Date() < deadline else {
                let log = (try? String(contentsOfFile: "\(directory)/postgres.log", encoding: .utf8)) ?? ""
                throw TestPostgresError("PostgreSQL did not start within 90 s on port \(port): \(log.suffix(2000))")
            }
            Thread.sleep(forTimeInterval: 0.2)
        }
    }

    static var isRoot: Bool { geteuid() == 0 }

    /// The path of a PostgreSQL program.
    static func binary(_ name: String) throws -> String {
        var directories: [String] = []
        if let configured = ProcessInfo.processInfo.environment["CLUTCH_PG_BIN"], !configured.isEmpty { directories.append(configured) }
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).sorted(by: >)
        directories += versions.map { "\(root)/\($0)/bin" }
        for directory in directories where FileManager.default.isExecutableFile(atPath: "\(directory)/\(name)") {
            return "\(directory)/\(name)"
        }
        throw TestPostgresError(
            "PostgreSQL's \(name) was not found (looked in CLUTCH_PG_BIN and \(root)/*/bin): run scripts/ensure-deps.sh test")
    }

    /// A port nobody listens on now.
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestPostgresError("socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw TestPostgresError("bind() failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw TestPostgresError("getsockname() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Starts `argv` with standard input from /dev/null and standard output and error into
    /// `output`, and with no other descriptor of this process.
    ///
    /// Why the last part: `posix_spawn` hands the child every descriptor not marked close-on-exec,
    /// and SwiftNIO's sockets are not. `pg_ctl start` once passed 80 descriptors of this test
    /// process (the listening and accepted sockets of other tests' servers among them) to a
    /// PostgreSQL server that lived on, so a connection those servers closed stayed open and
    /// tests waiting for the close timed out.
    static func spawn(_ argv: [String], output: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        if let closeFrom = Self.addCloseFrom {
            _ = closeFrom(&actions, 3)
        } else {
            // Before glibc 2.34: close what is open now (a descriptor opened meanwhile may leak).
            let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
            for fd in open.compactMap(Int32.init) where fd > 2 { posix_spawn_file_actions_addclose(&actions, fd) }
        }
        var pid: pid_t = 0
        let cArguments = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, cArguments, environ)
        guard spawned == 0 else { throw TestPostgresError("cannot run \(argv[0]): error \(spawned)") }
        return pid
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 and later), which Swift's Glibc
    /// module does not declare: looked up at run time.
    private static let addCloseFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()

    /// Runs a program to its end; its output, or an error with its output when it fails.
    /// `posix_spawn` and `waitpid` rather than Foundation's `Process`, whose exit monitoring
    /// missed `pg_ctl start` ending (its server lives on) and left the caller waiting.
    @discardableResult
    static func run(_ program: String, _ arguments: [String], asPostgres: Bool) throws -> String {
        let argv = asPostgres && isRoot
            ? ["/usr/bin/setpriv", "--reuid=postgres", "--regid=postgres", "--clear-groups", program] + arguments
            : [program] + arguments
        // Output goes to a file, not a pipe: a server that `pg_ctl start` leaves running could
        // hold a pipe open.
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("clutch-pg-run-\(UUID().uuidString)").path
        defer { unlink(outputPath) }
        let pid = try spawn(argv, output: outputPath)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        // Exited normally with status 0.
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
            throw TestPostgresError("\((program as NSString).lastPathComponent) \(arguments.joined(separator: " ")) failed: \(text)")
        }
        return text
    }
}

public struct TestPostgresError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ description: String) { self.description = description }
}
