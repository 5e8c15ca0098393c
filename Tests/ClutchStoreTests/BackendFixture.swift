import ClutchStore
import Foundation
import Logging
import PostgresTestSupport
import Testing

/// The databases the store contract (``ClutchStoring``) is tested against: every test that
/// takes a `StoreBackend` argument runs once on each, with the same expectations.
enum StoreBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }
}

/// A fresh, empty store of `backend`: a SQLite file in a temporary directory, or a new
/// database on the test process's PostgreSQL server (``TestPostgres``).
final class BackendFixture: Sendable {
    let store: any ClutchStoring
    /// Keeps the SQLite file until the fixture goes away.
    private let sqlite: StoreFixture?

    init(_ backend: StoreBackend) async throws {
        switch backend {
        case .sqlite:
            let fixture = try StoreFixture()
            sqlite = fixture
            store = fixture.store
        case .postgres:
            sqlite = nil
            store = try await PostgresStore.open(try PostgresAddress(url: try TestPostgres.database()), logger: StoreFixture.logger)
        }
    }

    deinit {
        if sqlite == nil { try? store.close() }
    }
}
