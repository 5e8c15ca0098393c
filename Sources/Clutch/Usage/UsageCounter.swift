import ClutchProtocol
import Atomics
import ClutchCore
import Foundation

/// Counts evaluations per flag and variant between reports.
///
/// Evaluations count into the ``UsageSlots`` of the source they read (no lock); this
/// counter keeps the sets it was handed and sums them when a report is drained. A set
/// replaced by a newer snapshot is drained once more after it is replaced, so a count
/// from an evaluation that was still reading the old snapshot is not lost.
final class UsageCounter: Sendable {
    struct Key: Hashable, Sendable {
        var flag: String
        var variant: String
        /// Evaluations the flag's default rollout decided (`UsageCount.rollout`).
        var rollout = false

        // A flag has a handful of variants, so hashing the flag key alone spreads keys well
        // enough and halves the hashing on the evaluation path; equality still compares both.
        func hash(into hasher: inout Hasher) {
            hasher.combine(flag)
        }
    }

    private struct State: Sendable {
        /// Counts drained from slots, restored from failed reports, or without a slot.
        var counts: [Key: Int] = [:]
        /// Errors the application attributed to a variant (``recordError(flag:variant:rollout:count:)``).
        var errors: [Key: Int] = [:]
        var since = Date()
        /// The current source's slots.
        var current: UsageSlots?
        /// Replaced slots, and whether a drain has already read them since.
        var retired: [(slots: UsageSlots, drained: Bool)] = []
        /// Attribute names evaluated contexts carried since the last report (names only, at
        /// most ``SeenAttributeLimits/maxPerReport``): the server suggests them and warns on others.
        var attributes: Set<SeenAttributeName> = []
    }

    private let state = Locked(State())
    /// Contexts evaluated: one in ``contextSample`` has its names read, so the names cost the
    /// evaluation path one relaxed increment (an application's attribute names rarely change).
    private let contexts = ManagedAtomic<Int>(0)
    static let contextSample = 64
    /// Device mode: the server counts the answers it serves, so the client sends the errors
    /// the application recorded only, as entries with `count: 0` (usage is counted once).
    let errorsOnly: Bool

    init(errorsOnly: Bool = false) {
        self.errorsOnly = errorsOnly
    }

    /// Makes `slots` (a newly installed source's) the current set.
    func adopt(_ slots: UsageSlots) {
        state.withLock { state in
            if let current = state.current, current !== slots { state.retired.append((current, false)) }
            state.current = slots
        }
    }

    /// Counts one evaluation that read `slots`' source.
    @inline(__always)
    func record(flag: String, variant: String, rollout: Bool = false, in slots: UsageSlots) {
        if slots.record(flag: flag, variant: variant, rollout: rollout) { return }
        let key = Key(flag: flag, variant: variant, rollout: rollout)
        state.withLock { $0.counts[key, default: 0] &+= 1 }
    }

    /// Notes the attribute names of `context`, the first and then every ``contextSample``-th one.
    @inline(__always)
    func note(_ context: EvaluationContext) {
        guard contexts.loadThenWrappingIncrement(ordering: .relaxed) % Self.contextSample == 0 else { return }
        var names: [SeenAttributeName] = []
        SeenAttributeName.names(in: context, into: &names)
        state.withLock { $0.attributes.formBounded(names, limit: SeenAttributeLimits.maxPerReport) }
    }

    /// Counts `count` errors the application attributed to `variant` of `flag`.
    func recordError(flag: String, variant: String, rollout: Bool, count: Int) {
        guard count > 0 else { return }
        let key = Key(flag: flag, variant: variant, rollout: rollout)
        state.withLock { $0.errors[key, default: 0] &+= count }
    }

    /// This process's instance id in usage reports (`UsageReport.instance`): random, made once
    /// per process, so that the server's release guard keeps this instance's evidence apart
    /// from other instances'.
    static let instance: String = {
        var generator = SystemRandomNumberGenerator()
        return (0..<2).map { _ in
            let hex = String(generator.next() as UInt64, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }()

    /// The counts so far and the period they cover, resetting the counter. An entry's errors
    /// never exceed its count (the server refuses that): errors recorded beyond the evaluations
    /// counted in the period wait for the next report.
    func drain(now: Date = Date()) -> UsageReport? {
        let (counts, errors, since, attributes) = state.withLock { state in
            state.current?.drain(into: &state.counts)
            // Retired sets are drained now and kept for one more drain: an evaluation that
            // read the old source just before the swap may still be adding to it.
            for entry in state.retired { entry.slots.drain(into: &state.counts) }
            state.retired = state.retired.filter { !$0.drained }.map { ($0.slots, true) }
            let counts = state.counts
            var sent: [Key: Int] = [:]
            var carried: [Key: Int] = [:]
            for (key, errors) in state.errors {
                // Errors-only entries are not bounded by a count here: the server bounds them
                // by the answers it served.
                let allowed = errorsOnly ? errors : min(errors, counts[key] ?? 0)
                if allowed > 0 { sent[key] = allowed }
                if errors > allowed { carried[key] = errors - allowed }
            }
            state.counts.removeAll(keepingCapacity: true)
            state.errors = carried
            let attributes = state.attributes
            state.attributes = []
            defer { state.since = now }
            return (counts, sent, state.since, attributes)
        }
        let keys = errorsOnly ? Set(errors.keys) : Set(counts.keys)
        guard !keys.isEmpty || !attributes.isEmpty else { return nil }
        let entries = keys.map { key in
            UsageReport.Count(
                flag: key.flag, variant: key.variant, count: Int64(counts[key] ?? 0), errors: Int64(errors[key] ?? 0),
                rollout: key.rollout)
        }
        .sorted { ($0.flag, $0.variant, $0.rollout ? 1 : 0) < ($1.flag, $1.variant, $1.rollout ? 1 : 0) }
        let names = attributes.sorted { ($0.name, $0.kind) < ($1.name, $1.kind) }
        return UsageReport(counts: entries, from: since, to: now, instance: Self.instance, attributes: names.isEmpty ? nil : names)
    }

    /// Puts back counts a report failed to deliver, so that they go out with the next one.
    func restore(_ report: UsageReport) {
        state.withLock { state in
            for entry in report.counts {
                let key = Key(flag: entry.flag, variant: entry.variant, rollout: entry.rollout)
                if entry.count > 0 { state.counts[key, default: 0] &+= Int(clamping: entry.count) }
                if entry.errors > 0 { state.errors[key, default: 0] &+= Int(clamping: entry.errors) }
            }
            if let from = report.from { state.since = min(state.since, from) }
            state.attributes.formBounded(report.attributes ?? [], limit: SeenAttributeLimits.maxPerReport)
        }
    }

    /// The count for one flag and variant since the last report (for tests and diagnostics).
    func count(flag: String, variant: String) -> Int {
        state.withLock { state in
            var total = 0
            // Sets share the counters of flags a change did not touch: count each counter once.
            var seen = Set<ObjectIdentifier>()
            for rollout in [false, true] {
                total += state.counts[Key(flag: flag, variant: variant, rollout: rollout)] ?? 0
                for slots in state.retired.map(\.slots) + (state.current.map { [$0] } ?? []) {
                    guard let counter = slots.counter(flag: flag, variant: variant, rollout: rollout),
                          seen.insert(ObjectIdentifier(counter)).inserted
                    else { continue }
                    total += counter.load(ordering: .relaxed)
                }
            }
            return total
        }
    }

    /// The errors recorded for one flag and variant since the last report.
    func errors(flag: String, variant: String) -> Int {
        state.withLock { state in
            (state.errors[Key(flag: flag, variant: variant, rollout: false)] ?? 0)
                + (state.errors[Key(flag: flag, variant: variant, rollout: true)] ?? 0)
        }
    }
}

extension UsageReport {
    /// The largest body a report part may have (estimated); the server accepts 1 MiB.
    static let maxBodyBytes = 900_000

    /// Reports the server accepts (``UsageReportLimits``: entries per report, count per entry),
    /// and what is left over to send next time: the part of a count above the limit.
    func split() -> (parts: [UsageReport], rest: UsageReport?) {
        let limit = UsageReportLimits.maxCount
        var capped: [Count] = []
        var leftover: [Count] = []
        for entry in counts {
            capped.append(Count(
                flag: entry.flag, variant: entry.variant, count: min(entry.count, limit), errors: min(entry.errors, limit),
                rollout: entry.rollout))
            if entry.count > limit || entry.errors > limit {
                leftover.append(Count(
                    flag: entry.flag, variant: entry.variant, count: max(0, entry.count - limit), errors: max(0, entry.errors - limit),
                    rollout: entry.rollout))
            }
        }
        // Parts stay under the entry limit and well under the server's 1 MiB body limit.
        var parts: [UsageReport] = []
        var current: [Count] = []
        var bytes = 0
        for entry in capped {
            let size = entry.flag.utf8.count + entry.variant.utf8.count + 80
            if current.count == UsageReportLimits.maxEntries || bytes + size > Self.maxBodyBytes {
                parts.append(UsageReport(counts: current, from: from, to: to, instance: instance))
                current = []
                bytes = 0
            }
            current.append(entry)
            bytes += size
        }
        if !current.isEmpty || parts.isEmpty { parts.append(UsageReport(counts: current, from: from, to: to, instance: instance)) }
        // The names go once, with the first part.
        parts[0].attributes = attributes
        return (parts, leftover.isEmpty ? nil : UsageReport(counts: leftover, from: from, to: to, instance: instance))
    }
}

