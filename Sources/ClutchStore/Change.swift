/// Who made a change and why; recorded in the revision and the audit event.
public struct ChangeInfo: Sendable, Hashable {
    /// The admin token's name (or `system` for changes the server makes itself).
    public var actor: String
    /// The optional `X-Clutch-Message`.
    public var message: String?

    public init(actor: String, message: String? = nil) {
        self.actor = actor
        self.message = message
    }
}

/// The result of a write: the value plus each environment whose snapshot changed, with its new
/// snapshot version (bumped in the same transaction). Empty `versions` means nothing changed.
public struct Change<Value: Sendable>: Sendable {
    public var value: Value
    /// Environment key → its snapshot version after the change.
    public var versions: [String: Int64]

    public init(value: Value, versions: [String: Int64]) {
        self.value = value
        self.versions = versions
    }
}
