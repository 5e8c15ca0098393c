import ClutchServer
import PostgresTestSupport
import Testing

/// The databases a server test runs against: a SQLite file (the default) or a new database on
/// the test process's PostgreSQL server (``TestPostgres``), with the same expectations.
enum ServerBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }
}

extension TestServer {
    /// ``with(configure:_:)`` on `backend`.
    static func with(
        _ backend: ServerBackend, configure: (inout ServerConfiguration) -> Void = { _ in }, _ body: (TestServer) async throws -> Void
    ) async throws {
        let url = backend == .postgres ? try await TestPostgres.database() : nil
        try await with(configure: { configuration in
            if let url { configuration.databasePath = url }
            configure(&configuration)
        }, body)
    }
}
