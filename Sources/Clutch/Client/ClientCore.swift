import ClutchProtocol
import Foundation
import Logging

/// The shared state of a ``ClutchClient``: what its background tasks and its evaluations
/// both reach. Kept apart from the client so that those tasks never keep the client
/// alive — dropping the last reference to a client stops it.
final class ClientCore: Sendable {
    let configuration: ClutchConfiguration
    let logger: Logger
    let api: ServerAPI
    let cache: SnapshotCache?
    /// Writes synced snapshots to `cache`.
    let cacheWriter: CacheWriter<Snapshot>?
    /// Device mode: each person's last answers on disk, and their writer.
    let answerCache: AnswerCache?
    let answerWriter: CacheWriter<AnswerCache.Pending>?
    let usage: UsageCounter?
    /// Whether evaluations are counted here: in local mode; in device mode the server counts
    /// the answers it serves, and the client reports errors only (usage is counted once).
    private let countsEvaluations: Bool
    /// Device mode: the person answered for, and which switch (``switchContext(to:)``) set it.
    let device: Locked<DeviceState>
    /// How often the server wants usage reports now (every few seconds while a release runs).
    private let cadenceState = Locked(UsageCadence(reportEvery: nil))
    /// Read on every evaluation: one lock, one reference copied out.
    let source = Locked<FlagSource?>(nil)
    private let state = Locked(State())

    private struct State: Sendable {
        var status = ClutchStatus.notReady
        var lastError: ClutchError?
        var hasData = false
        var closed = false
        var nextID: UInt64 = 0
        var readyWaiters: [UInt64: CheckedContinuation<Void, any Error>] = [:]
        var changeSubscribers: [UInt64: AsyncStream<Set<String>>.Continuation] = [:]
        /// Whether someone runs the sync and usage loops (`init` or `run()`), and whether they still run.
        var loopsClaimed = false
        var loopsRunning = false
        var loopsEndedWaiters: [CheckedContinuation<Void, Never>] = []
        var closeWaiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        /// The last usage report and the HTTP client's shutdown, once.
        var finishing: Task<Void, Never>?
    }

    /// The person device mode answers for. Each switch is a new generation; answers are
    /// installed only for the current one, so a late answer for the previous person is dropped.
    struct DeviceState: Sendable {
        var context: EvaluationContext
        var generation: UInt64 = 1
        /// The last generation the server answered (``answered(generation:)``).
        var answered: UInt64 = 0
        var closed = false
        /// ``switchContext(to:)`` callers waiting for the server's answers, by waiter id.
        var answerWaiters: [UInt64: (generation: UInt64, continuation: CheckedContinuation<Void, any Error>)] = [:]
        /// The device loop waiting for a switch.
        var switchWaiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextID: UInt64 = 0
    }

    init(configuration: ClutchConfiguration) {
        self.configuration = configuration
        logger = configuration.logger
        api = ServerAPI(configuration: configuration)
        let logger = configuration.logger
        switch configuration.mode {
        case .local:
            cache = configuration.cacheDirectory.map {
                SnapshotCache(directory: $0, serverURL: configuration.serverURL, sdkKey: configuration.sdkKey, logger: logger)
            }
            answerCache = nil
            countsEvaluations = true
            device = Locked(DeviceState(context: EvaluationContext()))
        case .device(let context):
            cache = nil
            answerCache = configuration.cacheDirectory.map {
                AnswerCache(directory: $0, serverURL: configuration.serverURL, key: configuration.sdkKey, logger: logger)
            }
            countsEvaluations = false
            device = Locked(DeviceState(context: context))
        }
        usage = configuration.usageInterval > .zero ? UsageCounter(errorsOnly: !countsEvaluations) : nil
        cacheWriter = cache.map { cache in
            CacheWriter(location: cache.fileURL.path, logger: logger) { try cache.store($0) }
        }
        answerWriter = answerCache.map { cache in
            CacheWriter(location: cache.directory.path, logger: logger) { try cache.store($0) }
        }
    }

    // MARK: Evaluation

    /// Evaluates `key` as `type` against the current source, counting the served variant.
    @inline(__always)
    func evaluate(_ key: String, as type: FlagType, context: EvaluationContext) -> (EvaluationResult, FlagSource?) {
        guard let current = source.withLock({ $0 }) else {
            return (.failure(key, .providerNotReady, "no flags yet: the client has not reached the server"), nil)
        }
        let result = current.evaluate(key, as: type, context: context)
        if countsEvaluations, let usage {
            usage.note(context)
            if result.errorCode == nil, let variant = result.variant {
                usage.record(flag: key, variant: variant, rollout: current.decidedByRollout(result), in: current.usage)
            }
        }
        return (result, current)
    }

    /// Attributes `count` errors to the variant `context` is served by flag `key`, without
    /// counting an evaluation. Nothing is recorded when the flag cannot be evaluated.
    func recordError(_ key: String, context: EvaluationContext, count: Int) {
        guard count > 0, let usage, let current = source.withLock({ $0 }) else { return }
        let result = current.evaluateAnyType(key, context: context)
        guard result.errorCode == nil, let variant = result.variant else { return }
        usage.recordError(flag: key, variant: variant, rollout: current.decidedByRollout(result), count: count)
    }

    /// The usage cadence the server asked for (``UsageCadence``).
    var cadence: UsageCadence { cadenceState.withLock { $0 } }

    /// Adopts the cadence the server sent (stream event or usage answer).
    func adopt(_ cadence: UsageCadence) {
        cadenceState.withLock { $0 = cadence }
    }

    // MARK: Data and status

    /// Swaps in `next` and tells subscribers which flags changed.
    func install(_ next: FlagSource, changed: Set<String>, status: ClutchStatus) {
        usage?.adopt(next.usage)
        source.withLock { $0 = next }
        let (waiters, subscribers) = state.withLock { state in
            state.hasData = true
            if !state.closed { state.status = status }
            state.lastError = nil
            let waiters = state.readyWaiters
            state.readyWaiters.removeAll()
            return (waiters, Array(state.changeSubscribers.values))
        }
        for waiter in waiters.values { waiter.resume() }
        if !changed.isEmpty {
            for subscriber in subscribers { subscriber.yield(changed) }
        }
    }

    /// Tells the ``changes`` subscribers that `changed` flags changed.
    func notifyChanged(_ changed: Set<String>) {
        guard !changed.isEmpty else { return }
        let subscribers = state.withLock { Array($0.changeSubscribers.values) }
        for subscriber in subscribers { subscriber.yield(changed) }
    }

    var status: ClutchStatus { state.withLock { $0.status } }

    /// Records that the server could not be reached, went away or refused us (`error`).
    /// Held flags stay served.
    func connectionFailed(_ error: (any Error)?) {
        let clutchError = error as? ClutchError
        let refused = clutchError == .unauthorized
        let waiters: [CheckedContinuation<Void, any Error>] = state.withLock { state in
            guard !state.closed else { return [] }
            if refused {
                state.status = .error
                state.lastError = clutchError
            } else if state.hasData {
                state.status = .stale
            }
            guard refused, !state.hasData else { return [] }
            defer { state.readyWaiters.removeAll() }
            return Array(state.readyWaiters.values)
        }
        for waiter in waiters { waiter.resume(throwing: clutchError ?? ClutchError.unauthorized) }
    }

    /// Refuses to start: the configuration cannot work (a key of the wrong kind). Nothing is
    /// sent; ``waitForData()`` throws `error` and the loops are never claimed.
    func refuse(_ error: ClutchError) {
        state.withLock { state in
            state.status = .error
            state.lastError = error
            state.loopsClaimed = true
        }
    }

    /// Records that the server confirmed the held flags are current.
    func confirmed() {
        state.withLock { state in
            if !state.closed, state.hasData { state.status = .ready }
        }
    }

    /// Returns once flags can be served; throws if the key is refused or the client closes.
    func waitForData() async throws {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        try await state.wait { state in
            if state.hasData { return .success(()) }
            if state.closed { return .failure(ClutchError.closed) }
            if state.status == .error { return .failure(state.lastError ?? ClutchError.unauthorized) }
            return nil
        } store: { state, continuation in
            state.readyWaiters[id] = continuation
        } unregister: {
            $0.readyWaiters.removeValue(forKey: id)
        }
    }

    /// A new stream of changed flag keys; it ends when the client closes.
    func changes() -> AsyncStream<Set<String>> {
        let (stream, continuation) = AsyncStream<Set<String>>.makeStream(bufferingPolicy: .bufferingNewest(256))
        let id: UInt64? = state.withLock { state in
            guard !state.closed else { return nil }
            state.nextID += 1
            state.changeSubscribers[state.nextID] = continuation
            return state.nextID
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.changeSubscribers.removeValue(forKey: id) }
        }
        return stream
    }

    // MARK: Lifecycle

    /// Stops everything: the loops are told to end, waiters fail with ``ClutchError/closed``,
    /// change streams finish. Idempotent; evaluations keep serving the last flags.
    func shutdown() {
        let (waiters, subscribers, closeWaiters) = state.withLock { state in
            state.closed = true
            defer {
                state.readyWaiters.removeAll()
                state.changeSubscribers.removeAll()
                state.closeWaiters.removeAll()
            }
            return (Array(state.readyWaiters.values), Array(state.changeSubscribers.values), Array(state.closeWaiters.values))
        }
        for waiter in waiters { waiter.resume(throwing: ClutchError.closed) }
        for subscriber in subscribers { subscriber.finish() }
        for waiter in closeWaiters { waiter.resume() }
        closeDevice()
    }

    /// Returns once the client is closed, or when the calling task is cancelled.
    func waitUntilClosed() async {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        await state.wait { $0.closed } store: { state, continuation in
            state.closeWaiters[id] = continuation
        } unregister: {
            $0.closeWaiters.removeValue(forKey: id)
        }
    }

    /// Claims the sync and usage loops for the caller to run (``runLoops(initial:)``); `false`
    /// when they already have an owner or the client is closed.
    func claimLoops() -> Bool {
        state.withLock { state in
            guard !state.closed, !state.loopsClaimed else { return false }
            state.loopsClaimed = true
            state.loopsRunning = true
            return true
        }
    }

    /// Records that the loops returned, for ``waitForLoopsToEnd()``.
    func loopsEnded() {
        let waiters = state.withLock { state in
            state.loopsRunning = false
            defer { state.loopsEndedWaiters.removeAll() }
            return state.loopsEndedWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once the loops have returned (at once when they never started). Loops end
    /// promptly after ``shutdown()``; a usage report in flight is let finish.
    func waitForLoopsToEnd() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let running = state.withLock { state in
                if state.loopsRunning { state.loopsEndedWaiters.append(continuation) }
                return state.loopsRunning
            }
            if !running { continuation.resume() }
        }
    }

    /// Sends the last usage counts, then shuts the HTTP client down (when the SDK owns it).
    /// Runs once, in a task of its own so that a cancelled caller cannot cut the report
    /// short; every caller waits for it. Call after the loops ended.
    func finish() async {
        let finishing = state.withLock { state in
            if let finishing = state.finishing { return finishing }
            let finishing = Task {
                self.cacheWriter?.flush()
                self.answerWriter?.flush()
                await self.flushUsage()
                await self.api.shutdown()
            }
            state.finishing = finishing
            return finishing
        }
        await finishing.value
    }

    /// Sends the counts gathered so far; on failure they are kept for the next report.
    func flushUsage() async {
        guard let usage, let report = usage.drain() else { return }
        let (parts, rest) = report.split()
        if let rest { usage.restore(rest) }
        for part in parts {
            do {
                if let cadence = try await api.sendUsage(part) { adopt(cadence) }
            } catch let error as ClutchError where error.status.map({ (400..<500).contains($0) && $0 != 429 }) == true {
                // Refused as it is: sending it again would be refused again, forever.
                logger.warning("the server refused a usage report; dropping it", metadata: ["error": "\(error)"])
            } catch {
                usage.restore(part)
                logger.debug("could not send flag usage; keeping it for the next report", metadata: ["error": "\(error)"])
            }
        }
    }
}
