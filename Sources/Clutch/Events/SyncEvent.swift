import Foundation

/// A change to the environment as `/sdk/v1/stream` sends it (see docs/api.md, "SDK sync").
enum SyncEvent: Sendable, Hashable {
    case snapshot(Snapshot)
    case flag(version: Int64, Flag)
    case flagDeleted(version: Int64, key: String)
    case cohort(version: Int64, Cohort)
    case cohortDeleted(version: Int64, key: String)
    /// Members added to and removed from a cohort; the rest of it is unchanged.
    case cohortMembers(version: Int64, key: String, MemberChange)

    private struct FlagChange: Decodable { var version: Int64; var flag: Flag }
    private struct CohortChange: Decodable { var version: Int64; var cohort: Cohort }
    private struct Deletion: Decodable { var version: Int64; var key: String }
    private struct Members: Decodable { var version: Int64; var cohort: String; var added: [String]; var removed: [String] }

    /// The change `event` carries; `nil` for event types this SDK does not know (newer
    /// servers may add some). Throws when a known event's data cannot be read.
    init?(_ event: ServerSentEvent) throws {
        let data = [UInt8](event.data.utf8)
        let decoder = ClutchJSONDecoder()
        switch event.type {
        case "snapshot":
            self = .snapshot(try decoder.decode(Snapshot.self, from: data))
        case "flag":
            let change = try decoder.decode(FlagChange.self, from: data)
            self = .flag(version: change.version, change.flag)
        case "flag-deleted":
            let deletion = try decoder.decode(Deletion.self, from: data)
            self = .flagDeleted(version: deletion.version, key: deletion.key)
        case "cohort":
            let change = try decoder.decode(CohortChange.self, from: data)
            self = .cohort(version: change.version, change.cohort)
        case "cohort-deleted":
            let deletion = try decoder.decode(Deletion.self, from: data)
            self = .cohortDeleted(version: deletion.version, key: deletion.key)
        case "cohort-members":
            let members = try decoder.decode(Members.self, from: data)
            self = .cohortMembers(version: members.version, key: members.cohort, MemberChange(added: members.added, removed: members.removed))
        default:
            return nil
        }
    }
}
