import Foundation
import GRDB
import PostgresNIO

/// A statement with its parameters, written once for both databases:
///
/// ```swift
/// try await session.execute("UPDATE flag SET revision = \(number) WHERE key = \(key)")
/// let keys = try await session.values(String.self, "SELECT key FROM flag WHERE key IN (\(list: wanted))")
/// ```
///
/// Every interpolated value is a bound parameter, never text spliced into the statement: SQLite
/// sees `?`, PostgreSQL `$1`, `$2`… `\(raw:)` splices text, for what the store itself writes (a
/// column list, a dialect's fragment such as ``SQLDialect/forUpdate``), never for a value that
/// came from a caller.
public struct SQL: Sendable, ExpressibleByStringInterpolation {
    enum Part: Sendable {
        case text(String)
        case value(SQLValue)
    }

    var parts: [Part]

    public init(stringLiteral value: String) {
        parts = [.text(value)]
    }

    public init(stringInterpolation: StringInterpolation) {
        parts = stringInterpolation.parts
    }

    public struct StringInterpolation: StringInterpolationProtocol {
        var parts: [Part] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            parts.reserveCapacity(interpolationCount * 2 + 1)
        }

        public mutating func appendLiteral(_ literal: String) {
            parts.append(.text(literal))
        }

        /// A bound parameter (a `nil` is a NULL of the value's type).
        public mutating func appendInterpolation<Value: SQLBindable>(_ value: Value) {
            parts.append(.value(value.sqlValue))
        }

        /// A bound parameter, NULL when `nil`.
        public mutating func appendInterpolation<Value: SQLBindable>(_ value: Value?) {
            parts.append(.value(value.sqlValue))
        }

        /// Parameters separated by commas, for `IN (…)`; an empty list is `NULL`, which no
        /// `IN` matches.
        public mutating func appendInterpolation<Value: SQLBindable>(list values: some Sequence<Value>) {
            var first = true
            for value in values {
                if !first { parts.append(.text(", ")) }
                first = false
                parts.append(.value(value.sqlValue))
            }
            if first { parts.append(.text("NULL")) }
        }

        /// A list of strings as ONE parameter (``SQLValue/texts(_:)``), for the dialect's
        /// ``SQLDialect/textElements(_:)`` and ``SQLDialect/isElement(_:of:)`` only.
        mutating func appendInterpolation(texts values: [String]) {
            parts.append(.value(.texts(values)))
        }

        /// Text spliced as it is: only what the store writes itself, never a caller's value.
        public mutating func appendInterpolation(raw text: String) {
            parts.append(.text(text))
        }

        /// Another statement's text and parameters, in place.
        public mutating func appendInterpolation(_ fragment: SQL) {
            parts.append(contentsOf: fragment.parts)
        }
    }

    /// Appends `fragment`'s text and parameters: for a statement built row by row (a multi-row
    /// `VALUES`), which interpolating the statement into itself would copy at every row.
    mutating func append(_ fragment: SQL) {
        parts.append(contentsOf: fragment.parts)
    }

    /// The statement as SQLite takes it: `?` placeholders and GRDB's arguments.
    func sqlite() -> (sql: String, arguments: StatementArguments, count: Int) {
        var sql = ""
        var values: [DatabaseValue] = []
        for part in parts {
            switch part {
            case .text(let text): sql += text
            case .value(let value):
                sql += "?"
                values.append(value.databaseValue)
            }
        }
        return (sql, StatementArguments(values), values.count)
    }

    /// The statement as PostgreSQL takes it: `$n` placeholders and typed bindings.
    func postgres() -> PostgresQuery {
        var sql = ""
        var bindings = PostgresBindings()
        var count = 0
        for part in parts {
            switch part {
            case .text(let text): sql += text
            case .value(let value):
                count += 1
                sql += "$\(count)"
                value.bind(into: &bindings)
            }
        }
        return PostgresQuery(unsafeSQL: sql, binds: bindings)
    }
}

/// One parameter's value. Each case carries an optional: `nil` is a NULL of that type, since
/// PostgreSQL types a parameter by what is bound to it.
public enum SQLValue: Sendable, Hashable {
    case text(String?)
    case integer(Int64?)
    case real(Double?)
    case boolean(Bool?)
    case date(Date?)
    /// A list of strings as one parameter: a `TEXT[]` on PostgreSQL, a JSON array on SQLite
    /// (read there with `json_each`). Spliced only by ``SQLDialect``'s list fragments.
    case texts([String])

    /// SQLite's storage: dates as GRDB writes them (`yyyy-MM-dd HH:mm:ss.SSS`, UTC), so that
    /// rows written before and after compare and sort alike; booleans as 0 and 1.
    var databaseValue: DatabaseValue {
        switch self {
        case .text(let value): value?.databaseValue ?? .null
        case .integer(let value): value?.databaseValue ?? .null
        case .real(let value): value?.databaseValue ?? .null
        case .boolean(let value): value?.databaseValue ?? .null
        case .date(let value): value?.databaseValue ?? .null
        case .texts(let values): SQLValue.jsonArray(values).databaseValue
        }
    }

    func bind(into bindings: inout PostgresBindings) {
        switch self {
        case .text(let value): bindings.append(value)
        case .integer(let value): bindings.append(value)
        case .real(let value): bindings.append(value)
        case .boolean(let value): bindings.append(value)
        case .date(let value): bindings.append(value)
        case .texts(let values): bindings.append(values)
        }
    }

    /// `values` as a JSON array of strings (RFC 8259 escapes), without a failure path.
    static func jsonArray(_ values: [String]) -> String {
        var json = "["
        json.reserveCapacity(values.reduce(2) { $0 + $1.utf8.count + 3 })
        for (index, value) in values.enumerated() {
            if index > 0 { json += "," }
            json += "\""
            // Most members need no escape: appended whole.
            guard value.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) else {
                json += value
                json += "\""
                continue
            }
            for scalar in value.unicodeScalars {
                switch scalar {
                case "\"": json += "\\\""
                case "\\": json += "\\\\"
                case _ where scalar.value < 0x20: json += String(format: "\\u%04x", scalar.value)
                default: json.unicodeScalars.append(scalar)
                }
            }
            json += "\""
        }
        return json + "]"
    }
}

/// A Swift value that binds to a statement's parameter.
public protocol SQLBindable {
    var sqlValue: SQLValue { get }
    /// The NULL of this type.
    static var sqlNull: SQLValue { get }
}

extension String: SQLBindable {
    public var sqlValue: SQLValue { .text(self) }
    public static var sqlNull: SQLValue { .text(nil) }
}

extension Substring: SQLBindable {
    public var sqlValue: SQLValue { .text(String(self)) }
    public static var sqlNull: SQLValue { .text(nil) }
}

extension Int64: SQLBindable {
    public var sqlValue: SQLValue { .integer(self) }
    public static var sqlNull: SQLValue { .integer(nil) }
}

extension Int: SQLBindable {
    public var sqlValue: SQLValue { .integer(Int64(self)) }
    public static var sqlNull: SQLValue { .integer(nil) }
}

extension Double: SQLBindable {
    public var sqlValue: SQLValue { .real(self) }
    public static var sqlNull: SQLValue { .real(nil) }
}

extension Bool: SQLBindable {
    public var sqlValue: SQLValue { .boolean(self) }
    public static var sqlNull: SQLValue { .boolean(nil) }
}

extension Date: SQLBindable {
    public var sqlValue: SQLValue { .date(self) }
    public static var sqlNull: SQLValue { .date(nil) }
}

extension Optional: SQLBindable where Wrapped: SQLBindable {
    public var sqlValue: SQLValue { self?.sqlValue ?? Wrapped.sqlNull }
    public static var sqlNull: SQLValue { Wrapped.sqlNull }
}

/// What differs between the two databases' SQL, as fragments to splice with `\(raw:)`. Every
/// other piece of a statement is written once: both speak `INSERT … ON CONFLICT … DO UPDATE`,
/// `RETURNING`, `COALESCE`, recursive `WITH`.
public enum SQLDialect: Sendable {
    case sqlite
    case postgres

    /// Orders text by its bytes (UTF-8), as SQLite's default `BINARY` collation does; PostgreSQL's
    /// default collation follows the locale.
    public var byteOrder: String {
        switch self {
        case .sqlite: ""
        case .postgres: " COLLATE \"C\""
        }
    }

    /// The function answering where a text first occurs in another, `(haystack, needle)`, from 1,
    /// or 0 when it does not: a literal substring search, where `LIKE` would read wildcards.
    public var position: String {
        switch self {
        case .sqlite: "instr"
        case .postgres: "strpos"
        }
    }

    /// Locks the rows a `SELECT` read until the transaction ends (PostgreSQL); SQLite's one
    /// writer holds the whole database already.
    public var forUpdate: String {
        switch self {
        case .sqlite: ""
        case .postgres: " FOR UPDATE"
        }
    }

    /// Like ``forUpdate``, skipping rows another transaction holds: two replicas claiming work
    /// never both get a row and never wait for each other.
    public var forUpdateSkipLocked: String {
        switch self {
        case .sqlite: ""
        case .postgres: " FOR UPDATE SKIP LOCKED"
        }
    }

    /// Keeps the rows a `SELECT` read from changing until the transaction ends, without
    /// excluding other readers.
    public var forShare: String {
        switch self {
        case .sqlite: ""
        case .postgres: " FOR SHARE"
        }
    }

    /// `values` as a subquery of one column, `value`, bound as ONE parameter: a list of any
    /// length in one statement, for bulk member writes (`\(list:)` needs a parameter per
    /// element). PostgreSQL binds a `TEXT[]`; SQLite has no arrays and reads a JSON array.
    public func textElements(_ values: [String]) -> SQL {
        switch self {
        case .sqlite: "SELECT value FROM json_each(\(texts: values))"
        case .postgres: "SELECT unnest(CAST(\(texts: values) AS TEXT[])) AS value"
        }
    }

    /// Whether `column` is one of `values`, bound as ONE parameter, looked up by index. On
    /// PostgreSQL the array must be the parameter itself (`= ANY($1)`): planned as a constant,
    /// it is an index condition or a hashed test, where an array built by a subquery is searched
    /// element by element for every row (quadratic for a 100,000-member cohort).
    public func isElement(_ column: String, of values: [String]) -> SQL {
        switch self {
        case .sqlite: "\(raw: column) IN (SELECT value FROM json_each(\(texts: values)))"
        case .postgres: "\(raw: column) = ANY(CAST(\(texts: values) AS TEXT[]))"
        }
    }

    /// `a + b` for a stored count `a` and a non-negative addend `b` (columns or parameters),
    /// saturating at `limit` instead of overflowing (PostgreSQL raises on overflow; SQLite would
    /// turn the sum into a REAL). On SQLite a stored `a` that is not an integer is a count an old
    /// version let overflow into a REAL (an integer column keeps only those as REAL): it stays
    /// saturated.
    public func saturatingSum(_ a: String, _ b: String, limit: Int64 = Int64.max) -> String {
        switch self {
        case .sqlite:
            "(CASE WHEN typeof(\(a)) != 'integer' OR \(a) > \(limit) - \(b) THEN \(limit) ELSE \(a) + \(b) END)"
        case .postgres:
            "LEAST(\(a)::NUMERIC + \(b)::NUMERIC, \(limit))::BIGINT"
        }
    }

    /// The text of the top-level field `field` of the JSON text in `column` (NULL when absent).
    public func jsonText(_ column: String, field: String) -> String {
        switch self {
        case .sqlite: "json_extract(\(column), '$.\(field)')"
        case .postgres: "(CAST(\(column) AS JSONB) ->> '\(field)')"
        }
    }

    /// A `FROM` item named `t` with one column, `value`: the elements of the JSON text array
    /// `field` of `column`, as text (an absent field has none). Reads the row it follows.
    public func jsonElements(_ column: String, field: String) -> String {
        switch self {
        case .sqlite: "json_each(\(column), '$.\(field)') AS t"
        case .postgres: "jsonb_array_elements_text(CAST(\(column) AS JSONB) -> '\(field)') AS t(value)"
        }
    }

    /// Whether the value at `path` (object keys) in the JSON text in `column` is `true`: never
    /// NULL, so that `NOT` of it holds where the value is absent or `false`.
    public func isJSONTrue(_ column: String, path: [String]) -> SQL {
        switch self {
        case .sqlite:
            // Keys are quoted in the path (`$."environments"."production"`); one holding a quote matches nothing.
            let quoted = "$" + path.map { ".\"" + $0 + "\"" }.joined()
            return "(json_type(\(raw: column), \(quoted)) IS 'true')"
        case .postgres:
            return "COALESCE(CAST(\(raw: column) AS JSONB) #> CAST(\(texts: path) AS TEXT[]) = 'true'::JSONB, FALSE)"
        }
    }

    /// The greater of two values of one type (NOT NULL columns or parameters): SQLite's
    /// two-argument `MAX`, PostgreSQL's `GREATEST`.
    public func greatest(_ a: String, _ b: String) -> String {
        switch self {
        case .sqlite: "MAX(\(a), \(b))"
        case .postgres: "GREATEST(\(a), \(b))"
        }
    }
}
