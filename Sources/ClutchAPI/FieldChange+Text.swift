import ClutchCore

extension FieldChange {
    /// The value before, as JSON text, or `(none)` when the field did not exist.
    public var beforeText: String { before.map(\.jsonText) ?? "(none)" }
    /// The value after, as JSON text, or `(none)` when the field no longer exists.
    public var afterText: String { after.map(\.jsonText) ?? "(none)" }
}
