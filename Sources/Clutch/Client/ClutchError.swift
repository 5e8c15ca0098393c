/// Why a client operation failed. Compare with the static members
/// (`error == .timedOut`); `message` carries the details.
public struct ClutchError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Kind: Sendable, Hashable {
        case timedOut, closed, unauthorized, httpStatus, invalidResponse, missedHeartbeat
    }

    private let kind: Kind
    /// What went wrong, for logs and people.
    public let message: String
    /// The HTTP status, for errors caused by one.
    public let status: Int?

    private init(_ kind: Kind, _ message: String, status: Int? = nil) {
        self.kind = kind
        self.message = message
        self.status = status
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

    static func status(_ code: Int, _ path: String) -> ClutchError {
        if code == 401 || code == 403 {
            return ClutchError(.unauthorized, "the server refused the SDK key (\(code) for \(path))", status: code)
        }
        return ClutchError(.httpStatus, "unexpected HTTP status \(code) for \(path)", status: code)
    }

    static func invalidResponse(_ message: String) -> ClutchError {
        ClutchError(.invalidResponse, message)
    }

    public static func == (lhs: ClutchError, rhs: ClutchError) -> Bool { lhs.kind == rhs.kind }
    public func hash(into hasher: inout Hasher) { hasher.combine(kind) }

    public var description: String { message }
}
