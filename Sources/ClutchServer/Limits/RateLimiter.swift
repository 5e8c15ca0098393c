import Synchronization

/// A token bucket per key: `rate` requests a second on average, bursts of up to `burst`.
///
/// Keys are authenticated credential ids, so the table holds at most one bucket per key
/// ever issued.
final class RateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    private let rate: Double
    private let burst: Double
    private let buckets = Mutex<[String: Bucket]>([:])

    /// A limiter allowing `rate` requests a second per key with bursts of `burst`; a rate of
    /// 0 or less allows everything.
    init(rate: Double, burst: Int) {
        self.rate = rate
        self.burst = Double(max(1, burst))
    }

    /// Takes one token for `key` at `now` (the server clock's ``ServerClock/instant()``). Returns
    /// `nil` when the request may go ahead, otherwise how long until a token is available.
    func acquire(_ key: String, now: ContinuousClock.Instant) -> Duration? {
        guard rate > 0 else { return nil }
        return buckets.withLock { buckets in
            var bucket = buckets[key] ?? Bucket(tokens: burst, updated: now)
            // `now` was read outside the lock: a caller that read it earlier adds no time.
            let now = max(now, bucket.updated)
            let elapsed = bucket.updated.duration(to: now)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            bucket.tokens = min(burst, bucket.tokens + max(0, seconds) * rate)
            bucket.updated = now
            defer { buckets[key] = bucket }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            return .seconds((1 - bucket.tokens) / rate)
        }
    }
}
