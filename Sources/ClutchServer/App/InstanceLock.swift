import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A second `clutch serve` on the database file of a running one: it refuses to start, since
/// two servers on one SQLite file would each serve their own in-memory state and drift apart.
public struct DatabaseInUseError: Error, Sendable, CustomStringConvertible {
    /// The database file.
    public let databasePath: String

    public var description: String {
        "another clutch serve is already using \(databasePath)"
    }
}

/// Holds an exclusive `flock(2)` on `<database>.lock` while a server uses the database. The
/// lock goes with the process (a crash or `kill -9` releases it) and is not SQLite's own
/// locking: closing a descriptor of the database file itself would drop SQLite's POSIX locks.
final class InstanceLock: Sendable {
    private let descriptor: Mutex<Int32>

    /// Takes the lock, or throws ``DatabaseInUseError`` when another server holds it.
    init(database: String) throws {
        let path = database + ".lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        // A lock file that cannot be made (a read-only directory) must not stop the server:
        // SQLite reports its own problems with the database.
        guard fd >= 0 else {
            descriptor = Mutex(-1)
            return
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw DatabaseInUseError(databasePath: database)
        }
        descriptor = Mutex(fd)
    }

    /// Gives the lock back; later calls do nothing.
    func release() {
        let fd = descriptor.withLock { fd in
            defer { fd = -1 }
            return fd
        }
        guard fd >= 0 else { return }
        flock(fd, LOCK_UN)
        close(fd)
    }

    deinit { release() }
}
