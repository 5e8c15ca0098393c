import Foundation
import ProcessTestSupport
import Synchronization
import TestSupport

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

    private static let shared = Mutex<Result<TestPostgres, TestFailure>?>(nil)

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
            let result = Result { try TestPostgres() }.mapError { $0 as? TestFailure ?? TestFailure("\($0)") }
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
                throw error as? TestFailure ?? TestFailure("\(error)")
            }
        }
    }

    /// A new, empty database on this server: its `postgres://` URL.
    public func newDatabase() async throws -> String {
        try await Self.offPool { try self.createDatabase() }
    }

    private func createDatabase() throws -> String {
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        _ = try runSQL("CREATE DATABASE \(name)")
        return url(database: String(name))
    }

    public func url(database: String) -> String {
        "postgres://\(user)@127.0.0.1:\(port)/\(database)?sslmode=disable"
    }

    /// Runs one SQL statement as the superuser on database `postgres` (or `database`).
    /// Runs `sql` with psql; returns what it printed (unaligned, tuples only: one row a line).
    @discardableResult
    public func psql(_ sql: String, database: String = "postgres") async throws -> String {
        try await Self.offPool { try self.runSQL(sql, database: database) }
    }

    private func runSQL(_ sql: String, database: String = "postgres") throws -> String {
        try Self.run(Self.binary("psql"), ["-h", "127.0.0.1", "-p", "\(port)", "-U", user, "-d", database, "-v", "ON_ERROR_STOP=1", "-qAtc", sql], asPostgres: false)
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
        guard let made = mkdtemp(&bytes) else { throw TestFailure("cannot make a temporary directory") }
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
        // Never waited for: it outlives this process.
        _ = try Subprocess(["/bin/sh", "-c", script], killOnRelease: false)
        let deadline = Date().addingTimeInterval(90)
        while true {
            if (try? Self.run(Self.binary("pg_isready"), ["-h", "127.0.0.1", "-p", "\(port)", "-U", user], asPostgres: false)) != nil { break }
            guard Date() < deadline else {
                let log = (try? String(contentsOfFile: "\(directory)/postgres.log", encoding: .utf8)) ?? ""
                throw TestFailure("PostgreSQL did not start within 90 s on port \(port): \(log.suffix(2000))")
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
        throw TestFailure(
            "PostgreSQL's \(name) was not found (looked in CLUTCH_PG_BIN and \(root)/*/bin): run scripts/ensure-deps.sh test")
    }

    /// A port nobody listens on now.
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw TestFailure("bind() failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw TestFailure("getsockname() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Runs a program to its end; its output, or an error with its output when it fails.
    /// Blocks this thread (callers are on ``offPool(_:)``'s threads).
    @discardableResult
    static func run(_ program: String, _ arguments: [String], asPostgres: Bool) throws -> String {
        let argv = asPostgres && isRoot
            ? ["/usr/bin/setpriv", "--reuid=postgres", "--regid=postgres", "--clear-groups", program] + arguments
            : [program] + arguments
        // Output goes to a file, not a pipe: a server that `pg_ctl start` leaves running could
        // hold a pipe open.
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("clutch-pg-run-\(UUID().uuidString)").path
        defer { unlink(outputPath) }
        let termination = try Subprocess(argv, output: .file(outputPath)).waitBlocking()
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        guard termination == .exited(0) else {
            throw TestFailure("\((program as NSString).lastPathComponent) \(arguments.joined(separator: " ")) failed (\(termination)): \(text)")
        }
        return text
    }
}
