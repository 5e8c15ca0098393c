import Synchronization

/// Slows down guessing at the console's sign-in: once an account, or a client address, has
/// failed ``limit`` times within ``window``, every further attempt for it is refused (429 with
/// `Retry-After`) until the oldest of those failures is older than the window. The right
/// password is refused too while that lasts, so a refusal says nothing about the guess.
///
/// An attempt counts as a failure from the moment it starts (``begin(_:at:)``) until it is known
/// to have succeeded (``succeeded(_:)``): twenty guesses sent at once get five tries, not twenty.
/// Unknown accounts are counted like known ones, so their answers look the same.
///
/// The counts are kept in memory by each replica, so behind a load balancer an attacker gets
/// up to ``limit`` failures per replica; the password's KDF bounds what that buys. The table
/// holds at most ``capacity`` accounts and addresses: beyond it, the ones that failed longest
/// ago are forgotten first (flushing a victim's count out would take that many fresh failures,
/// each paying the KDF, within the window).
final class SignInThrottle: Sendable {
    /// What failures are counted against.
    enum Subject: Hashable, Sendable {
        /// An account by its email, lowercased (known or not).
        case account(String)
        /// The client's address.
        case address(String)
    }

    /// A started attempt: what it is counted against, and when it started.
    struct Attempt: Sendable {
        let subjects: [Subject]
        let started: ContinuousClock.Instant
    }

    enum Outcome: Sendable {
        /// Go ahead and check the credential; report the outcome with ``succeeded(_:)`` (a
        /// failure needs no call: the attempt already counts as one).
        case allowed(Attempt)
        /// Refused without looking at the credential: try again after `retryAfter`.
        case refused(retryAfter: Duration)
    }

    /// Failures that refuse the next attempt: 5.
    let limit: Int
    /// How long a failure counts: 15 minutes.
    let window: Duration
    /// The most accounts and addresses remembered at once.
    let capacity: Int
    /// Failures (attempts not yet known to have succeeded) by subject, oldest first.
    private let failures = Mutex<[Subject: [ContinuousClock.Instant]]>([:])

    init(limit: Int = 5, window: Duration = .seconds(15 * 60), capacity: Int = 100_000) {
        self.limit = max(1, limit)
        self.window = window
        self.capacity = max(1, capacity)
    }

    /// Starts an attempt against `subjects` at `now` (the server clock's
    /// ``ServerClock/instant()``): refused while any of them has ``limit`` failures within the
    /// window, otherwise counted as a failure until it succeeds.
    func begin(_ subjects: [Subject], at now: ContinuousClock.Instant) -> Outcome {
        failures.withLock { failures in
            let horizon = now - window
            var retryAfter: Duration = .zero
            for subject in subjects {
                var recent = failures[subject] ?? []
                recent.removeAll { $0 <= horizon }
                failures[subject] = recent.isEmpty ? nil : recent
                if recent.count >= limit {
                    // Allowed again once all but `limit - 1` of them have left the window.
                    retryAfter = max(retryAfter, recent[recent.count - limit] + window - now)
                }
            }
            if retryAfter > .zero { return .refused(retryAfter: retryAfter) }
            if failures.count + subjects.count > capacity { Self.forgetOldest(&failures, keeping: capacity * 3 / 4, horizon: horizon) }
            for subject in subjects { failures[subject, default: []].append(now) }
            return .allowed(Attempt(subjects: subjects, started: now))
        }
    }

    /// The attempt succeeded: it no longer counts, and neither do its account's earlier failures
    /// (its address's stay: one good account does not buy more guesses at others).
    func succeeded(_ attempt: Attempt) {
        failures.withLock { failures in
            for subject in attempt.subjects {
                if case .account = subject {
                    failures[subject] = nil
                } else if var recent = failures[subject], let index = recent.firstIndex(of: attempt.started) {
                    recent.remove(at: index)
                    failures[subject] = recent.isEmpty ? nil : recent
                }
            }
        }
    }

    /// Failures counted against `subject` within the window before `now`.
    func failureCount(_ subject: Subject, at now: ContinuousClock.Instant) -> Int {
        failures.withLock { $0[subject]?.filter { $0 > now - window }.count ?? 0 }
    }

    /// Drops expired failures, then the subjects whose latest failure is oldest, until at most
    /// `keeping` remain.
    private static func forgetOldest(
        _ failures: inout [Subject: [ContinuousClock.Instant]], keeping: Int, horizon: ContinuousClock.Instant
    ) {
        failures = failures.compactMapValues { recent in
            let kept = recent.filter { $0 > horizon }
            return kept.isEmpty ? nil : kept
        }
        guard failures.count > keeping else { return }
        let newestFirst = failures.sorted { ($0.value.last ?? horizon) > ($1.value.last ?? horizon) }
        failures = Dictionary(uniqueKeysWithValues: newestFirst.prefix(keeping).map { ($0.key, $0.value) })
    }
}
