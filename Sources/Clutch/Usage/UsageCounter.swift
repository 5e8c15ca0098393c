import Foundation

/// Counts evaluations per flag and variant between reports. Recording is one uncontended
/// lock and a dictionary increment, cheap enough for the evaluation hot path.
final class UsageCounter: Sendable {
    struct Key: Hashable, Sendable {
        var flag: String
        var variant: String

        // A flag has a handful of variants, so hashing the flag key alone spreads keys well
        // enough and halves the hashing on the evaluation path; equality still compares both.
        func hash(into hasher: inout Hasher) {
            hasher.combine(flag)
        }
    }

    private struct State: Sendable {
        var counts: [Key: Int] = [:]
        var since = Date()
    }

    private let state = Locked(State())

    @inline(__always)
    func record(flag: String, variant: String) {
        let key = Key(flag: flag, variant: variant)
        state.withLock { $0.counts[key, default: 0] &+= 1 }
    }

    /// The counts so far and the period they cover, resetting the counter.
    func drain(now: Date = Date()) -> UsageReport? {
        let (counts, since) = state.withLock { state in
            defer {
                state.counts.removeAll(keepingCapacity: true)
                state.since = now
            }
            return (state.counts, state.since)
        }
        guard !counts.isEmpty else { return nil }
        let entries = counts.map { UsageReport.Count(flag: $0.key.flag, variant: $0.key.variant, count: $0.value) }
            .sorted { ($0.flag, $0.variant) < ($1.flag, $1.variant) }
        return UsageReport(counts: entries, from: since, to: now)
    }

    /// Puts back counts a report failed to deliver, so that they go out with the next one.
    func restore(_ report: UsageReport) {
        state.withLock { state in
            for entry in report.counts {
                state.counts[Key(flag: entry.flag, variant: entry.variant), default: 0] &+= entry.count
            }
            state.since = min(state.since, report.from)
        }
    }

    /// The count for one flag and variant since the last report (for tests and diagnostics).
    func count(flag: String, variant: String) -> Int {
        state.withLock { $0.counts[Key(flag: flag, variant: variant)] ?? 0 }
    }
}

/// The body of `POST /sdk/v1/usage`.
struct UsageReport: Sendable, Hashable, Codable {
    struct Count: Sendable, Hashable, Codable {
        var flag: String
        var variant: String
        var count: Int
    }

    var counts: [Count]
    var from: Date
    var to: Date
}
