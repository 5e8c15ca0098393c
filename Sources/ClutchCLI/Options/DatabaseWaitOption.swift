import ArgumentParser
import ClutchStore
import Foundation

/// `--db-connect-timeout SECONDS` or `CLUTCH_DB_CONNECT_TIMEOUT`: how long `serve` and `migrate`
/// wait for a PostgreSQL database that cannot be reached before they fail (default 10).
struct DatabaseWaitOption: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Seconds to wait for an unreachable PostgreSQL database before failing (or CLUTCH_DB_CONNECT_TIMEOUT; default 10).",
        valueName: "seconds"))
    var dbConnectTimeout: Double?

    /// The timeout given, else the default; a usage error when it is not a number in (0, 3600].
    func timeout(_ environment: [String: String]) throws -> Duration {
        let seconds: Double
        if let dbConnectTimeout {
            seconds = dbConnectTimeout
        } else if let text = environment["CLUTCH_DB_CONNECT_TIMEOUT"], !text.isEmpty {
            guard let parsed = Double(text) else {
                throw CLIError.usage("CLUTCH_DB_CONNECT_TIMEOUT must be a number of seconds, got '\(text)'")
            }
            seconds = parsed
        } else {
            return PostgresStore.defaultConnectTimeout
        }
        guard seconds > 0, seconds <= 3600 else {
            throw CLIError.usage("--db-connect-timeout must be more than 0 and at most 3600 seconds, got \(seconds)")
        }
        return .milliseconds(Int64(seconds * 1000))
    }
}
