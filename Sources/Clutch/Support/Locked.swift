import Foundation

/// State behind an `NSLock`. `Synchronization.Mutex` would do, but it needs macOS 15 and
/// the SDK supports macOS 14; critical sections here are a few loads and stores.
final class Locked<State: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var state: State

    init(_ state: State) {
        self.state = state
    }

    @inline(__always)
    func withLock<Result>(_ body: (inout State) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&state)
    }
}
