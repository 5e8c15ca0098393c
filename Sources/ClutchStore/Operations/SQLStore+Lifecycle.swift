import ClutchCore
import Foundation

/// The way out of a flag's life: the cleanup report and the daily `flag.stale` notice. Stages
/// are computed (``FlagLifecycle``), never stored.
extension SQLStore {
    /// Each flag that needs cleaning up (``CleanupEntry/of(_:environment:references:)``): stale
    /// (in `environment`, when given), or referenced by no uploaded code scan; sorted by key.
    public func cleanupReport(environment: String?) async throws -> CleanupReport {
        try await read { session in
            if let environment { try await Rows.requireEnvironment(session, environment, field: "env") }
            let records = try await Rows.allFlags(session).filter { !$0.flag.archived }
            let references = try await Rows.codeReferenceCounts(session)
            let flags = try await Rows.withLifecycle(session, records, flags: nil, now: session.now).compactMap { record in
                CleanupEntry.of(record, environment: environment, references: references.map { $0[record.flag.key] ?? 0 })
            }
            return CleanupReport(environment: environment, scanned: references != nil, flags: flags)
        }
    }

    /// Queues one `flag.stale` event naming the flags that became stale since the last call (at
    /// `now`), and returns them: each stale flag is named once (`stale_notice`), and again only
    /// after it stopped being stale and became so anew. In one write transaction, so replicas
    /// running the job at once name each flag once.
    public func noticeStaleFlags(now: Date) async throws -> [StaleFlag] {
        try await write { session in
            let records = try await Rows.allFlags(session).filter { !$0.flag.archived }
            let stale = try await Rows.withLifecycle(session, records, flags: nil, now: now).compactMap(StaleFlag.init)
            let noticed = Set(try await session.values(String.self, "SELECT flag FROM stale_notice"))
            let staleKeys = Set(stale.map(\.key))
            for key in noticed.subtracting(staleKeys).sorted() {
                try await session.execute("DELETE FROM stale_notice WHERE flag = \(key)")
            }
            let fresh = stale.filter { !noticed.contains($0.key) }
            for flag in fresh {
                try await session.execute("INSERT INTO stale_notice (flag, noticed_at) VALUES (\(flag.key), \(now))")
            }
            if !fresh.isEmpty { try await Rows.recordEvent(session, type: .flagStale, data: StaleFlagsEvent(flags: fresh), at: now) }
            return fresh
        }
    }
}
