import Foundation
import GRDB
import PostgresNIO

/// One row a statement answered, read by column name the same way on both databases.
///
/// Sendable: a SQLite row here comes from `Row.fetchAll`, a copy owning its values (GRDB's
/// non-Sendable rows are the ones a cursor reuses), and PostgreSQL's rows are Sendable.
public struct SQLRow: @unchecked Sendable {
    enum Storage {
        case sqlite(Row)
        case postgres(PostgresRandomAccessRow)
    }

    let storage: Storage

    /// The column `name` as `T`; a column that is missing or does not decode as `T` throws
    /// ``SQLDecodingError`` naming it.
    public func get<T: SQLColumn>(_ name: String, as type: T.Type = T.self) throws -> T {
        switch storage {
        case .sqlite(let row):
            guard row.hasColumn(name) else { throw SQLDecodingError(column: name, type: T.self, reason: "no such column") }
            return try T.decode(.sqlite(row[name] as DatabaseValue), column: name)
        case .postgres(let row):
            guard row.contains(name) else { throw SQLDecodingError(column: name, type: T.self, reason: "no such column") }
            return try T.decode(.postgres(row[name]), column: name)
        }
    }

    /// The column at `index` (from 0) as `T`.
    public func get<T: SQLColumn>(at index: Int, as type: T.Type = T.self) throws -> T {
        switch storage {
        case .sqlite(let row):
            guard index < row.count else { throw SQLDecodingError(column: "#\(index)", type: T.self, reason: "no such column") }
            return try T.decode(.sqlite(row[index] as DatabaseValue), column: "#\(index)")
        case .postgres(let row):
            guard index < row.count else { throw SQLDecodingError(column: "#\(index)", type: T.self, reason: "no such column") }
            return try T.decode(.postgres(row[index]), column: "#\(index)")
        }
    }

    /// Whether the column `name` is NULL (or missing).
    public func isNull(_ name: String) -> Bool {
        switch storage {
        case .sqlite(let row): return !row.hasColumn(name) || (row[name] as DatabaseValue).isNull
        case .postgres(let row): return !row.contains(name) || row[name].bytes == nil
        }
    }

    /// The stored value of an integer column that SQLite may hold as another storage class
    /// (usage counts written by old versions as REAL): read as well as it can be, saturating,
    /// never an error. PostgreSQL's columns are typed, and it reads as ``get(_:as:)``.
    public func lenientCount(_ name: String) -> Int64 {
        switch storage {
        case .sqlite(let row): return UsageArithmetic.count(from: row[name] as DatabaseValue)
        case .postgres: return (try? get(name, as: Int64.self)) ?? 0
        }
    }
}

/// One column's stored value, as each database hands it over.
public enum SQLCell {
    case sqlite(DatabaseValue)
    case postgres(PostgresCell)

    var isNull: Bool {
        switch self {
        case .sqlite(let value): value.isNull
        case .postgres(let cell): cell.bytes == nil
        }
    }
}

/// A Swift value read from a column. The stored types match on both databases (text, 64-bit
/// integers, reals, booleans, timestamps: `TIMESTAMPTZ` in PostgreSQL, GRDB's text in SQLite).
public protocol SQLColumn {
    static func decode(_ cell: SQLCell, column: String) throws -> Self
}

extension SQLColumn where Self: DatabaseValueConvertible & PostgresDecodable {
    public static func decode(_ cell: SQLCell, column: String) throws -> Self {
        switch cell {
        case .sqlite(let value):
            guard let decoded = Self.fromDatabaseValue(value) else {
                throw SQLDecodingError(column: column, type: Self.self, reason: value.isNull ? "NULL" : "\(value)")
            }
            return decoded
        case .postgres(let cell):
            do {
                return try cell.decode(Self.self)
            } catch {
                throw SQLDecodingError(column: column, type: Self.self, reason: "\(error)")
            }
        }
    }
}

extension String: SQLColumn {}
extension Int64: SQLColumn {}
extension Int: SQLColumn {}
extension Double: SQLColumn {}
extension Bool: SQLColumn {}
extension Date: SQLColumn {}

extension Optional: SQLColumn where Wrapped: SQLColumn {
    public static func decode(_ cell: SQLCell, column: String) throws -> Self {
        cell.isNull ? nil : try Wrapped.decode(cell, column: column)
    }
}

/// A column that is missing or does not hold what the store expects: a database written by
/// something else, never a caller's input.
public struct SQLDecodingError: Error, CustomStringConvertible {
    public let column: String
    public let type: String
    public let reason: String

    init(column: String, type: Any.Type, reason: String) {
        self.column = column
        self.type = "\(type)"
        self.reason = reason
    }

    public var description: String { "column '\(column)' does not decode as \(type): \(reason)" }
}
