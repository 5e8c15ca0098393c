import Atomics
import ClutchCore

/// Two counters per flag variant of one snapshot (evaluations the flag's default rollout decided,
/// and the rest: see `UsageCount.rollout`), so counting an evaluation takes no lock
/// and hashes nothing with SipHash: a key lookup in the engine's table, a scan of a
/// handful of variant keys and one relaxed atomic increment.
///
/// Built with each ``FlagSource``; ``UsageCounter`` drains every set it was handed.
final class UsageSlots: Sendable {
    /// Flag key → its slots, in shared chunks: a change replaces the slots of the flags it
    /// touched without rebuilding the table of the others.
    private let flags: ChunkedTable<FlagSlots>

    private final class FlagSlots: Sendable {
        let key: String
        let variants: [String]
        /// `variants.count` counters of other evaluations, then as many of rollout-decided ones.
        let counts: [ManagedAtomic<Int>]

        init(key: String, variants: [String]) {
            self.key = key
            self.variants = variants
            counts = (0..<(2 * variants.count)).map { _ in ManagedAtomic(0) }
        }
    }

    /// Slots for each flag's variants; for a flag listed twice the first listing counts.
    init(_ flags: [(key: String, variants: [String])]) {
        self.flags = ChunkedTable(flags.map { ($0.key, FlagSlots(key: $0.key, variants: $0.variants)) })
    }

    private init(flags: ChunkedTable<FlagSlots>) {
        self.flags = flags
    }

    /// The slots after a change: flags not in `changes` keep their counters (shared with this
    /// set, so a count lands once whichever set it went through), changed ones get new
    /// counters, and a flag mapped to `nil` has none.
    func updating(_ changes: [String: [String]?]) -> UsageSlots {
        UsageSlots(flags: flags.updating(changes.map { key, variants in
            (key, (variants ?? nil).map { FlagSlots(key: key, variants: $0) })
        }))
    }

    /// Counts one evaluation. False when the flag or variant has no slot here.
    @inline(__always)
    func record(flag: String, variant: String, rollout: Bool = false) -> Bool {
        guard let slots = flags[flag] else { return false }
        for i in 0..<slots.variants.count where slots.variants[i] == variant {
            slots.counts[rollout ? slots.variants.count + i : i].wrappingIncrement(ordering: .relaxed)
            return true
        }
        return false
    }

    /// Adds every non-zero count to `counts` and zeroes it.
    func drain(into counts: inout [UsageCounter.Key: Int]) {
        for flag in flags.elements {
            let n = flag.variants.count
            for (i, count) in flag.counts.enumerated() {
                let value = count.exchange(0, ordering: .relaxed)
                if value != 0 {
                    counts[UsageCounter.Key(flag: flag.key, variant: flag.variants[i % n], rollout: i >= n), default: 0] &+= value
                }
            }
        }
    }

    /// The counter of one flag and variant; sets made with ``updating(_:)`` share counters.
    func counter(flag: String, variant: String, rollout: Bool) -> ManagedAtomic<Int>? {
        guard let slots = flags[flag] else { return nil }
        guard let i = slots.variants.firstIndex(of: variant) else { return nil }
        return slots.counts[rollout ? slots.variants.count + i : i]
    }

    /// The current count for one flag and variant (rollout-decided or not).
    func count(flag: String, variant: String) -> Int {
        [false, true].reduce(0) { $0 + (counter(flag: flag, variant: variant, rollout: $1)?.load(ordering: .relaxed) ?? 0) }
    }
}
