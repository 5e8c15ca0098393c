import Foundation
import GRDB

extension FlagStore {
    /// Audit events newest first: at or after `since`, about flag `flag` when given, at most `limit`.
    public func auditEvents(since: Date?, flag: String?, limit: Int) async throws -> [AuditEvent] {
        guard limit > 0 else { return [] }
        return try await auditPage(flag: flag, actor: nil, since: since, until: nil, before: nil, limit: limit).events
    }
}
