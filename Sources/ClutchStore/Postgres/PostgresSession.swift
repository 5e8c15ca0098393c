import Foundation
import Logging
import PostgresNIO

/// One connection inside one transaction, with the logger its queries log to: what the
/// PostgreSQL store's row helpers (``PostgresTables``) run on, as GRDB's `Database` is for SQLite.
struct PostgresSession: Sendable {
    let connection: PostgresConnection
    let logger: Logger
    /// What the transaction queued for the background runners, announced after it commits.
    var queuedWork = QueuedWork()

    /// Runs a statement and drops its rows.
    func execute(_ query: PostgresQuery) async throws {
        try await connection.query(query, logger: logger)
    }

    /// Every row, by column name.
    func rows(_ query: PostgresQuery) async throws -> [PostgresRandomAccessRow] {
        var rows: [PostgresRandomAccessRow] = []
        for try await row in try await connection.query(query, logger: logger) {
            rows.append(row.makeRandomAccess())
        }
        return rows
    }

    /// The first row, or `nil`.
    func row(_ query: PostgresQuery) async throws -> PostgresRandomAccessRow? {
        try await rows(query).first
    }

    /// The first column of every row (NULLs left out).
    func values<T: PostgresDecodable>(_ type: T.Type, _ query: PostgresQuery) async throws -> [T] {
        var values: [T] = []
        for try await row in try await connection.query(query, logger: logger) {
            let cell = row.makeRandomAccess()[0]
            if cell.bytes != nil { values.append(try cell.decode(T.self)) }
        }
        return values
    }

    /// The first column of the first row, or `nil` (no row, or NULL).
    func value<T: PostgresDecodable>(_ type: T.Type, _ query: PostgresQuery) async throws -> T? {
        var found: T?
        var first = true
        for try await row in try await connection.query(query, logger: logger) where first {
            first = false
            let cell = row.makeRandomAccess()[0]
            if cell.bytes != nil { found = try cell.decode(T.self) }
        }
        return found
    }
}

extension PostgresRandomAccessRow {
    /// The column `name` decoded as `T`.
    func get<T: PostgresDecodable>(_ name: String, as type: T.Type = T.self) throws -> T {
        try self[name].decode(T.self)
    }
}
