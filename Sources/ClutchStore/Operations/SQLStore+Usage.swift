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

    /// `flag`'s evaluations in `environment` per variant over `window` (the API's and console's chart).
    public func usageSeries(flag: String, environment: String, window: UsageWindow, now: Date) async throws -> UsageSeries {
        try await read { session in try await Rows.usageSeries(session, flag: flag, environment: environment, window: window, now: now) }
    }

    /// Usage of every flag: flag key → environment → usage.
    public func usage() async throws -> [String: [String: FlagUsage]] {
        try await read { session in try await Rows.usage(session, flags: nil) }
    }

    /// The stale flags (``FlagStage/stale``, overall) at `now`, sorted by key, each with why;
    /// `days` is the days without evaluation that make a flag stale (``FlagLifecycle/unusedDays``
    /// everywhere else). One rule: ``FlagLifecycle``.
    public func staleFlags(unusedForDays days: Int, now: Date) async throws -> [StaleFlag] {
        guard days >= 0 else { throw StoreError.badRequest("days cannot be negative, got \(days)", field: "days") }
        return try await read { session in
            let records = try await Rows.allFlags(session).filter { !$0.flag.archived }
            return try await Rows.withLifecycle(session, records, flags: nil, now: now, unusedDays: days).compactMap(StaleFlag.init)
        }
    }
}
