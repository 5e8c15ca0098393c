import ClutchCore
import GRDB

/// Prerequisites across flags, checked inside the write's transaction: a flag is valid only
/// together with the flags it requires and the flags that require it.
extension Tables {
    /// The stored flags whose state names `key` as a prerequisite in some environment.
    static func dependents(_ db: Database, of key: String) throws -> [Flag] {
        // The text test is cheap and passes only definitions with prerequisites (the field is left
        // out when empty), so the JSON functions read few rows.
        try String.fetchAll(
            db, sql: """
                SELECT definition FROM flag
                WHERE definition LIKE '%"prerequisites":%'
                  AND EXISTS (
                    SELECT 1 FROM json_each(flag.definition, '$.environments') AS environment,
                                  json_each(environment.value, '$.prerequisites') AS prerequisite
                    WHERE json_extract(prerequisite.value, '$.flag') = ?)
                ORDER BY key
                """, arguments: [key]
        ).map { try normalized(decode(Flag.self, $0)) }
    }

    /// Every problem with `flag`'s prerequisites and with the flags that require it, against the
    /// stored flags; `overlay` holds flags written in the same change (an import), by key, and
    /// stands in for the stored ones. Paths are relative to `flag`. The one check of prerequisites
    /// across flags that every write of a flag goes through (``validate(_:_:prefix:cohorts:)``
    /// and imports).
    static func prerequisiteIssues(_ db: Database, _ flag: Flag, overlay: [String: Flag] = [:]) throws -> [ValidationIssue] {
        // Most flags neither have nor are prerequisites: then nothing is read but one query.
        var dependents = try self.dependents(db, of: flag.key).filter { overlay[$0.key] == nil }
        dependents += overlay.values.filter { other in
            other.environments.values.contains { $0.prerequisites.contains { $0.flag == flag.key } }
        }
        let requires = flag.environments.values.contains { !$0.prerequisites.isEmpty }
        guard requires || !dependents.isEmpty else { return [] }
        // Flags are read as the cycle search reaches them, each once.
        var cache: [String: Flag?] = [flag.key: flag]
        var failure: (any Error)?
        let issues = flag.prerequisiteIssues(among: { key in
            if let known = cache[key] { return known }
            let found: Flag?
            if let written = overlay[key] {
                found = written
            } else {
                do {
                    found = try self.flag(db, key)?.flag
                } catch {
                    failure = failure ?? error
                    found = nil
                }
            }
            cache[key] = found
            return found
        }, requiredBy: dependents)
        if let failure { throw failure }
        return issues
    }

    /// Refuses (conflict, even with `force`) to delete or archive flag `key` while flags that are
    /// not archived require it: they would serve their off variant to everyone from then on.
    static func checkNotRequired(_ db: Database, _ key: String, action: String) throws {
        var places: [(flag: String, environments: [String])] = []
        for dependent in try dependents(db, of: key) where dependent.key != key && !dependent.archived {
            let environments = dependent.environments.filter { $0.value.prerequisites.contains { $0.flag == key } }.keys.sorted()
            places.append((dependent.key, environments))
        }
        guard !places.isEmpty else { return }
        let named = places.map { "'\($0.flag)' (\($0.environments.joined(separator: ", ")))" }.joined(separator: ", ")
        // One place: the exact command; several: its shape.
        let command = places.count == 1 && places[0].environments.count == 1
            ? "clutch prerequisites remove \(places[0].flag) --requires \(key) --env \(places[0].environments[0])"
            : "clutch prerequisites remove FLAG --requires \(key) --env ENV"
        throw StoreError.conflict(
            "flag '\(key)' is a prerequisite of \(named): it cannot be \(action) while they require it. "
                + "Remove it from their prerequisites first (\(command))")
    }
}
