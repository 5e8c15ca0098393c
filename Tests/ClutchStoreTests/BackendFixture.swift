import ClutchStore
import Foundation
import GRDB
import Logging
import PostgresTestSupport
import Synchronization
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
    /// The PostgreSQL database's URL.
    private let url: String?
    /// The stores ``another()`` opened, closed with the fixture.
    private let others = Mutex<[any ClutchStoring]>([])

    init(_ backend: StoreBackend) async throws {
        switch backend {
        case .sqlite:
            let fixture = try StoreFixture()
            sqlite = fixture
            url = nil
            store = fixture.store
        case .postgres:
            sqlite = nil
            let url = try await TestPostgres.database()
            self.url = url
            store = try await PostgresStore.open(
                try PostgresAddress(url: url), secretKeyPath: Self.secretKeyPath(url), logger: StoreFixture.logger)
        }
    }

    /// The webhook secret key file of the PostgreSQL database at `url`, shared by every store
    /// opened on it (as replicas share one `--secret-key-file`).
    static func secretKeyPath(_ url: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("clutch-store-\(url.split(separator: "/").last ?? "db").key").path
    }

    /// The PostgreSQL database's URL (`nil` on SQLite).
    var postgresURL: String? { url }

    /// The SQLite file (`nil` on PostgreSQL).
    var sqlitePath: String? { sqlite?.path }

    /// A second store on the same database, as another server replica (PostgreSQL) or another
    /// connection pool in this process (SQLite) would open it.
    func another() async throws -> any ClutchStoring {
        let store: any ClutchStoring
        if let url {
            store = try await PostgresStore.open(
                try PostgresAddress(url: url), secretKeyPath: Self.secretKeyPath(url), logger: StoreFixture.logger)
        } else if let sqlite {
            store = try sqlite.reopen()
        } else {
            throw StoreError(.badRequest, "no database")
        }
        others.withLock { $0.append(store) }
        return store
    }

    /// Runs `sql` on the database itself, beside the store (to leave rows as an older version wrote them).
    func execute(_ sql: String) async throws {
        if let url {
            let name = String(url.split(separator: "/").last?.split(separator: "?").first ?? "")
            try await TestPostgres.server().psql(sql, database: name)
        } else if let sqlite {
            let queue = try DatabaseQueue(path: sqlite.path)
            defer { try? queue.close() }
            try await queue.write { db in try db.execute(sql: sql) }
        }
    }

    deinit {
        for other in others.withLock({ $0 }) { try? other.close() }
        if sqlite == nil { try? store.close() }
    }
}
