import Testing

/// The databases a server test runs against: a SQLite file (the default) or a new database on
/// the test process's PostgreSQL server (``TestPostgres``), with the same expectations.
public enum ServerBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    public var testDescription: String { rawValue }
}
