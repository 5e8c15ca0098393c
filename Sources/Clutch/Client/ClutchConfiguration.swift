import AsyncHTTPClient
import ClutchAPI
import Foundation
import Logging

/// How a ``ClutchClient`` reaches the server and behaves while it cannot.
public struct ClutchConfiguration: Sendable {
    /// Where flags are evaluated.
    public enum Mode: Sendable, Hashable {
        /// Download the environment's snapshot and evaluate every context in-process. Needs a
        /// server key (`clutch_sdk_…`), a secret: for services, never for apps on devices.
        case local
        /// An app on a device: one person's answers, evaluated by the server and pushed over
        /// the client stream (`/sdk/v1/client/stream`), with a client key (`clutch_client_…`,
        /// public). The app never holds a rule, a target or a cohort member; the `context`
        /// argument of evaluations is ignored (``ClutchClient/setContext(_:)`` switches the
        /// person). The last answers are kept on disk per person and served with reason
        /// `CACHED` when the app starts without the server.
        case device(EvaluationContext)
    }

    /// The kind of key `mode` needs.
    static func keyKind(for mode: Mode) -> SDKKeyKind {
        switch mode {
        case .local: .server
        case .device: .client
        }
    }

    /// The Clutch server, for example `http://127.0.0.1:8080`.
    public var serverURL: URL
    /// The key: a server key (`clutch_sdk_…`) in local mode, a client key (`clutch_client_…`)
    /// in device mode; it decides the environment. Never logged.
    public var sdkKey: String
    public var mode: Mode
    /// Where the last good snapshot (local mode) or the last answers per person (device
    /// mode) are kept so that a start without the server still serves flags; `nil` keeps
    /// nothing on disk. Defaults to `clutch` in the user's caches directory.
    public var cacheDirectory: URL?
    /// A snapshot to serve until the server (or the cache, when newer) provides one, for
    /// example from a file shipped with a service (local mode; device mode never holds one).
    public var bootstrap: Snapshot?
    /// How often `/sdk/v1/flags` (local mode) or OFREP bulk evaluation (device mode) is
    /// polled while the live stream is down.
    public var pollingInterval: Duration
    /// How often evaluation counts are sent to the server; `.zero` turns counting off.
    public var usageInterval: Duration
    /// A stream that delivers no bytes for this long is treated as dead (the server sends a
    /// heartbeat at least every 15 seconds).
    public var heartbeatTimeout: Duration
    /// Delays between reconnection attempts.
    public var reconnectBackoff: Backoff
    /// The limit for one ordinary request (snapshot, OFREP, usage).
    public var requestTimeout: Duration
    /// Where the client logs; the SDK never creates a global logger.
    public var logger: Logger
    /// The application's own HTTP client, to share its connection pool and event loops. The
    /// application shuts it down, after closing the Clutch client. `nil` (the default): the
    /// Clutch client makes one and shuts it down when it closes.
    public var httpClient: HTTPClient?

    public init(
        serverURL: URL,
        sdkKey: String,
        mode: Mode = .local,
        cacheDirectory: URL? = ClutchConfiguration.defaultCacheDirectory,
        bootstrap: Snapshot? = nil,
        pollingInterval: Duration = .seconds(30),
        usageInterval: Duration = .seconds(60),
        heartbeatTimeout: Duration = .seconds(35),
        reconnectBackoff: Backoff = Backoff(),
        requestTimeout: Duration = .seconds(10),
        logger: Logger,
        httpClient: HTTPClient? = nil
    ) {
        self.serverURL = serverURL
        self.sdkKey = sdkKey
        self.mode = mode
        self.cacheDirectory = cacheDirectory
        self.bootstrap = bootstrap
        self.pollingInterval = pollingInterval
        self.usageInterval = usageInterval
        self.heartbeatTimeout = heartbeatTimeout
        self.reconnectBackoff = reconnectBackoff
        self.requestTimeout = requestTimeout
        self.logger = logger
        self.httpClient = httpClient
    }

    /// `clutch` inside the user's caches directory, when the platform has one.
    public static var defaultCacheDirectory: URL? {
        FileManager.default.urls(for: .cachesDirectory, in: .userDomainMask).first?
            .appendingPathComponent("clutch", isDirectory: true)
    }
}

extension SDKKeyKind {
    /// The kind `key`'s prefix names; `nil` for a key of neither form (left to the server to judge).
    init?(key: String) {
        guard let kind = Self.allCases.first(where: { key.hasPrefix($0.prefix) }) else { return nil }
        self = kind
    }
}
