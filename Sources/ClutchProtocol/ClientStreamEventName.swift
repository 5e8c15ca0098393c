/// The event names of the client stream (`/sdk/v1/client/stream`): written by the server's
/// `ClientValuesFormat`, read by the SDK's device mode (docs/openapi.json describes the events).
public enum ClientStreamEventName {
    /// Every answer for the stream's context: first, and whenever no delta can be sent.
    public static let values = "values"
    /// Only the answers that changed for the context, and the flags removed.
    public static let changed = "changed"
}
