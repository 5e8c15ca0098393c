import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO

/// The first connection a start (`clutch serve`, `clutch migrate`) makes: it retries while the
/// database cannot be reached, but only for a bounded time, then fails with one line naming
/// `host:port` and why (never the password). A database that is down at start is an error to
/// report, not something to wait for in silence; once the server runs, losing the database is
/// handled per request (``StoreUnavailableError``).
enum PostgresConnector {
    /// How long a start waits for the database unless told otherwise.
    static let defaultTimeout: Duration = .seconds(10)
    /// The longest one attempt may take (TCP, TLS and sign-in), so a later attempt still fits.
    private static let attemptTimeout: Duration = .seconds(5)
    /// The pause between two attempts.
    private static let retryPause: Duration = .milliseconds(250)
    private static let noAttempt = "no attempt was made"
    private static let timedOut = "no answer from a PostgreSQL server (timed out)"

    /// A connection to `address` within `timeout`, or ``PostgresStoreError`` saying why not.
    /// A refusal by the server itself (wrong password, no such database) fails at once: waiting
    /// would not change it.
    static func connect(_ address: PostgresAddress, within timeout: Duration, logger: Logger) async throws -> PostgresConnection {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var configuration = try PostgresStore.connectionConfiguration(address)
        var lastCause = noAttempt
        while true {
            let remaining = deadline - clock.now
            if remaining <= .zero { break }
            configuration.options.connectTimeout = TimeAmount(min(remaining, attemptTimeout))
            do {
                return try await PostgresConnection.connect(
                    configuration: configuration, id: Int.random(in: 1...Int(Int32.max)), logger: logger)
            } catch let error as CancellationError {
                throw error
            } catch {
                let attemptCause = cause(of: error)
                // The last attempt may be cut short by the deadline (its connect timeout is what
                // remains): its "timed out" says less than an earlier attempt's answer
                // ("connection refused"), which is then kept as the cause.
                if attemptCause != timedOut || lastCause == noAttempt { lastCause = attemptCause }
                if isRefusalBySignIn(error) {
                    throw PostgresStoreError("PostgreSQL at \(address.host):\(address.port) refused the connection: \(lastCause)")
                }
                logger.debug("database not reachable yet", metadata: ["database": "\(address)", "cause": "\(lastCause)"])
            }
            if deadline - clock.now <= retryPause { break }
            try await Task.sleep(for: retryPause)
        }
        throw PostgresStoreError(
            "cannot reach PostgreSQL at \(address.host):\(address.port) within \(seconds(timeout)): \(lastCause)")
    }

    /// Whether the server answered and refused (authentication, authorization, unknown
    /// database: SQLSTATE class 28 or 3D), or offers no TLS where `sslmode=require` needs it.
    private static func isRefusalBySignIn(_ error: any Error) -> Bool {
        guard let error = error as? PSQLError else { return false }
        if error.code == .sslUnsupported { return true }
        guard let state = error.serverInfo?[.sqlState] else { return false }
        return state.hasPrefix("28") || state.hasPrefix("3D")
    }

    /// Why a connection attempt failed, in a few words. `PSQLError` hides its details from
    /// `description` (they may hold what the server said about the query); here only the
    /// server's message for a sign-in or the socket's error is shown, never the password.
    static func cause(of error: any Error) -> String {
        switch error {
        case let error as PSQLError:
            if error.code == .sslUnsupported {
                // Off loopback sslmode defaults to require (PostgresAddress.defaultSSLMode).
                return "the server offers no TLS and sslmode is require (add ?sslmode=disable to the URL to connect without)"
            }
            if let message = error.serverInfo?[.message] {
                let state = error.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
                return message + state
            }
            if let underlying = error.underlying { return cause(of: underlying) }
            return "\(error.code)"
        case let error as ChannelError:
            if case .connectTimeout = error { return timedOut }
            return "\(error)"
        case let error as NIOConnectionError:
            if let first = error.connectionErrors.first { return cause(of: first.error) }
            if error.dnsAError != nil || error.dnsAAAAError != nil { return "cannot resolve the host name \(error.host)" }
            return "cannot connect"
        case let error as IOError:
            return String(cString: strerror(error.errnoCode)).lowercased()
        default:
            return "\(error)"
        }
    }

    /// `10 s`, `2.5 s`.
    private static func seconds(_ duration: Duration) -> String {
        let value = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
    }
}
