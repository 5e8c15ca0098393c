import Atomics
import ClutchCore

/// One counter per flag variant of one snapshot, so counting an evaluation takes no lock
/// and hashes nothing with SipHash: a key lookup in the engine's table, a scan of a
/// handful of variant keys and one relaxed atomic increment.
///
/// Built with each ``FlagSource``; ``UsageCounter`` drains every set it was handed.
final class UsageSlots: Sendable {
    private let index: KeyIndex
    private let flags: [FlagSlots]

    private final class FlagSlots: Sendable {
        let key: String
        let variants: [String]
        let counts: [ManagedAtomic<Int>]

        init(key: String, variants: [String]) {
            self.key = key
            self.variants = variants
            counts = variants.map { _ in ManagedAtomic(0) }
        }
    }

    /// Slots for each flag's variants; for a flag listed twice the first listing counts.
    init(_ flags: [(key: String, variants: [String])]) {
        index = KeyIndex(flags.map(\.key))
        self.flags = flags.map { FlagSlots(key: $0.key, variants: $0.variants) }
    }

    private init(flags: [FlagSlots]) {
        index = KeyIndex(flags.map(\.key))
        self.flags = flags
    }

    /// The slots after a change: flags not in `changes` keep their counters (shared with this
    /// set, so a count lands once whichever set it went through), changed ones get new
    /// counters, and a flag mapped to `nil` has none.
    func updating(_ changes: [String: [String]?]) -> UsageSlots {
        var kept = flags.filter { changes[$0.key] == nil }
        for (key, variants) in changes {
            if let variants = variants ?? nil { kept.append(FlagSlots(key: key, variants: variants)) }
        }
        return UsageSlots(flags: kept)
    }

    /// Counts one evaluation. False when the flag or variant has no slot here.
    @inline(__always)
    func record(flag: String, variant: String) -> Bool {
        guard let position = index.position(of: flag) else { return false }
        let slots = flags[position]
        for i in 0..<slots.variants.count where slots.variants[i] == variant {
            slots.counts[i].wrappingIncrement(ordering: .relaxed)
            return true
        }
        return false
    }

    /// Adds every non-zero count to `counts` and zeroes it.
    func drain(into counts: inout [UsageCounter.Key: Int]) {
        for flag in flags {
            for (variant, count) in zip(flag.variants, flag.counts) {
                let n = count.exchange(0, ordering: .relaxed)
                if n != 0 { counts[UsageCounter.Key(flag: flag.key, variant: variant), default: 0] &+= n }
            }
        }
    }

    /// The counter of one flag and variant; sets made with ``updating(_:)`` share counters.
    func counter(flag: String, variant: String) -> ManagedAtomic<Int>? {
        guard let position = index.position(of: flag) else { return nil }
        let slots = flags[position]
        guard let i = slots.variants.firstIndex(of: variant) else { return nil }
        return slots.counts[i]
    }

    /// The current count for one flag and variant.
    func count(flag: String, variant: String) -> Int {
        counter(flag: flag, variant: variant)?.load(ordering: .relaxed) ?? 0
    }
}
