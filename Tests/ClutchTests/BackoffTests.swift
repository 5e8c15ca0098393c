import TestSupport
import Testing

@testable import Clutch

@Suite("Backoff")
struct BackoffTests {
    let backoff = Backoff(base: .milliseconds(100), cap: .seconds(2))

    @Test("the ceiling doubles per attempt up to the cap")
    func ceilings() {
        let ceilings = (0..<8).map { backoff.ceiling(attempt: $0) }
        #expect(ceilings == [
            .milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800),
            .milliseconds(1600), .seconds(2), .seconds(2), .seconds(2),
        ])
        #expect(backoff.ceiling(attempt: 10_000) == .seconds(2))
        #expect(backoff.ceiling(attempt: -3) == .milliseconds(100))
    }

    @Test("delays are full jitter: anywhere from zero to the ceiling", arguments: [0, 3, 9, 64])
    func jitterRange(attempt: Int) {
        var generator = SystemRandomNumberGenerator()
        let ceiling = backoff.ceiling(attempt: attempt)
        var smallest = Duration.seconds(1000)
        var largest = Duration.zero
        for _ in 0..<2000 {
            let delay = backoff.delay(attempt: attempt, using: &generator)
            #expect(delay >= .zero && delay <= ceiling)
            smallest = min(smallest, delay)
            largest = max(largest, delay)
        }
        // Full jitter spreads over the whole range, not just near the ceiling.
        #expect(smallest < ceiling / 10)
        #expect(largest > ceiling * 9 / 10)
    }

    @Test("the same random sequence gives the same delays")
    func deterministic() {
        var first = SplitMix64(seed: 42)
        var second = SplitMix64(seed: 42)
        let a = (0..<10).map { backoff.delay(attempt: $0, using: &first) }
        let b = (0..<10).map { backoff.delay(attempt: $0, using: &second) }
        #expect(a == b)
        #expect(Set(a).count > 1)
    }
}
