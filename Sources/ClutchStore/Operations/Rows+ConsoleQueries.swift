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

extension Rows {
    // MARK: Flag lists

    /// The `WHERE` clause selecting the flags `query` matches, all but its stage (which is
    /// computed from usage, after reading): search, tag, state and archived, in SQL so that a
    /// page of 10,000 flags reads one page of rows.
    static func flagFilter(_ query: FlagQuery, _ dialect: SQLDialect) -> SQL {
        var conditions: [SQL] = []
        if !query.includeArchived { conditions.append("NOT flag.archived") }
        let tags = dialect.jsonElements("flag.definition", field: "tags")
        if !query.search.isEmpty {
            // A position, not LIKE: no wildcard in the search can widen it.
            let needle = query.needle, position = dialect.position
            let description = dialect.jsonText("flag.definition", field: "description")
            conditions.append(
                """
                (\(raw: position)(lower(flag.key), \(needle)) > 0 OR \(raw: position)(lower(COALESCE(\(raw: description), '')), \(needle)) > 0
                OR EXISTS (SELECT 1 FROM \(raw: tags) WHERE \(raw: position)(lower(t.value), \(needle)) > 0))
                """)
        }
        if let tag = query.tag { conditions.append("EXISTS (SELECT 1 FROM \(raw: tags) WHERE t.value = \(tag))") }
        if let enabled = query.enabled, let environment = query.environment {
            let on = dialect.isJSONTrue("flag.definition", path: ["environments", environment, "enabled"])
            conditions.append(enabled ? on : "NOT \(on)")
        }
        var clause: SQL = ""
        for (index, condition) in conditions.enumerated() {
            clause = "\(clause)\(raw: index == 0 ? " WHERE " : " AND ")\(condition)"
        }
        return clause
    }

    /// Every tag of the flags, archived ones only when `includeArchived`, sorted by their bytes.
    static func flagTags(_ session: any SQLSession, includeArchived: Bool) async throws -> [String] {
        let tags = session.dialect.jsonElements("flag.definition", field: "tags")
        let only: SQL = includeArchived ? "" : " WHERE NOT flag.archived"
        return try await session.values(
            String.self, "SELECT DISTINCT t.value\(raw: session.dialect.byteOrder) AS tag FROM flag, \(raw: tags)\(only) ORDER BY tag")
    }
}
