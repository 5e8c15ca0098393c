/// Reconnection delays: capped exponential backoff with full jitter. The delay before
/// attempt `n` (0-based) is uniform in `0 ... min(cap, base × 2ⁿ)`, so that many clients
/// losing the same server do not come back in lockstep.
public struct Backoff: Sendable, Hashable {
    /// The ceiling of the first delay.
    public var base: Duration
    /// The largest ceiling, however many attempts failed.
    public var cap: Duration

    public init(base: Duration = .milliseconds(250), cap: Duration = .seconds(30)) {
        self.base = base
        self.cap = cap
    }

    /// The largest delay attempt `attempt` may wait.
    public func ceiling(attempt: Int) -> Duration {
        // 2^40 × any sensible base is far beyond the cap; stop doubling before overflow.
        let exponent = min(max(attempt, 0), 40)
        let seconds = base.inSeconds * Double(UInt64(1) << UInt64(exponent))
        return min(cap, .clampedSeconds(seconds))
    }

    /// A random delay for attempt `attempt`, in `0 ... ceiling(attempt:)`.
    public func delay(attempt: Int, using generator: inout some RandomNumberGenerator) -> Duration {
        let ceiling = ceiling(attempt: attempt).inSeconds
        guard ceiling > 0 else { return .zero }
        return .clampedSeconds(Double.random(in: 0...ceiling, using: &generator))
    }

    /// A random delay for attempt `attempt` from the system generator.
    public func delay(attempt: Int) -> Duration {
        var generator = SystemRandomNumberGenerator()
        return delay(attempt: attempt, using: &generator)
    }
}
