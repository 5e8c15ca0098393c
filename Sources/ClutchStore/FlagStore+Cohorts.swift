import ClutchCore
import Foundation
import GRDB

extension FlagStore {
    /// Transition, for the scheduler's SQLite code until it is written once: the write of
    /// ``SQLStore/applyMembers(_:cohort:environment:change:)`` inside a GRDB transaction.
    /// ``Rows/applyMembers(_:_:cohort:environment:change:)`` is the one to call from unified code.
    static func commitMembers(
        _ db: Database, _ requested: MemberChange, cohort key: String, environment: String, change: ChangeInfo
    ) throws -> Change<MembershipResult> {
        try Tables.requireEnvironment(db, environment)
        guard let old = try Tables.cohortDefinition(db, key, environment: environment) else {
            throw StoreError.notFound("cohort '\(key)' does not exist in environment '\(environment)'")
        }
        let written = try Tables.commitMembers(db, old, change: requested, change: change)
        let record = try Tables.cohortDefinition(db, key, environment: environment) ?? old
        let answer = MembershipResult(
            cohort: key, environment: environment, revision: record.revision,
            size: try Tables.memberCount(db, key, environment: environment),
            added: written?.0.added ?? [], removed: written?.0.removed ?? [],
            updatedAt: record.updatedAt, updatedBy: record.updatedBy)
        return (written?.1 ?? Change(value: (), versions: [:])).with(answer)
    }
}
