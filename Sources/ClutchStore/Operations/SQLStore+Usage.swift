import ClutchCore
import Foundation

/// Usage counts and what is read from them (recent usage, stale flags). Usage is no change to a
/// flag: no revision, no snapshot version, and its writes do not wait for the write lock.
extension SQLStore {
    /// Adds evaluation counts an SDK of `environment` reported. Counts for flags that do not exist
    /// (any more) are ignored. Not a change to a flag: no revision, no snapshot version.
    public func recordUsage(environment: String, counts: [UsageCount], at: Date) async throws {
        try UsageLimits.validate(counts)
        try await read { session in try await Rows.requireEnvironment(session, environment) }
        try await recordUsage(counts.map { UsageEntry(environment: environment, count: $0) }, at: at)
    }

    /// Adds a batch of evaluation counts, of any environments, in one transaction, each at its
    /// ``UsageEntry/receivedAt`` (else `at`, the batch's time). Sums saturate at `Int64.max`.
    /// Counts for flags that do not exist (any more) are ignored. Callers check each entry
    /// against ``UsageLimits`` and the flag's variants first (the server checks them against the
    /// live engine, see `UsageBatcher`).
    public func recordUsage(_ entries: [UsageEntry], at: Date) async throws {
        // Reports were checked against `UsageLimits` one by one; a batch sums many of them, so
        // here only a negative count is refused (sums saturate).
        try UsageEntry.checkNotNegative(entries)
        guard !entries.isEmpty else { return }
        // Not under the write lock: usage is no change to a flag, and each upsert is atomic per row.
        try await unlocked { session in
            for environment in Set(entries.map(\.environment)) { try await Rows.requireEnvironment(session, environment) }
            try await Rows.addUsage(session, entries, at: at)
            // The same transaction hands rollout-decided counts to the running release of the
            // flag; a release turn holds its row locked, so these wait for it and are not lost.
            try await Rows.addReleaseUsage(session, entries.filter(\.rollout), at: at)
            try await Rows.addHourlyUsage(session, entries, at: at)
        }
    }

    /// The evaluations of `flag` in `environment` counted in the current hour and the 23 before it.
    public func recentUsage(flag: String, environment: String, now: Date) async throws -> RecentUsage {
        try await read { session in try await Rows.recentUsage(session, flag: flag, environment: environment, now: now) }
    }

    /// Usage of every flag: flag key → environment → usage.
    public func usage() async throws -> [String: [String: FlagUsage]] {
        try await read { session in try await Rows.usage(session, flag: nil) }
    }

    /// Unarchived flags that can probably be removed from code, sorted by key: those older than
    /// `days` and not evaluated in the last `days` (`never evaluated`), and those enabled in every
    /// environment where they are evaluated, serving one variant to everyone (`fully rolled out`).
    public func staleFlags(unusedForDays days: Int, now: Date) async throws -> [StaleFlag] {
        guard days >= 0 else { throw StoreError.badRequest("days cannot be negative, got \(days)", field: "days") }
        let (usage, flags) = try await read { session in (try await Rows.usage(session, flag: nil), try await Rows.allFlags(session)) }
        return StaleFlag.among(flags, usage: usage, unusedForDays: days, now: now)
    }

    /// The stale flags among `records`, each carrying its usage as ``flags(includeArchived:)``
    /// reads them: for a caller that has read the flags already (the console's list), the same
    /// rule without reading them again.
    public static func staleFlags(_ records: [FlagRecord], unusedForDays days: Int, now: Date) -> [StaleFlag] {
        StaleFlag.among(records, unusedForDays: days, now: now)
    }
}

extension StaleFlag {
    /// The stale flags among `records`, each carrying its usage (see
    /// ``SQLStore/staleFlags(_:unusedForDays:now:)``); a negative `days` counts as 0.
    static func among(_ records: [FlagRecord], unusedForDays days: Int, now: Date) -> [StaleFlag] {
        let usage = Dictionary(records.compactMap { record in record.usage.map { (record.flag.key, $0) } }, uniquingKeysWith: { a, _ in a })
        return among(records, usage: usage, unusedForDays: max(0, days), now: now)
    }

    /// The stale flags among `flags` given their `usage` (see ``SQLStore/staleFlags(unusedForDays:now:)``).
    static func among(_ flags: [FlagRecord], usage: [String: [String: FlagUsage]], unusedForDays days: Int, now: Date) -> [StaleFlag] {
        let threshold = now.addingTimeInterval(-Double(days) * 86_400)
        var stale: [StaleFlag] = []
        for record in flags where !record.flag.archived {
            let flagUsage = usage[record.flag.key] ?? [:]
            let last = flagUsage.values.map(\.lastEvaluated).max()
            if record.createdAt < threshold, (last ?? .distantPast) < threshold {
                stale.append(StaleFlag(key: record.flag.key, reason: StaleFlag.neverEvaluated, lastEvaluated: last))
            } else if !flagUsage.isEmpty, servesOneVariant(record.flag, in: flagUsage.keys.sorted()) {
                stale.append(StaleFlag(key: record.flag.key, reason: StaleFlag.fullyRolledOut, lastEvaluated: last))
            }
        }
        return stale
    }

    /// Whether `flag` is on in every one of `environments` and serves the same single variant to everyone there.
    static func servesOneVariant(_ flag: Flag, in environments: [String]) -> Bool {
        var served: Set<String> = []
        for environment in environments {
            let state = flag.state(in: environment)
            // Prerequisites make what it serves depend on other flags: not one variant for everyone.
            guard state.enabled, state.prerequisites.isEmpty, state.targets.isEmpty, state.rules.isEmpty else { return false }
            let serve = state.default ?? flag.naturalDefault
            if let variant = serve.variant {
                served.insert(variant)
            } else if let rollout = serve.rollout, let full = rollout.weights.first(where: { $0.weight == Rollout.totalWeight }) {
                served.insert(full.variant)
            } else {
                return false
            }
        }
        return served.count == 1
    }
}
