import ClutchCore
import ClutchStore
import Foundation
import PostgresTestSupport
import Testing

/// PostgreSQL schema migrations: replicas starting together migrate once (advisory lock), a
/// dry run changes nothing, and a database migrated by a newer, incompatible release is refused
/// with a message naming both versions.
@Suite("PostgreSQL migrations")
struct PostgresMigrationTests {
    @Test func dryRunListsAndChangesNothingThenMigrationRunsOnce() async throws {
        let address = try PostgresAddress(url: try await TestPostgres.database())
        let dry = try await PostgresStore.migrate(address, dryRun: true, logger: StoreFixture.logger)
        #expect(dry.from == 0)
        #expect(dry.migrations == ["v1-core", "v2-automation", "v3-usage-hourly", "v4-release-baseline", "v5-sealed-webhook-secrets", "v6-flag-requires", "v7-release-reporters", "v8-people", "v9-key-kinds", "v10-lifecycle", "v11-code-refs", "v12-release-author", "v13-change-requests", "v14-blocks", "v15-seen-attributes", "v16-usage-variants", "v18-cohort-requests"])
        #expect(dry.to == 0, "a dry run applies nothing")
        #expect(try await PostgresStore.migrate(address, dryRun: true, logger: StoreFixture.logger).migrations == ["v1-core", "v2-automation", "v3-usage-hourly", "v4-release-baseline", "v5-sealed-webhook-secrets", "v6-flag-requires", "v7-release-reporters", "v8-people", "v9-key-kinds", "v10-lifecycle", "v11-code-refs", "v12-release-author", "v13-change-requests", "v14-blocks", "v15-seen-attributes", "v16-usage-variants", "v18-cohort-requests"])

        // Four replicas start at once: each opens, one migrates, the others find nothing to do.
        let stores = try await withThrowingTaskGroup(of: PostgresStore.self) { group in
            for _ in 0..<4 { group.addTask { try await PostgresStore.open(address, logger: StoreFixture.logger) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        defer { for store in stores { try? store.close() } }
        #expect(try await stores[0].environments().map(\.key) == ["development", "production", "staging"], "created once")
        let again = try await PostgresStore.migrate(address, dryRun: false, logger: StoreFixture.logger)
        #expect(again.migrations.isEmpty)
        #expect(again.from == PostgresStore.schemaVersion)
    }

    @Test func aNewerIncompatibleSchemaIsRefusedNamingBothVersions() async throws {
        let url = try await TestPostgres.database()
        let address = try PostgresAddress(url: url)
        try await PostgresStore.open(address, logger: StoreFixture.logger).close()
        let next = PostgresStore.schemaVersion + 1
        // A later release's migration that this one cannot run beside.
        try await TestPostgres.server().psql(
            "INSERT INTO clutch_schema (version, name, compatible_from) VALUES (\(next), 'v\(next)-future', \(next))",
            database: String(url.split(separator: "/").last?.split(separator: "?").first ?? ""))
        let error = await #expect(throws: PostgresStoreError.self) { try await PostgresStore.open(address, logger: StoreFixture.logger) }
        #expect(error?.description.contains("version \(next)") == true, "\(String(describing: error))")
        #expect(error?.description.contains("(\(PostgresStore.schemaVersion))") == true, "\(String(describing: error))")
    }

    /// Only the newest row of `clutch_schema` is read, so each row carries the strictest
    /// requirement of every migration up to it: a migration that only adds a table cannot let a
    /// server that an earlier migration shut out start again.
    @Test func eachAppliedMigrationKeepsTheStrictestRequirementSoFar() async throws {
        let url = try await TestPostgres.database()
        let address = try PostgresAddress(url: url)
        // Every migration this build knows (their versions need not be contiguous on a branch).
        let known = try await PostgresStore.migrate(address, dryRun: true, logger: StoreFixture.logger).migrations.count
        try await PostgresStore.open(address, logger: StoreFixture.logger).close()
        let output = try await TestPostgres.server().psql(
            "SELECT compatible_from FROM clutch_schema ORDER BY version",
            database: String(url.split(separator: "/").last?.split(separator: "?").first ?? ""))
        let requirements = output.split(whereSeparator: \.isNewline).compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        #expect(requirements.count == known, "\(output)")
        #expect(requirements == requirements.sorted(), "\(requirements)")
        #expect(requirements.last ?? 0 > 1, "a later migration shut out the first servers: \(requirements)")
    }

    @Test func aNewerCompatibleSchemaIsAccepted() async throws {
        let url = try await TestPostgres.database()
        let address = try PostgresAddress(url: url)
        try await PostgresStore.open(address, logger: StoreFixture.logger).close()
        let next = PostgresStore.schemaVersion + 1
        // Expand only: this release still works against it.
        try await TestPostgres.server().psql(
            "INSERT INTO clutch_schema (version, name, compatible_from) VALUES (\(next), 'v\(next)-expand', \(PostgresStore.schemaVersion))",
            database: String(url.split(separator: "/").last?.split(separator: "?").first ?? ""))
        let store = try await PostgresStore.open(address, logger: StoreFixture.logger)
        defer { try? store.close() }
        #expect(try await store.environments().count == 3)
    }

    @Test(arguments: [
        ("postgres://alice:s%40cret@db.example:6543/flags?sslmode=disable", "alice", "s@cret", "db.example", 6543, "flags", "disable"),
        ("postgresql://bob@10.0.0.5/clutch", "bob", nil, "10.0.0.5", 5432, "clutch", "require"),
    ] as [(String, String, String?, String, Int, String, String)])
    func addressesParse(_ url: String, _ user: String, _ password: String?, _ host: String, _ port: Int, _ database: String, _ ssl: String) throws {
        let address = try PostgresAddress(url: url, environment: [:])
        #expect(address == PostgresAddress(host: host, port: port, username: user, password: password, database: database, sslMode: ssl))
        #expect(!address.description.contains("cret"), "the password never shows")
    }

    /// Off loopback `prefer` would let anyone on the path answer "no TLS" and read the password:
    /// TLS is required there unless the URL (or `PGSSLMODE`) names a mode; loopback keeps `prefer`.
    @Test(arguments: [
        ("postgres://bob@10.0.0.5/clutch", [:], "require"),
        ("postgres://bob@db.example:6543/clutch", [:], "require"),
        ("postgres://bob@[2001:db8::1]/clutch", [:], "require"),
        ("postgres://bob@128.0.0.1/clutch", [:], "require"),
        ("postgres://bob@db.example/clutch?sslmode=prefer", [:], "prefer"),
        ("postgres://bob@db.example/clutch?sslmode=disable", [:], "disable"),
        ("postgres://bob@db.example/clutch", ["PGSSLMODE": "prefer"], "prefer"),
        ("postgres://bob@127.0.0.1/clutch", [:], "prefer"),
        ("postgres://bob@127.8.9.10/clutch", [:], "prefer"),
        ("postgres://bob@localhost/clutch", [:], "prefer"),
        ("postgres://bob@[::1]:5433/clutch", [:], "prefer"),
        ("postgres://bob@/clutch", [:], "prefer"),
    ] as [(String, [String: String], String)])
    func anAddressOffLoopbackRequiresTLSUnlessTheURLNamesAMode(_ url: String, _ environment: [String: String], _ mode: String) throws {
        #expect(try PostgresAddress(url: url, environment: environment).sslMode == mode)
    }

    /// `require` is kept, not downgraded: against a server without TLS (the test server has none)
    /// the start fails at once, saying so and how to connect without.
    @Test func requiredTLSIsNotDowngradedWhenTheServerOffersNone() async throws {
        let url = try await TestPostgres.database().replacingOccurrences(of: "sslmode=disable", with: "sslmode=require")
        let address = try PostgresAddress(url: url)
        #expect(address.sslMode == "require")
        let error = await #expect(throws: PostgresStoreError.self) {
            try await PostgresStore.open(address, connectTimeout: .seconds(30), logger: StoreFixture.logger)
        }
        #expect(error?.description.contains("offers no TLS") == true, "\(String(describing: error))")
        #expect(error?.description.contains("sslmode=disable") == true, "\(String(describing: error))")
    }

    /// The URL an error message quotes is often one that does not parse: the password goes all the same.
    @Test(arguments: [
        "postgres://clutch:hunter2@db.example/clutch",
        "postgres://clutch:hun ter2@db.example/clutch",
        "postgres://clutch:hunter2@db.example:54x2/clutch",
        "postgres://clutch:hunter2@@db.example:port/clutch",
        "postgresql://clutch:hunter2/x@db.example/clutch",
        "postgres://clutch@db.example/clutch?sslmode=require&password=hunter2",
        "postgres://clutch@db.example/clutch?PASSWORD=hunter2#x",
    ])
    func aRedactedURLHoldsNoPasswordEvenWhenItDoesNotParse(_ url: String) {
        let redacted = PostgresAddress.redacted(url)
        #expect(!redacted.contains("hunter2"), "\(redacted)")
        #expect(redacted.contains("clutch"), "\(redacted)")
        #expect(redacted.contains("***"), "\(redacted)")
    }

    @Test func anUnparsableURLIsRefusedWithoutItsPassword() {
        let error = #expect(throws: PostgresStoreError.self) {
            // A port that is not a number: the URL does not parse.
            try PostgresAddress(url: "postgres://clutch:hunter2@db.example:54x2/clutch", environment: [:])
        }
        #expect(error?.description.contains("'postgres://clutch:***@db.example:54x2/clutch' is not a postgres:// URL") == true, "\(String(describing: error))")
        #expect(error?.description.contains("hunter2") == false, "\(String(describing: error))")
    }

    @Test func missingPartsComeFromPGVariablesAndThePasswordFile() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("clutch-pw-\(UUID().uuidString)").path
        try "from-file\n".write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let address = try PostgresAddress(
            url: "postgres://", environment: ["PGHOST": "db", "PGPORT": "7000", "PGUSER": "carol", "PGDATABASE": "ff", "CLUTCH_DB_PASSWORD_FILE": file])
        #expect(address == PostgresAddress(host: "db", port: 7000, username: "carol", password: "from-file", database: "ff", sslMode: "require"))
        #expect(throws: PostgresStoreError.self) { try PostgresAddress(url: "postgres://db/x", environment: ["CLUTCH_DB_PASSWORD_FILE": "/nonexistent/pw", "PGUSER": "u"]) }
        #expect(PostgresAddress.redacted("postgres://u:hunter2@h/d").contains("hunter2") == false)
    }
}
