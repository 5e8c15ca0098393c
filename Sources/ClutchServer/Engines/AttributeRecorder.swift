import ClutchCore
import ClutchStore
import Foundation
import Logging
import Synchronization

/// Remembers the attribute names (and kinds) that evaluation contexts carry, per environment, and
/// writes them to the store in batches (``ClutchStoring/recordSeenAttributes(_:)``).
///
/// Contexts arrive on the hottest routes (OFREP, the client stream), so recording one is never a
/// write, and nearly always one lookup: a context whose fingerprint (``SeenAttributeName/shape(of:)``,
/// made without allocating) was collected since the last write is skipped; another has its names
/// walked and inserted into its environment's set under the lock. The first name collected
/// after a write schedules the next one `interval` later, which writes every name collected in
/// the meantime, each environment's set bounded by ``SeenAttributeLimits/maxPerEnvironment``. A
/// name seen again after a write is collected again, so its last-seen time moves at most once
/// per interval. Names only, never values. A failed write is logged and its names dropped: they
/// are seen again with the next contexts, and nobody was promised them.
public final class AttributeRecorder: Sendable {
    private struct State {
        var pending: [String: Set<SeenAttributeName>] = [:]
        /// The ``SeenAttributeName/shape(of:)`` fingerprints whose names are in `pending`, per
        /// environment (at most ``shapesPerEnvironment``): a context of a known shape costs one lookup.
        var shapes: [String: Set<UInt64>] = [:]
        var flushScheduled = false
        /// The write running now or last; the next one waits for it, so a flush that returns has
        /// written everything collected before it was called.
        var lastFlush: Task<Void, Never>?
    }

    private let state = Mutex(State())
    private let store: any ClutchStoring
    private let interval: Duration
    private let logger: Logger
    /// Whether contexts are recorded at all (`make bench` compares the two).
    public let enabled: Bool

    /// `interval` is real time: it sets how often the store is written, not when anything happens
    /// (the attributes route flushes before it reads, so nobody waits for it).
    public init(store: any ClutchStoring, interval: Duration, enabled: Bool = true, logger: Logger) {
        self.store = store
        self.interval = interval
        self.enabled = enabled
        self.logger = logger
    }

    /// Collects the names `context` carries in `environment` (``SeenAttributeName/names(in:into:)``).
    @inline(__always)
    public func record(environment: String, context: EvaluationContext) {
        guard enabled else { return }
        let shape = SeenAttributeName.shape(of: context)
        let known = state.withLock { state in
            state.shapes[environment]?.contains(shape) == true
        }
        if known { return }
        var names: [SeenAttributeName] = []
        SeenAttributeName.names(in: context, into: &names)
        record(environment: environment, names: names, shape: shape)
    }

    /// Collects `names` seen in `environment` (a context's, or an SDK usage report's, already
    /// checked against ``SeenAttributeLimits``).
    public func record(environment: String, names: [SeenAttributeName]) {
        record(environment: environment, names: names, shape: nil)
    }

    /// Fingerprints kept per environment between writes: an application's contexts come in a few
    /// shapes; contexts of more shapes than this (made-up names) are walked each time, within the
    /// same bounds.
    static let shapesPerEnvironment = 1_024

    private func record(environment: String, names: [SeenAttributeName], shape: UInt64?) {
        guard enabled, !names.isEmpty else { return }
        let lead = state.withLock { state -> Bool in
            state.pending[environment, default: []].formBounded(names, limit: SeenAttributeLimits.maxPerEnvironment)
            if let shape, state.shapes[environment, default: []].count < Self.shapesPerEnvironment {
                state.shapes[environment, default: []].insert(shape)
            }
            let lead = !state.flushScheduled
            state.flushScheduled = true
            return lead
        }
        if lead {
            // Not tied to the request: the names are written even if this client goes away.
            Task { [self] in
                try? await Task.sleep(for: interval)
                await flush()
            }
        }
    }

    /// Names collected and not yet written, in every environment.
    var pendingCount: Int { state.withLock { $0.pending.values.reduce(0) { $0 + $1.count } } }

    /// Writes what was collected so far, and returns once it (and every earlier write) is stored.
    public func flush() async {
        let flush: Task<Void, Never> = state.withLock { state in
            let pending = state.pending
            let previous = state.lastFlush
            state.pending = [:]
            // Names seen after the write are collected again, so their last-seen time moves.
            state.shapes = [:]
            state.flushScheduled = false
            let flush = Task { [self] in
                await previous?.value
                await write(pending)
            }
            state.lastFlush = flush
            return flush
        }
        await flush.value
    }

    private func write(_ pending: [String: Set<SeenAttributeName>]) async {
        guard !pending.isEmpty else { return }
        do {
            try await store.recordSeenAttributes(pending.mapValues(Array.init))
        } catch {
            logger.warning("storing the attribute names seen failed", metadata: ["error": "\(error)"])
        }
    }
}

