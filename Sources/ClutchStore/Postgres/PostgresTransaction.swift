import Logging
import PostgresNIO

/// One transaction on one connection: `BEGIN`, the body, `COMMIT`; `ROLLBACK` when the body
/// throws, and the body's own error is rethrown (postgres-nio's `withTransaction` wraps it, which
/// would hide a ``StoreError`` from the caller).
enum PostgresTransaction {
    static func run<Result: Sendable>(
        _ connection: PostgresConnection, logger: Logger, _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await connection.query("BEGIN", logger: logger)
        let result: Result
        do {
            result = try await body(connection)
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
        try await connection.query("COMMIT", logger: logger)
        return result
    }
}
