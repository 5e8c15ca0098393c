import ClutchStore
import Synchronization

/// Reloads the credential cache from the store, one load at a time, for two kinds of callers:
///
/// - **A change** (a key created or revoked here, or announced by another replica): the load
///   starts at once and the caller returns once it is in the cache.
/// - **A miss** on a shared database (``reloadAfterMiss()``): a credential this replica does not
///   know may have been created on another replica a moment ago, before its notification
///   arrived. The caller waits for a load that starts after it asked, then looks again. Misses
///   share loads (one load answers every miss that came before it started) and start at most one
///   load per `missInterval`, so unknown credentials sent at any rate cost at most
///   `1 / missInterval` store reads a second; known credentials never wait for any of it.
///
/// Loads run one after another and each replaces the whole cache with what the store says, so
/// a load can never put back a key that a later load (say, after a revocation) left out.
final class CredentialReloader: Sendable {
    private struct Waiter {
        /// The number of the first load that started after the caller asked.
        let load: UInt64
        /// A change waits for nobody; a miss waits for `missInterval` since the last load began.
        let urgent: Bool
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var running = false
        /// Loads started so far.
        var started: UInt64 = 0
        var lastStart: ContinuousClock.Instant?
        var waiters: [Waiter] = []
    }

    private let state = Mutex(State())
    private let cache: CredentialCache
    private let load: @Sendable () async throws -> ActiveCredentials
    private let missInterval: Duration
    private let clock = ContinuousClock()
    /// Loads started for misses alone (no change waiting): what unknown credentials cost.
    private let missLoadCount = Atomic<Int>(0)
    private let onMissLoad: @Sendable () -> Void

    /// `onMissLoad` is called for each load started for misses alone (a metric).
    init(
        cache: CredentialCache, missInterval: Duration, onMissLoad: @escaping @Sendable () -> Void = {},
        load: @escaping @Sendable () async throws -> ActiveCredentials
    ) {
        self.cache = cache
        self.missInterval = missInterval
        self.onMissLoad = onMissLoad
        self.load = load
    }

    /// The loads started for misses alone so far.
    var missLoads: Int { missLoadCount.load(ordering: .relaxed) }

    /// Callers waiting for a load now.
    var waiting: Int { state.withLock { $0.waiters.count } }

    /// Reloads the cache after a change; returns once a load that started after this call is in it.
    func reload() async throws {
        try await wait(urgent: true)
    }

    /// After a credential was not found: returns once a load that started after this call is in
    /// the cache (look again then), `false` when it failed (the store is away: refuse as before).
    func reloadAfterMiss() async -> Bool {
        do {
            try await wait(urgent: false)
            return true
        } catch {
            return false
        }
    }

    private func wait(urgent: Bool) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let start = state.withLock { state -> Bool in
                state.waiters.append(Waiter(load: state.started + 1, urgent: urgent, continuation: continuation))
                if state.running { return false }
                state.running = true
                return true
            }
            if start { Task { await self.run() } }
        }
    }

    /// Runs loads while anyone waits for one.
    private func run() async {
        while true {
            let delay = state.withLock { state -> Duration? in
                guard !state.waiters.isEmpty else {
                    state.running = false
                    return nil
                }
                guard !state.waiters.contains(where: \.urgent), let last = state.lastStart else { return .zero }
                return max(.zero, last + missInterval - clock.now)
            }
            guard let delay else { return }
            if delay > .zero { try? await Task.sleep(for: delay) }
            let (number, forMisses) = state.withLock { state -> (UInt64, Bool) in
                state.started += 1
                state.lastStart = clock.now
                return (state.started, !state.waiters.contains(where: \.urgent))
            }
            if forMisses {
                missLoadCount.add(1, ordering: .relaxed)
                onMissLoad()
            }
            let outcome: Result<Void, any Error>
            do {
                cache.replace(with: try await load())
                outcome = .success(())
            } catch {
                outcome = .failure(error)
            }
            let answered = state.withLock { state -> [Waiter] in
                let answered = state.waiters.filter { $0.load <= number }
                state.waiters.removeAll { $0.load <= number }
                return answered
            }
            for waiter in answered { waiter.continuation.resume(with: outcome) }
        }
    }
}
