import Foundation
import GRDB

extension FlagStore {
    /// Audit events newest first: at or after `since`, about flag `flag` when given, at most `limit`.
    public func auditEvents(since: Date?, flag: String?, limit: Int) async throws -> [AuditEvent] {
        try await pool.read { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let since {
                conditions.append("at >= ?")
                arguments += [since]
            }
            if let flag {
                conditions.append("entity = 'flag' AND key = ?")
                arguments += [flag]
            }
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            arguments += [max(0, limit)]
            return try Row.fetchAll(db, sql: "SELECT * FROM audit_event \(filter) ORDER BY id DESC LIMIT ?", arguments: arguments).map { row in
                AuditEvent(
                    id: try row.decode(Int64.self, forColumn: "id"),
                    at: try row.decode(Date.self, forColumn: "at"),
                    actor: try row.decode(String.self, forColumn: "actor"),
                    action: try row.decode(String.self, forColumn: "action"),
                    entity: try row.decode(String.self, forColumn: "entity"),
                    key: try row.decode(String.self, forColumn: "key"),
                    environment: try row.decode(String?.self, forColumn: "environment"),
                    revision: try row.decode(Int64?.self, forColumn: "revision"),
                    message: try row.decode(String?.self, forColumn: "message"))
            }
        }
    }
}
