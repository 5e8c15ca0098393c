import Foundation

extension Rows {
    // MARK: Audit events

    static func auditEvent(_ row: SQLRow) throws -> AuditEvent {
        AuditEvent(
            id: try row.get("id"), at: try row.get("at"), actor: try row.get("actor"), action: try row.get("action"),
            entity: try row.get("entity"), key: try row.get("key"), environment: try row.get("environment"),
            revision: try row.get("revision"), message: try row.get("message"))
    }
}
