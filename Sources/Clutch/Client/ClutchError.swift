import ClutchAPI

/// Why a client operation failed. Compare with the static members
/// (`error == .timedOut`); `message` carries the details.
public struct ClutchError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Kind: Sendable, Hashable {
        case timedOut, closed, unauthorized, httpStatus, invalidResponse, missedHeartbeat, wrongKeyKind
    }

    private let kind: Kind
    /// What went wrong, for logs and people.
    public let message: String
    /// The HTTP status, for errors caused by one.
    public let status: Int?
    /// How long the server asked us to wait (`Retry-After` of a 429 or 503), if it said.
    let retryAfter: Duration?

    private init(_ kind: Kind, _ message: String, status: Int? = nil, retryAfter: Duration? = nil) {
        self.kind = kind
        self.message = message
        self.status = status
        self.retryAfter = retryAfter
    }

    /// A wait ended before the client had flags to serve.
    public static let timedOut = ClutchError(.timedOut, "timed out waiting for flags")
    /// The client was closed.
    public static let closed = ClutchError(.closed, "the client is closed")
    /// The server refused the SDK key (401 or 403).
    public static let unauthorized = ClutchError(.unauthorized, "the server refused the SDK key")
    /// The server answered with an unexpected status.
    public static let httpStatus = ClutchError(.httpStatus, "unexpected HTTP status")
    /// The server's answer could not be read.
    public static let invalidResponse = ClutchError(.invalidResponse, "invalid response")
    /// The live stream delivered nothing for longer than the heartbeat timeout.
    public static let missedHeartbeat = ClutchError(.missedHeartbeat, "no heartbeat from the server")

    /// The key does not fit the mode: local mode needs a server key, device mode a client key.
    /// The client refuses it at start, before anything is sent.
    public static let wrongKeyKind = ClutchError(.wrongKeyKind, "the key is of the wrong kind for this mode")

    static func status(_ code: Int, _ path: String, retryAfter: Duration? = nil) -> ClutchError {
        if code == 401 || code == 403 {
            return ClutchError(.unauthorized, "the server refused the SDK key (\(code) for \(path))", status: code)
        }
        return ClutchError(.httpStatus, "unexpected HTTP status \(code) for \(path)", status: code, retryAfter: retryAfter)
    }

    /// Refuses the configured key for `mode`, naming the kind of key the mode needs.
    static func wrongKeyKind(for mode: ClutchConfiguration.Mode) -> ClutchError {
        let server = SDKKeyKind.server.prefix
        let client = SDKKeyKind.client.prefix
        let message = switch mode {
        case .local:
            "local mode needs a server key (\(server)…), not a client key (\(client)…): a client key cannot download "
                + "the environment; use mode .device(context) in an app on a device, or a server key in a service"
        case .device:
            "device mode needs a client key (\(client)…), not a server key (\(server)…): a server key is a secret "
                + "and must not ship inside an app; create a client key with `clutch keys create --env ENV --kind client`"
        }
        return ClutchError(.wrongKeyKind, message)
    }

    static func invalidResponse(_ message: String) -> ClutchError {
        ClutchError(.invalidResponse, message)
    }

    public static func == (lhs: ClutchError, rhs: ClutchError) -> Bool { lhs.kind == rhs.kind }
    public func hash(into hasher: inout Hasher) { hasher.combine(kind) }

    public var description: String { message }
}
