import ClutchServer
import Foundation
import ServerTestSupport
import TestSupport
import Testing

/// Time in server tests: a server started with `configuration.clock = clock` (a ``TestClock``)
/// sees time stand still until the test moves it, and its background runners count their turns
/// (``RunnerTurns``), so a test says "a whole turn ran after time moved" instead of sleeping.
extension TestServer {
    /// The server's ``TestClock``; throws when the server runs on the system clock.
    func testClock() throws -> TestClock {
        guard let clock = configuration.clock as? TestClock else { throw TestFailure("this server runs on the system clock") }
        return clock
    }

    /// ``ServerConfiguration`` changes for a server on `clock`: time moves only when the test
    /// moves it. (A usage report is answered once stored, its batch written after a real-time
    /// interval: a report answered is a report the release runner's next turn sees.)
    static func on(_ clock: TestClock) -> (inout ServerConfiguration) -> Void {
        { configuration in
            configuration.clock = clock
        }
    }

    /// Moves the clock on by `step` once the release runner sleeps, and returns when a turn that
    /// began after that has finished: usage reported before this call has been judged.
    func releaseTurn(step: Duration = ClutchApplication.releaseRunnerInterval) async throws {
        try await advance(try testClock(), by: step, thenTurnOf: application.releaseTurns)
    }
}

/// Waits until the runner counted by `turns` is asleep (its next deadline fixed), moves `clock`
/// on by `step`, and returns once a turn that began after that has finished. `step` must reach
/// the runner's deadline (the release runner's interval; for the scheduler, past the due time),
/// or no turn comes. `safety` is real time and only stops a hung test.
func advance(_ clock: TestClock, by step: Duration, thenTurnOf turns: RunnerTurns, safety: Duration = .seconds(60)) async throws {
    try await advance(clock, by: step, thenTurnsOf: [turns], safety: safety)
}

/// ``advance(_:by:thenTurnOf:safety:)`` for several runners on one clock (replicas sharing it):
/// every one is asleep before time moves, and every one takes a turn after.
func advance(_ clock: TestClock, by step: Duration, thenTurnsOf runners: [RunnerTurns], safety: Duration = .seconds(60)) async throws {
    let deadline = ContinuousClock.now + safety
    var readings: [RunnerTurns.Count] = []
    for turns in runners {
        var seen = turns.count
        while !seen.asleep {
            try await waitForChange(turns, from: seen, until: deadline)
            seen = turns.count
        }
        readings.append(seen)
    }
    // A runner read asleep stays asleep until its deadline or a wake-up (a new schedule, a
    // queued delivery): its next turn begins after its reading, and after time moved unless
    // such a wake-up came first, which the test caused and knows of.
    clock.advance(by: step)
    for (turns, seen) in zip(runners, readings) {
        try await waitForTurn(of: turns, after: seen, safety: safety)
    }
}

/// Returns once the runner counted by `turns` has finished a turn that began after `before` was
/// read (woken by something the test did since, such as a new schedule). `safety` as above.
func waitForTurn(of turns: RunnerTurns, after before: RunnerTurns.Count, safety: Duration = .seconds(60)) async throws {
    let deadline = ContinuousClock.now + safety
    var seen = turns.count
    while seen.finished < before.started + 1 {
        try await waitForChange(turns, from: seen, until: deadline)
        seen = turns.count
    }
}

/// Returns once `turns` differs from `seen`; throws at `deadline` (a hung runner).
private func waitForChange(_ turns: RunnerTurns, from seen: RunnerTurns.Count, until deadline: ContinuousClock.Instant) async throws {
    let changed = await withTaskGroup(of: Bool.self) { group in
        group.addTask {
            await turns.change(from: seen)
            return true
        }
        group.addTask {
            try? await Task.sleep(until: deadline, clock: .continuous)
            return false
        }
        let first = await group.next() ?? false
        group.cancelAll()
        return first
    }
    guard changed || turns.count != seen else {
        throw TestFailure("a background runner did not move for 60 s (it is hung): \(seen)")
    }
}
