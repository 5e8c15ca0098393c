import Foundation

/// The one source of time for the server and its background runners (scheduler, release runner,
/// webhook dispatcher, usage stamps, replica sync, console sessions, stream and OFREP timers,
/// rate limits), carried in ``ServerConfiguration/clock``.
///
/// Production uses ``SystemClock``. Tests give the server a ``TestClock`` and move time
/// themselves, so that "the schedule fires at its time" or "the release waits a whole step" is
/// checked by advancing the clock and waiting for the server's own signal, never by sleeping on
/// the wall clock, which a loaded machine makes late.
///
/// Two readings, because they answer different questions: ``now()`` is the wall time (what the
/// store records, when a schedule is due); ``instant()`` is monotonic (deadlines and intervals:
/// a sleep, a rate limit), so that a wall-clock step does not stretch or cut a wait. Measuring
/// how long real work took (metrics, a webhook attempt's duration), and waits that only pace the
/// work (the usage batch's group commit, how long a stopping service may take), are not the
/// clock's business and stay on `ContinuousClock`.
public protocol ServerClock: Sendable {
    /// The wall time now.
    func now() -> Date
    /// A monotonic reading now, for deadlines and intervals.
    func instant() -> ContinuousClock.Instant
    /// Returns once ``instant()`` has reached `deadline`; throws `CancellationError` when the
    /// task is cancelled first.
    func sleep(until deadline: ContinuousClock.Instant) async throws
}

extension ServerClock {
    /// Returns after `duration` of this clock's time; throws `CancellationError` when cancelled first.
    public func sleep(for duration: Duration) async throws {
        try await sleep(until: instant().advanced(by: duration))
    }
}

/// The real clock: `Date()` and `ContinuousClock`.
public struct SystemClock: ServerClock {
    public init() {}

    public func now() -> Date { Date() }

    public func instant() -> ContinuousClock.Instant { .now }

    public func sleep(until deadline: ContinuousClock.Instant) async throws {
        try await Task.sleep(until: deadline, clock: .continuous)
    }
}
