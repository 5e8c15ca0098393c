#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// State behind a lock. `Synchronization.Mutex` would do, but it needs macOS 15 and the SDK
/// supports macOS 14. The lock is the platform's own (`os_unfair_lock`, `pthread_mutex_t`):
/// `NSLock` costs about twice as much per acquisition on Linux, and evaluations take two.
final class Locked<State: Sendable>: @unchecked Sendable {
    #if canImport(Darwin)
    private let lock: UnsafeMutablePointer<os_unfair_lock>
    #else
    private let lock: UnsafeMutablePointer<pthread_mutex_t>
    #endif
    private var state: State

    init(_ state: State) {
        self.state = state
        #if canImport(Darwin)
        lock = UnsafeMutablePointer.allocate(capacity: 1)
        lock.initialize(to: os_unfair_lock())
        #else
        lock = UnsafeMutablePointer.allocate(capacity: 1)
        lock.initialize(to: pthread_mutex_t())
        pthread_mutex_init(lock, nil)
        #endif
    }

    deinit {
        #if !canImport(Darwin)
        pthread_mutex_destroy(lock)
        #endif
        lock.deinitialize(count: 1)
        lock.deallocate()
    }

    @inline(__always)
    func withLock<Result>(_ body: (inout State) throws -> Result) rethrows -> Result {
        #if canImport(Darwin)
        os_unfair_lock_lock(lock)
        defer { os_unfair_lock_unlock(lock) }
        #else
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        #endif
        return try body(&state)
    }
}
