import Foundation
import PostgresNIO

/// Where a PostgreSQL database is and how to sign in: from a `postgres://` URL, filled in from
/// the usual `PG*` variables (`PGHOST`, `PGPORT`, `PGUSER`, `PGDATABASE`, `PGPASSWORD`) and a
/// password file (`CLUTCH_DB_PASSWORD_FILE`), so that the password need never be on a command
/// line. The URL wins over the variables; a password in the URL wins over the file.
public struct PostgresAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    /// `disable` (plain TCP), `prefer` (TLS when the server offers it) or `require`. From a URL:
    /// `require` unless the host is loopback (``defaultSSLMode(host:)``), or the URL or
    /// `PGSSLMODE` says otherwise.
    public var sslMode: String

    public init(host: String, port: Int, username: String, password: String?, database: String, sslMode: String = "prefer") {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.sslMode = sslMode
    }

    /// Whether `text` names a PostgreSQL database rather than a SQLite file.
    public static func isPostgres(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// Parses `postgres://[user[:password]@][host][:port][/database][?sslmode=…]`, taking what it
    /// leaves out from `environment`. Throws ``PostgresStoreError`` naming what is wrong.
    public init(url text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard Self.isPostgres(text), let components = URLComponents(string: text) else {
            throw PostgresStoreError("'\(Self.redacted(text))' is not a postgres:// URL")
        }
        func variable(_ name: String) -> String? {
            guard let value = environment[name], !value.isEmpty else { return nil }
            return value
        }
        let host = components.host.flatMap { $0.isEmpty ? nil : $0 } ?? variable("PGHOST") ?? "127.0.0.1"
        let port: Int
        if let explicit = components.port {
            port = explicit
        } else if let text = variable("PGPORT") {
            guard let parsed = Int(text) else { throw PostgresStoreError("PGPORT must be a port number, got '\(text)'") }
            port = parsed
        } else {
            port = 5432
        }
        guard (1...65535).contains(port) else { throw PostgresStoreError("the PostgreSQL port must be 1–65535, got \(port)") }
        guard let username = components.user.flatMap({ $0.isEmpty ? nil : $0.removingPercentEncoding })
            ?? variable("PGUSER") ?? variable("USER")
        else {
            throw PostgresStoreError("no PostgreSQL user: give it in the URL (postgres://user@host/db) or in PGUSER")
        }
        var password = components.password.flatMap { $0.removingPercentEncoding } ?? variable("PGPASSWORD")
        if password == nil, let file = variable("CLUTCH_DB_PASSWORD_FILE") {
            guard let contents = FileManager.default.contents(atPath: file) else {
                throw PostgresStoreError("cannot read the password file \(file) (CLUTCH_DB_PASSWORD_FILE)")
            }
            password = String(decoding: contents, as: UTF8.self).trimmingCharacters(in: .newlines)
        }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        let database = path.isEmpty ? (variable("PGDATABASE") ?? username) : (path.removingPercentEncoding ?? path)
        let sslMode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? variable("PGSSLMODE")
            ?? Self.defaultSSLMode(host: host)
        guard ["disable", "prefer", "require"].contains(sslMode) else {
            throw PostgresStoreError("sslmode must be disable, prefer or require, got '\(sslMode)'")
        }
        self.init(host: host, port: port, username: username, password: password, database: database, sslMode: sslMode)
    }

    /// The address without the password, for logs and messages.
    public var description: String {
        "postgres://\(username)@\(host.contains(":") ? "[\(host)]" : host):\(port)/\(database)"
    }

    /// The TLS mode when neither the URL nor `PGSSLMODE` names one: `prefer` on loopback, where
    /// nothing sits between the server and the database, `require` anywhere else, where `prefer`
    /// would let anyone on the path answer "no TLS" and read the password and every query.
    public static func defaultSSLMode(host: String) -> String {
        isLoopback(host) ? "prefer" : "require"
    }

    /// Whether `host` names this machine: `localhost`, 127.0.0.0/8 or `::1`.
    static func isLoopback(_ host: String) -> Bool {
        let name = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if name == "localhost" || name.hasSuffix(".localhost") { return true }
        if name == "::1" || name == "0:0:0:0:0:0:0:1" { return true }
        let octets = name.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    /// `text` with any password in it replaced by `***`: the user information's part after the
    /// first `:` and a `password=` query parameter. Works on the text itself, not on a parsed URL,
    /// because a URL that does not parse is exactly the one an error message quotes; when `@`
    /// appears more than once it redacts up to the last one (more than needed rather than less).
    public static func redacted(_ text: String) -> String {
        var result = text
        if let scheme = result.range(of: "://") {
            let rest = result[scheme.upperBound...]
            if let at = rest.lastIndex(of: "@"), let colon = rest[..<at].firstIndex(of: ":") {
                result.replaceSubrange(result.index(after: colon)..<at, with: "***")
            }
        }
        guard let question = result.firstIndex(of: "?") else { return result }
        let parameters = result[result.index(after: question)...].split(separator: "&", omittingEmptySubsequences: false).map {
            $0.lowercased().hasPrefix("password=") ? "password=***" : String($0)
        }
        return String(result[...question]) + parameters.joined(separator: "&")
    }
}
