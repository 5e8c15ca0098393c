import ClutchCore
import ClutchStore
import Foundation
import Logging
import Synchronization

/// Stores usage reports with one write per interval, however many reports arrive (group commit).
///
/// Usage reports come with SDK keys, so they must never hold up an admin change: every report
/// is merged in memory into the batch being collected, and one transaction per `interval`
/// writes the batch. A change waits behind at most one such transaction, whose size is bounded
/// by the flags and variants that exist (times the few ``timeSlice``s one interval spans),
/// because entries naming anything else are dropped.
/// A report is answered once the batch holding it has committed, so an acknowledged report is
/// durable.
///
/// Counts keep the time the server received them (to ``timeSlice``), not the time their batch
/// is written: under load a batch may commit well after its reports arrived, and a report that
/// arrived before an hour ended or a release's step settled must count before that boundary.
final class UsageBatcher: Sendable {
    /// Reports received within one slice (of the server's clock) are merged: a batch then holds
    /// at most one entry per flag, variant and slice, however many reports arrive.
    static let timeSlice: Double = 0.1

    private struct Key: Hashable {
        let environment: String
        let flag: String
        let variant: String
        /// Evaluations the flag's default rollout decided (they also feed a running release).
        let rollout: Bool
        /// The ``timeSlice`` the counts were received in (Unix time / slice, rounded down).
        let slice: Int64
        /// Who reported them, for the release guard (``UsageEntry/reporter``); empty for counts
        /// no release takes (not rollout-decided), which need not be kept apart.
        let reporter: String

        init(environment: String, flag: String, variant: String, rollout: Bool, received: Date, reporter: String) {
            self.environment = environment
            self.flag = flag
            self.variant = variant
            self.rollout = rollout
            slice = Int64((received.timeIntervalSince1970 / UsageBatcher.timeSlice).rounded(.down))
            self.reporter = rollout ? reporter : ""
        }

        /// The start of the slice: when the counts are stored as received.
        var received: Date { Date(timeIntervalSince1970: Double(slice) * UsageBatcher.timeSlice) }
    }

    /// Evaluations and errors of one key in the batch.
    private struct Sums {
        var count: Int64 = 0
        var errors: Int64 = 0
        /// Errors-only errors beyond what the server served (``UsageEntry/excessErrors``).
        var excess: Int64 = 0

        mutating func add(count: Int64, errors: Int64, excess: Int64 = 0) {
            let (c, o1) = self.count.addingReportingOverflow(count)
            self.count = o1 ? .max : c
            let (e, o2) = self.errors.addingReportingOverflow(errors)
            self.errors = o2 ? .max : e
            let (x, o3) = self.excess.addingReportingOverflow(excess)
            self.excess = o3 ? .max : x
        }
    }

    /// Evaluations of one flag variant the server served one SDK key itself (OFREP), which the
    /// key's errors-only entries (`count: 0`) may attribute errors to.
    private struct Served: Hashable {
        let keyID: String
        let environment: String
        let flag: String
        let variant: String
        let rollout: Bool
    }

    private struct State {
        var pending: [Key: Sums] = [:]
        /// The number of the batch being collected.
        var batch = 0
        var flushScheduled = false
        /// Every batch up to this number has been written (or has failed).
        var completed = -1
        /// Recent batches whose write failed, with the error their reports get.
        var failures: [Int: String] = [:]
        var waiters: [Int: [CheckedContinuation<Void, any Error>]] = [:]
        /// The flush writing now or last; the next one waits for it, so batches commit in order.
        var lastFlush: Task<Void, Never>?
        /// OFREP evaluations served per key, flag and variant not yet claimed by errors-only
        /// entries: what those may still claim (this replica's own, since it started).
        var unclaimed: [Served: Int64] = [:]
        /// SDK keys recorded as having served something (``ReleaseStoring/recordKeyServed(_:at:)``), once per process.
        var servedKeys: Set<String> = []
    }

    /// What happened to a report's entries.
    struct Outcome: Sendable {
        /// Entries stored.
        var accepted = 0
        /// Entries naming a flag or variant that does not exist in the key's environment.
        var ignored = 0
    }

    private let state = Mutex(State())
    private let store: any ClutchStoring
    private let interval: Duration
    private let logger: Logger
    /// The server's clock: when counts were received and stored. The wait before a batch is
    /// written (`interval`) is real time on purpose: it sets how many writes the store takes
    /// (group commit), not when anything happens, and a report is answered once its batch is
    /// written, so a test on a ``TestClock`` waits for that answer, never for time to move.
    private let clock: any ServerClock

    init(store: any ClutchStoring, interval: Duration, logger: Logger, clock: any ServerClock = SystemClock()) {
        self.store = store
        self.interval = interval
        self.logger = logger
        self.clock = clock
    }

    /// Adds `counts` of `engine`'s environment, sent with the SDK key `keyID` by SDK instance
    /// `instance` (if it said), received at `receivedAt` (the server's clock when the request
    /// arrived), and returns once they are stored. Entries whose flag and variant the engine does
    /// not know, and zero counts, are dropped. The caller has checked the report against
    /// ``UsageLimits``.
    ///
    /// Each entry is its reporter's (``ReporterGuard/reporter(keyID:instance:)``), except an
    /// errors-only entry (`count: 0`, an OFREP client): its errors are of evaluations the server
    /// served the key, so they are the key's, and only up to those evaluations; the rest are
    /// dropped and kept as ``UsageEntry/excessErrors`` for the release guard to name.
    func record(_ counts: [UsageCount], engine: Engine, keyID: String, instance: String?, receivedAt: Date) async throws -> Outcome {
        var outcome = Outcome()
        var added = 0
        let environment = engine.environment
        let reporter = ReporterGuard.reporter(keyID: keyID, instance: instance)
        let (batch, lead) = state.withLock { state -> (Int, Bool) in
            for count in counts {
                guard engine.hasVariant(count.variant, flag: count.flag) else {
                    outcome.ignored += 1
                    continue
                }
                outcome.accepted += 1
                guard count.count > 0 || count.errors > 0 else { continue }
                added += 1
                if count.count == 0 {
                    let served = Served(keyID: keyID, environment: environment, flag: count.flag, variant: count.variant, rollout: count.rollout)
                    let allowed = min(count.errors, state.unclaimed[served] ?? 0)
                    state.unclaimed[served] = (state.unclaimed[served] ?? 0) - allowed
                    if state.unclaimed[served] == 0 { state.unclaimed[served] = nil }
                    let key = Key(
                        environment: environment, flag: count.flag, variant: count.variant, rollout: count.rollout, received: receivedAt,
                        reporter: keyID)
                    state.pending[key, default: Sums()].add(count: 0, errors: allowed, excess: count.errors - allowed)
                    continue
                }
                let key = Key(
                    environment: environment, flag: count.flag, variant: count.variant, rollout: count.rollout, received: receivedAt,
                    reporter: reporter)
                state.pending[key, default: Sums()].add(count: count.count, errors: count.errors)
            }
            let lead = !state.flushScheduled && !state.pending.isEmpty
            if lead { state.flushScheduled = true }
            return (state.batch, lead)
        }
        if lead {
            // Not tied to this request: the batch is written even if this client goes away.
            Task { [self] in
                try? await Task.sleep(for: interval)
                await flush()
            }
        }
        // With something added, a flush of `batch` is scheduled (by this report or an earlier one).
        if added > 0 { try await wait(for: batch) }
        return outcome
    }

    /// Entries collected for the next batch (one per flag, variant and time slice).
    var pendingEntries: Int { state.withLock { $0.pending.count } }

    /// Counts evaluations the server made itself for the SDK key `keyID` (OpenFeature clients
    /// through OFREP), so that usage and "last evaluated" see them as they see SDK evaluations,
    /// and the release guard as the key's own (reporter `keyID`). Written with the next batch;
    /// never waits, never fails the evaluation. `rollout` marks evaluations the flag's default
    /// rollout decided (``UsageCount/rollout``).
    func count(environment: String, keyID: String, evaluations: [(flag: String, variant: String, rollout: Bool)]) {
        guard !evaluations.isEmpty else { return }
        let now = clock.now()
        count(keyID: keyID) { state in
            for evaluation in evaluations {
                let key = Key(
                    environment: environment, flag: evaluation.flag, variant: evaluation.variant, rollout: evaluation.rollout, received: now,
                    reporter: keyID)
                state.pending[key, default: Sums()].add(count: 1, errors: 0)
                let served = Served(keyID: keyID, environment: environment, flag: evaluation.flag, variant: evaluation.variant, rollout: evaluation.rollout)
                state.unclaimed[served, default: 0] &+= 1
            }
        }
    }

    /// One evaluation (OFREP's single-flag route): no array on the hot path.
    func count(environment: String, keyID: String, flag: String, variant: String, rollout: Bool) {
        let key = Key(environment: environment, flag: flag, variant: variant, rollout: rollout, received: clock.now(), reporter: keyID)
        let served = Served(keyID: keyID, environment: environment, flag: flag, variant: variant, rollout: rollout)
        count(keyID: keyID) { state in
            state.pending[key, default: Sums()].add(count: 1, errors: 0)
            state.unclaimed[served, default: 0] &+= 1
        }
    }

    private func count(keyID: String, _ add: (inout State) -> Void) {
        let (lead, first) = state.withLock { state -> (Bool, Bool) in
            add(&state)
            let lead = !state.flushScheduled
            state.flushScheduled = true
            return (lead, state.servedKeys.insert(keyID).inserted)
        }
        if lead {
            Task { [self] in
                try? await Task.sleep(for: interval)
                await flush()
            }
        }
        if first { Task { [self] in await recordServed(keyID) } }
    }

    /// Records that the SDK key `keyID` has served something (it fetched the flags or opened a
    /// stream), once per process, and returns once it is stored: a report that follows counts
    /// (``ReporterStatus/unverified``). A failed write is logged and tried again next time; it
    /// never fails the caller's request.
    func served(_ keyID: String) async {
        let first = state.withLock { $0.servedKeys.insert(keyID).inserted }
        if first { await recordServed(keyID) }
    }

    private func recordServed(_ keyID: String) async {
        do {
            try await store.recordKeyServed(keyID, at: clock.now())
        } catch {
            logger.warning("recording that an SDK key served failed", metadata: ["key": "\(keyID)", "error": "\(error)"])
            _ = state.withLock { $0.servedKeys.remove(keyID) }
        }
    }

    /// Writes the batch collected so far and answers the reports waiting for it. Flushes run one
    /// at a time in batch order, so "batch N has completed" also means every earlier one has.
    func flush() async {
        let flush: Task<Void, Never> = state.withLock { state in
            let batch = state.batch
            let pending = state.pending
            let previous = state.lastFlush
            state.pending = [:]
            state.batch += 1
            state.flushScheduled = false
            let flush = Task { [self] in
                await previous?.value
                await write(batch: batch, pending: pending)
            }
            state.lastFlush = flush
            return flush
        }
        await flush.value
    }

    private func write(batch: Int, pending: [Key: Sums]) async {
        var failure: String?
        if !pending.isEmpty {
            let entries = pending.map {
                UsageEntry(
                    environment: $0.key.environment, flag: $0.key.flag, variant: $0.key.variant, count: $0.value.count,
                    errors: $0.value.errors, rollout: $0.key.rollout, receivedAt: $0.key.received,
                    reporter: $0.key.reporter.isEmpty ? nil : $0.key.reporter,
                    excessErrors: $0.value.excess)
            }
            do {
                try await store.recordUsage(entries, at: clock.now())
            } catch {
                logger.error("storing usage failed", metadata: ["entries": "\(entries.count)", "error": "\(error)"])
                failure = "usage could not be stored; report it again"
            }
        }
        let waiters = state.withLock { state in
            state.completed = batch
            if let failure { state.failures[batch] = failure }
            state.failures = state.failures.filter { $0.key > batch - 64 }
            return state.waiters.removeValue(forKey: batch) ?? []
        }
        for waiter in waiters {
            if let failure { waiter.resume(throwing: APIError.internal(failure)) } else { waiter.resume() }
        }
    }

    private func wait(for batch: Int) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let finished: String?? = state.withLock { state in
                if state.completed >= batch { return .some(state.failures[batch]) }
                state.waiters[batch, default: []].append(continuation)
                return .none
            }
            switch finished {
            case .none: break
            case .some(.none): continuation.resume()
            case .some(.some(let failure)): continuation.resume(throwing: APIError.internal(failure))
            }
        }
    }
}
