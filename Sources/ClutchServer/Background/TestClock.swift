import Foundation
import Synchronization

/// A ``ServerClock`` that moves only when told (``advance(by:)``), for tests: a server given one
/// sees time stand still, and a test makes "the schedule is due" or "the step has lasted 2 s"
/// happen when it chooses, on a loaded machine as on an idle one. Modelled on swift-clocks'
/// `TestClock`: an advance resumes, in deadline order, every sleeper whose deadline it passed,
/// and no other; a sleep whose deadline has already passed returns at once.
public final class TestClock: ServerClock {
    private struct Sleeper {
        let id: UInt64
        let deadline: ContinuousClock.Instant
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var offset: Duration = .zero
        var sleepers: [Sleeper] = []
        var nextID: UInt64 = 0
    }

    /// The wall time at offset zero.
    private let start: Date
    /// The monotonic reading at offset zero: a real instant, so deadlines taken from it compare
    /// with ``instant()`` as with `ContinuousClock`.
    private let origin: ContinuousClock.Instant
    private let state = Mutex(State())

    /// A clock that reads `now` until it is advanced (default: the wall time at creation, so
    /// that what a test sends as "in 5 s" is in the future for the store too).
    public init(now: Date = Date()) {
        start = now
        origin = .now
    }

    public func now() -> Date {
        start.addingTimeInterval(state.withLock { $0.offset }.seconds)
    }

    public func instant() -> ContinuousClock.Instant {
        origin.advanced(by: state.withLock { $0.offset })
    }

    /// How many tasks sleep on this clock now.
    public var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    /// Moves time on by `duration` and resumes every sleeper whose deadline is now reached,
    /// earliest deadline first.
    public func advance(by duration: Duration) {
        let due = state.withLock { state -> [Sleeper] in
            state.offset += max(duration, .zero)
            let now = origin.advanced(by: state.offset)
            let due = state.sleepers.filter { $0.deadline <= now }.sorted { $0.deadline < $1.deadline }
            state.sleepers.removeAll { $0.deadline <= now }
            return due
        }
        for sleeper in due { sleeper.continuation.resume() }
    }

    public func sleep(until deadline: ContinuousClock.Instant) async throws {
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome = state.withLock { state -> Result<Void, any Error>? in
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if deadline <= origin.advanced(by: state.offset) { return .success(()) }
                    state.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let sleeper = state.withLock { state -> Sleeper? in
                guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return state.sleepers.remove(at: index)
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }
}
