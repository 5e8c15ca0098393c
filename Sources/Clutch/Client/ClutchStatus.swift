/// The client's state, after OpenFeature's provider states.
public enum ClutchStatus: String, Sendable, Hashable, CustomStringConvertible {
    /// No flags yet: evaluations return the caller's default with `PROVIDER_NOT_READY`.
    case notReady = "NOT_READY"
    /// Flags are current: the live stream is connected (or the last poll succeeded).
    case ready = "READY"
    /// Flags are served but may be out of date: they came from the cache or the bootstrap
    /// snapshot, or the connection to the server is lost.
    case stale = "STALE"
    /// The server refused the SDK key. Flags already held are still served.
    case error = "ERROR"

    public var description: String { rawValue }
}
