import Synchronization

/// What a background runner (the release runner, the scheduler) is doing, counted: the turns it
/// began and finished, and whether it is asleep until its next deadline on the server's clock.
///
/// It is how a test driving a ``TestClock`` knows that "nothing else happened": it advances the
/// clock once the runner is asleep, waits until the runner has finished a turn that began after
/// that, and only then looks at the store. No wall-clock sleep is involved, so a loaded machine
/// makes the test slower, never wrong. The runner reports ``sleeping()`` only once its next
/// deadline is fixed, so an advance made after it can never be missed.
public final class RunnerTurns: Sendable {
    /// A reading of the counters.
    public struct Count: Sendable, Equatable {
        /// Turns begun since the server started.
        public var started = 0
        /// Turns finished (with or without an error).
        public var finished = 0
        /// Whether the runner waits for its next deadline (or a wake-up) now.
        public var asleep = false

        /// No turn yet: what the counters read when the server starts.
        public init() {}
    }

    private struct State {
        var count = Count()
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter: UInt64 = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// The counters now.
    public var count: Count { state.withLock { $0.count } }

    /// Returns once the counters differ from `seen` (at once if they already do), or when the
    /// task is cancelled.
    public func change(from seen: Count) async {
        let id = state.withLock { state -> UInt64 in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let changed = state.withLock { state -> Bool in
                    if state.count != seen || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if changed { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }

    /// The runner's next deadline is fixed and it is about to wait for it.
    func sleeping() { update { $0.asleep = true } }

    /// The runner woke and starts a turn.
    func begin() {
        update {
            $0.asleep = false
            $0.started += 1
        }
    }

    /// The runner finished the turn it began.
    func end() { update { $0.finished += 1 } }

    private func update(_ change: (inout Count) -> Void) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            change(&state.count)
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }
}

extension RunnerTurns {
    /// One turn of a runner that sleeps on `clock` between turns: counts it, runs `body` (which
    /// answers how long to sleep), and returns the deadline to wait for — fixed before the runner
    /// says it sleeps, so that a test's advance after that always reaches it.
    func turn(on clock: any ServerClock, _ body: () async -> Duration) async -> ContinuousClock.Instant {
        begin()
        let sleep = await body()
        let deadline = clock.instant().advanced(by: sleep)
        end()
        sleeping()
        return deadline
    }
}
