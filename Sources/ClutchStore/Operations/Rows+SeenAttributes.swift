import ClutchCore
import Foundation

/// Seen attribute rows (`seen_attribute`), written once for both databases.
extension Rows {
    /// Names written per statement: a few thousand parameters, within both databases' limits.
    static let seenAttributeBatch = 200

    /// Upserts `names` of `environment` at `now`: stored ones get `now` as their last-seen time,
    /// new ones are added up to the environment's ``SeenAttributeLimits/maxPerEnvironment``.
    static func recordSeenAttributes(_ session: any SQLSession, environment: String, names: [SeenAttributeName], at now: Date) async throws {
        var stored = Set<SeenAttributeName>()
        for row in try await session.rows("SELECT name, kind FROM seen_attribute WHERE environment = \(environment)") {
            if let kind = AttributeKind(rawValue: try row.get("kind")) { stored.insert(SeenAttributeName(name: try row.get("name"), kind: kind)) }
        }
        let room = max(0, SeenAttributeLimits.maxPerEnvironment - stored.count)
        let known = names.filter { stored.contains($0) }
        let added = names.filter { !stored.contains($0) }.sorted { ($0.name, $0.kind) < ($1.name, $1.kind) }.prefix(room)
        let all = known + added
        var start = 0
        while start < all.count {
            let batch = all[start..<min(start + seenAttributeBatch, all.count)]
            var statement: SQL = "INSERT INTO seen_attribute (environment, name, kind, first_seen, last_seen) VALUES "
            for (offset, seen) in batch.enumerated() {
                statement.append("\(raw: offset == 0 ? "" : ", ")(\(environment), \(seen.name), \(seen.kind.rawValue), \(now), \(now))")
            }
            statement.append(" ON CONFLICT (environment, name, kind) DO UPDATE SET last_seen = excluded.last_seen")
            try await session.execute(statement)
            start += seenAttributeBatch
        }
    }

    /// The environment's seen names, one per name with its kinds, sorted by name (bytes).
    static func seenAttributes(_ session: any SQLSession, environment: String) async throws -> [SeenAttribute] {
        let order = session.dialect.byteOrder
        var result: [SeenAttribute] = []
        for row in try await session.rows(
            "SELECT name, kind, first_seen, last_seen FROM seen_attribute WHERE environment = \(environment) ORDER BY name\(raw: order), kind")
        {
            let name: String = try row.get("name")
            guard let kind = AttributeKind(rawValue: try row.get("kind")) else { continue }
            let first: Date = try row.get("first_seen")
            let last: Date = try row.get("last_seen")
            if let previous = result.last, previous.name == name {
                result[result.count - 1].kinds = (previous.kinds + [kind]).sorted()
                result[result.count - 1].firstSeen = min(previous.firstSeen, first)
                result[result.count - 1].lastSeen = max(previous.lastSeen, last)
            } else {
                result.append(SeenAttribute(name: name, kinds: [kind], firstSeen: first, lastSeen: last))
            }
        }
        return result
    }
}
