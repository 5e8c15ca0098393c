import ClutchCore
import Foundation

/// The data of the events a flag change queues in the webhook outbox (``Rows/recordEvent(_:type:data:at:)``).
extension Tables {
    /// The data of a `flag.changed` event.
    struct FlagChangedData: Encodable {
        var flag: String
        var revision: Int64
        var action: String
        var actor: String
        var message: String?
        var summary: String
        /// The environments whose state changed.
        var environments: [String]
        /// Whether the flag's definition (variants, description, …) changed.
        var definitionChanged: Bool
        var deleted: Bool
    }
}

extension FlagChangePlan {
    /// The data of the `flag.changed` event this change queues as revision `revision`.
    func changedEvent(key: String, revision: Int64, action: String, change: ChangeInfo) -> Tables.FlagChangedData {
        Tables.FlagChangedData(
            flag: key, revision: revision, action: action, actor: change.actor, message: change.message, summary: summary,
            environments: changedEnvironments, definitionChanged: definitionChanged, deleted: new == nil)
    }
}
