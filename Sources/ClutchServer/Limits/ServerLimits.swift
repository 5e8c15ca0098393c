/// Limits that keep what any caller sends from stalling the server. SDK keys ship inside apps,
/// so the SDK routes assume an attacker holds one. README "Security" lists them with their
/// `clutch serve` options.
public struct ServerLimits: Sendable, Hashable {
    /// Usage reports a second per SDK key, on average (`--usage-rate`); 0 turns the limit off.
    public var usageReportsPerSecond: Double = 50
    /// Usage reports one SDK key may send in a burst.
    public var usageReportBurst: Int = 200
    /// How long usage reports are collected before they are written in one transaction.
    public var usageFlushInterval: Duration = .milliseconds(250)
    /// How long the attribute names contexts carry are collected before they are written
    /// (``AttributeRecorder``): the store sees at most one such write per interval.
    public var seenAttributeFlushInterval: Duration = .seconds(5)
    /// Whether the server records the attribute names contexts carry (on unless a benchmark compares).
    public var recordsSeenAttributes = true
    /// Open streams per SDK key (`--max-streams-per-key`); one more is answered 429.
    public var maxStreamsPerKey: Int = 2_000
    /// Client streams (`/sdk/v1/client/stream`) open at once (`--max-client-streams`); one more is
    /// answered 429. Client keys have no per-key cap: one key is shared by a whole fleet of apps.
    /// Each stream is also a connection (``maxConnections``).
    public var maxClientStreams: Int = 8_000
    /// Client streams from one source address (`--max-client-streams-per-address`); one more is
    /// answered 429. Devices behind one carrier's NAT share an address, so it is generous.
    public var maxClientStreamsPerAddress: Int = 500
    /// Events a stream may fall behind by before it is closed (the SDK reconnects and catches up).
    public var streamBacklog: Int = 256
    /// How long one write to a stream may wait for the client to read before the stream is closed.
    public var streamStallTimeout: Duration = .seconds(30)
    /// A connection that sends nothing for this long is closed, and so is one that has not sent
    /// a whole request head within it (`--idle-timeout`).
    public var idleTimeout: Duration = .seconds(60)
    /// How long a request may take to arrive whole, head and body, from its first byte
    /// (`--request-timeout`); then it is answered 408 and its connection closed. Body parts count as
    /// activity for the idle timeout, so without this a body sent a byte at a time never ends.
    /// A stream's request is whole at once: streams run as long as they like.
    public var requestTimeout: Duration = .seconds(30)
    /// Connections open at once, streams included (`--max-connections`); one more is answered 503
    /// with `Retry-After` and closed. Above ``maxStreamsPerKey``, so one key's streams never fill it.
    public var maxConnections: Int = 10_000
    /// On a shared database, how often at most an unknown credential makes the server read the
    /// credentials from the store (in case another replica created it a moment ago): unknown or
    /// made-up keys sent at any rate cost at most one read per interval, shared by all of them.
    public var unknownCredentialReloadInterval: Duration = .milliseconds(100)
    /// The largest import (`--max-import-size`): an export must be importable again.
    public var maxImportBytes: Int = 64 << 20

    public init() {}
}
