import Testing

@testable import ClutchServer

/// The sign-in throttle alone, on instants the test chooses.
@Suite struct SignInThrottleTests {
    let start = ContinuousClock.now

    func allowed(_ outcome: SignInThrottle.Outcome) -> SignInThrottle.Attempt? {
        if case .allowed(let attempt) = outcome { return attempt }
        return nil
    }

    func retryAfter(_ outcome: SignInThrottle.Outcome) -> Duration? {
        if case .refused(let retryAfter) = outcome { return retryAfter }
        return nil
    }

    @Test func fiveFailuresWithinTheWindowRefuseTheSixthUntilTheOldestLeavesIt() {
        let throttle = SignInThrottle()
        let subjects: [SignInThrottle.Subject] = [.account("alice@example.com"), .address("203.0.113.5")]
        // Failures a minute apart: 0, 1, 2, 3, 4 minutes.
        for minute in 0..<5 {
            #expect(allowed(throttle.begin(subjects, at: start + .seconds(60 * minute))) != nil)
        }
        #expect(retryAfter(throttle.begin(subjects, at: start + .seconds(300))) == .seconds(600))
        // At 15 minutes the first failure has left the window: one more try.
        #expect(retryAfter(throttle.begin(subjects, at: start + .seconds(899))) == .seconds(1))
        #expect(allowed(throttle.begin(subjects, at: start + .seconds(900))) != nil)
        #expect(retryAfter(throttle.begin(subjects, at: start + .seconds(901))) == .seconds(59))
    }

    @Test func theAccountAndTheAddressAreCountedApart() {
        let throttle = SignInThrottle()
        for n in 0..<5 {
            _ = throttle.begin([.account("alice@example.com"), .address("198.51.100.\(n)")], at: start)
        }
        // Alice is refused from any address; another account from those addresses is not.
        #expect(retryAfter(throttle.begin([.account("alice@example.com"), .address("192.0.2.1")], at: start)) != nil)
        #expect(allowed(throttle.begin([.account("bob@example.com"), .address("198.51.100.0")], at: start)) != nil)
        // One address failing for five accounts is refused for a sixth.
        for n in 0..<5 {
            _ = throttle.begin([.account("user\(n)@example.com"), .address("192.0.2.9")], at: start)
        }
        #expect(retryAfter(throttle.begin([.account("carol@example.com"), .address("192.0.2.9")], at: start)) != nil)
    }

    @Test func aSuccessForgetsItsAccountsFailuresButNotItsAddresss() throws {
        let throttle = SignInThrottle()
        let alice: SignInThrottle.Subject = .account("alice@example.com")
        let address: SignInThrottle.Subject = .address("203.0.113.5")
        for _ in 0..<3 { _ = throttle.begin([alice, address], at: start) }
        let attempt = try #require(allowed(throttle.begin([alice, address], at: start)))
        #expect(throttle.failureCount(alice, at: start) == 4)
        throttle.succeeded(attempt)
        #expect(throttle.failureCount(alice, at: start) == 0)
        #expect(throttle.failureCount(address, at: start) == 3)
    }

    @Test func attemptsInFlightCountAsFailuresSoGuessesSentAtOnceGetFiveTries() {
        let throttle = SignInThrottle()
        // Twenty attempts begin before any of them is judged.
        let outcomes = (0..<20).map { _ in throttle.begin([.address("203.0.113.5")], at: start) }
        #expect(outcomes.compactMap(allowed).count == 5)
    }

    @Test func aFullTableForgetsTheSubjectsThatFailedLongestAgo() {
        let throttle = SignInThrottle(capacity: 8)
        let victim: SignInThrottle.Subject = .account("victim@example.com")
        for _ in 0..<5 { _ = throttle.begin([victim], at: start + .seconds(100)) }
        // Older failures of other subjects go first; the victim's newer ones stay.
        for n in 0..<9 { _ = throttle.begin([.address("198.51.100.\(n)")], at: start + .seconds(n)) }
        #expect(throttle.failureCount(victim, at: start + .seconds(100)) == 5)
        #expect(throttle.failureCount(.address("198.51.100.0"), at: start + .seconds(100)) == 0)
    }
}
