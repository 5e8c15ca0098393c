import ClutchCore
import ClutchStore
import Foundation
import GRDB
import Testing

@Suite("Migrations and durability")
struct MigrationTests {
    @Test func emptyDatabaseIsMigratedToTheLatestSchema() async throws {
        let fixture = try StoreFixture()
        let settings = try await fixture.store.settings()
        #expect(settings.migrations == ["v1-core", "v2-usage", "v3-usage-repair", "v4-cohort-members", "v5-rule-ids", "v6-console-sessions", "v7-releases", "v8-schedules-webhooks", "v9-delivery-leases", "v10-usage-hourly", "v11-release-baseline", "v12-sealed-webhook-secrets", "v13-flag-requires", "v14-release-reporters", "v15-people", "v16-key-kinds", "v17-lifecycle", "v18-code-refs", "v19-release-author", "v20-change-requests", "v21-blocks", "v22-seen-attributes", "v23-usage-variants", "v25-cohort-requests"])
        #expect(settings.journalMode == "wal")
        #expect(settings.synchronous == 2)  // FULL
        #expect(settings.foreignKeys)
        #expect(try await fixture.store.integrityCheck() == "ok")
    }

    /// Before usage reports were checked, an overflowing report stored a REAL count (after which
    /// every read and write of the flag failed) and invented variants were stored. v3 repairs both.
    @Test func usageBrokenByOldReportsIsRepaired() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("clutch-repair-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("old.db").path
        let old = try DatabaseQueue(path: path)
        try FlagStore.migrator.migrate(old, upTo: "v2-usage")
        let flag = #"{"key":"legacy","type":"boolean","description":"","tags":[],"variants":[{"key":"on","value":true},{"key":"off","value":false}],"offVariant":"off","archived":false,"environments":{"production":{"enabled":true,"targets":[],"rules":[]}}}"#
        try await old.write { db in
            try db.execute(sql: """
                INSERT INTO environment (key, created_at, version) VALUES ('production', '2026-01-01 10:00:00.000', 1);
                INSERT INTO flag (key, definition, revision, archived, created_at, updated_at, updated_by)
                VALUES ('legacy', ?, 1, 0, '2026-01-01 10:00:00.000', '2026-01-01 10:00:00.000', 'admin');
                INSERT INTO revision (entity, key, environment, number, content, actor, message, action, summary,
                                      changed_environments, definition_changed, created_at)
                VALUES ('flag', 'legacy', '', 1, ?, 'admin', NULL, 'create', 'created', '[]', 1, '2026-01-01 10:00:00.000');
                INSERT INTO usage (flag, environment, variant, count, last_evaluated)
                VALUES ('legacy', 'production', 'on', 9223372036854775807, '2026-01-01 10:00:00.000');
                UPDATE usage SET count = count + 1;
                INSERT INTO usage (flag, environment, variant, count, last_evaluated)
                VALUES ('legacy', 'production', 'made-up', 5, '2026-01-01 10:00:00.000'),
                       ('legacy', 'production', 'off', 3, '2026-01-01 10:00:00.000');
                """, arguments: [flag, flag])
        }
        #expect(try await old.read { db in try String.fetchOne(db, sql: "SELECT typeof(count) FROM usage WHERE variant = 'on'") } == "real")
        try old.close()

        let store = try FlagStore(path: path, logger: StoreFixture.logger)
        defer { try? store.close() }
        #expect(try await store.usage()["legacy"]?["production"]?.variants == ["on": .max, "off": 3])
        let killed = try await store.kill(flag: "legacy", environments: nil, change: admin)
        #expect(killed.value.revision == 2)
        // More usage saturates instead of overflowing.
        try await store.recordUsage(environment: "production", counts: [UsageCount(flag: "legacy", variant: "on", count: 7)], at: Date())
        #expect(try await store.usage()["legacy"]?["production"]?.variants["on"] == .max)
        #expect(try await store.flag("legacy").usage?["production"]?.variants["on"] == .max)
    }

    /// `v17-lifecycle` fills in when each environment's state last changed from the revisions, so
    /// a flag rolled out before the upgrade is judged by how long it really has been.
    @Test func theLifecycleMigrationReadsWhenEachStateLastChangedFromTheRevisions() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("clutch-migrate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("old.db").path
        let old = try DatabaseQueue(path: path)
        try FlagStore.migrator.migrate(old, upTo: "v14-release-reporters")
        let flag = #"{"key":"legacy","environments":{"production":{"enabled":true}}}"#
        try await old.write { db in
            try db.execute(sql: """
                INSERT INTO environment (key, created_at, version) VALUES ('production', '2026-01-01 10:00:00.000', 3), ('staging', '2026-01-01 10:00:00.000', 3);
                INSERT INTO flag (key, definition, revision, archived, created_at, updated_at, updated_by)
                VALUES ('legacy', ?, 3, 0, '2026-01-01 10:00:00.000', '2026-01-09 10:00:00.000', 'admin');
                INSERT INTO revision (entity, key, environment, number, content, actor, message, action, summary,
                                      changed_environments, definition_changed, created_at)
                VALUES ('flag', 'legacy', '', 1, ?, 'admin', NULL, 'create', 'created', '["production"]', 1, '2026-01-01 10:00:00.000'),
                       ('flag', 'legacy', '', 2, ?, 'admin', NULL, 'state', 'production: on', '["production"]', 0, '2026-01-05 10:00:00.000'),
                       ('flag', 'legacy', '', 3, ?, 'admin', NULL, 'state', 'staging: on', '["staging"]', 0, '2026-01-09 10:00:00.000');
                """, arguments: [flag, flag, flag, flag])
        }
        try old.close()

        let store = try FlagStore(path: path, logger: StoreFixture.logger)
        defer { try? store.close() }
        let now = try #require(ISO8601DateFormatter().date(from: "2026-01-25T10:00:00Z"))
        store.useClock { now }
        try await store.recordUsage(environment: "production", counts: [UsageCount(flag: "legacy", variant: "on", count: 4)], at: now)
        let lifecycle = try await store.flag("legacy").lifecycle
        #expect(lifecycle?.stage == .stale)
        #expect(lifecycle?.reason == "on for everyone in production for 20 days")
    }

    @Test func previousSchemaIsUpgradedWithItsDataIntact() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("clutch-migrate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("old.db").path

        // A database as the v1 release left it, written with plain SQL.
        let old = try DatabaseQueue(path: path)
        try FlagStore.migrator.migrate(old, upTo: "v1-core")
        let flag = #"{"key":"legacy","type":"boolean","description":"","tags":[],"variants":[{"key":"on","value":true},{"key":"off","value":false}],"offVariant":"off","archived":false,"environments":{"production":{"enabled":true,"targets":[],"rules":[]}}}"#
        try await old.write { db in
            try db.execute(sql: """
                INSERT INTO environment (key, created_at, version) VALUES ('production', '2026-01-01 10:00:00.000', 7);
                INSERT INTO flag (key, definition, revision, archived, created_at, updated_at, updated_by)
                VALUES ('legacy', ?, 1, 0, '2026-01-01 10:00:00.000', '2026-01-01 10:00:00.000', 'admin');
                INSERT INTO revision (entity, key, environment, number, content, actor, message, action, summary,
                                      changed_environments, definition_changed, created_at)
                VALUES ('flag', 'legacy', '', 1, ?, 'admin', NULL, 'create', 'created', '[]', 1, '2026-01-01 10:00:00.000');
                INSERT INTO credential (id, kind, name, environment, hash, created_at)
                VALUES ('k_old', 'sdk', 'web', 'production', 'abc123', '2026-01-01 10:00:00.000');
                """, arguments: [flag, flag])
        }
        #expect(try await old.read { db in try db.tableExists("usage") } == false)
        try old.close()

        let store = try FlagStore(path: path, logger: StoreFixture.logger)
        defer { try? store.close() }
        #expect(try await store.settings().migrations == ["v1-core", "v2-usage", "v3-usage-repair", "v4-cohort-members", "v5-rule-ids", "v6-console-sessions", "v7-releases", "v8-schedules-webhooks", "v9-delivery-leases", "v10-usage-hourly", "v11-release-baseline", "v12-sealed-webhook-secrets", "v13-flag-requires", "v14-release-reporters", "v15-people", "v16-key-kinds", "v17-lifecycle", "v18-code-refs", "v19-release-author", "v20-change-requests", "v21-blocks", "v22-seen-attributes", "v23-usage-variants", "v25-cohort-requests"])
        let record = try await store.flag("legacy")
        #expect(record.revision == 1)
        #expect(record.flag.state(in: "production").enabled)
        // Existing environments are kept as they are (no defaults added to a used database).
        #expect(try await store.environments().map(\.key) == ["production"])
        #expect(try await store.snapshot(environment: "production").version == 7)
        #expect(try await store.sdkKeys().map(\.id) == ["k_old"])
        // The new table works, and history continues.
        try await store.recordUsage(environment: "production", counts: [UsageCount(flag: "legacy", variant: "on", count: 4)], at: Date())
        #expect(try await store.usage()["legacy"]?["production"]?.variants == ["on": 4])
        let killed = try await store.kill(flag: "legacy", environments: nil, change: admin)
        #expect(killed.value.revision == 2)
        #expect(killed.versions == ["production": 8])
        #expect(try await store.integrityCheck() == "ok")
    }

    @Test func reopeningKeepsEverything() async throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        _ = try await store.createCohort(Cohort(key: "beta", members: ["acme"]), environment: "production", change: admin)
        _ = try await store.createFlag(checkoutFlag(), change: admin)
        _ = try await store.setEnabled(flag: "new-checkout", environment: "staging", enabled: true, ifRevision: nil, change: admin)
        let (_, secret) = try await store.createSDKKey(environment: "production", name: "web", kind: .server, change: admin)
        try await store.recordUsage(environment: "production", counts: [UsageCount(flag: "new-checkout", variant: "on", count: 1)], at: Date())
        let document = try await store.export(environment: nil)
        let revisions = try await store.revisions(flag: "new-checkout", environment: nil)
        let audit = try await store.auditEvents(since: nil, flag: nil, limit: 100)
        let environments = try await store.environments()
        let usage = try await store.usage()
        try store.close()

        let reopened = try fixture.reopen()
        defer { try? reopened.close() }
        #expect(try await reopened.export(environment: nil) == document)
        #expect(try await reopened.revisions(flag: "new-checkout", environment: nil) == revisions)
        #expect(try await reopened.auditEvents(since: nil, flag: nil, limit: 100) == audit)
        #expect(try await reopened.environments() == environments)
        #expect(try await reopened.usage() == usage)
        #expect(try await reopened.activeCredentials().records.contains { $0.hash == Secrets.hash(secret: secret) })
        #expect(try await reopened.integrityCheck() == "ok")
    }

    @Test func revisionsCannotBeAlteredInTheDatabase() async throws {
        let fixture = try StoreFixture()
        _ = try await fixture.store.createFlag(checkoutFlag(), change: admin)
        try fixture.store.close()
        let queue = try DatabaseQueue(path: fixture.path)
        defer { try? queue.close() }
        #expect(throws: DatabaseError.self) {
            try queue.write { db in try db.execute(sql: "UPDATE revision SET actor = 'mallory'") }
        }
        #expect(throws: DatabaseError.self) {
            try queue.write { db in try db.execute(sql: "DELETE FROM revision") }
        }
    }

    /// Cohort members lived in the cohort's JSON definition; v4 moves them to rows of their own.
    @Test func cohortMembersMoveToTheirOwnRows() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("clutch-members-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("old.db").path
        let old = try DatabaseQueue(path: path)
        try FlagStore.migrator.migrate(old, upTo: "v3-usage-repair")
        try await old.write { db in
            try db.execute(sql: """
                INSERT INTO environment (key, created_at, version) VALUES ('production', '2026-01-01 10:00:00.000', 3);
                INSERT INTO cohort (environment, key, definition, revision, updated_at, updated_by) VALUES
                    ('production', 'pilots', '{"attribute":"customerId","clauses":[],"description":"Pilots","key":"pilots","members":["globex","acme","acme"]}', 2, '2026-01-01 10:00:00.000', 'admin'),
                    ('production', 'staff', '{"attribute":"email","clauses":[{"attribute":"email","operator":"endsWith","values":["@acme.com"]}],"description":"","key":"staff","members":[]}', 1, '2026-01-01 10:00:00.000', 'admin');
                """)
        }
        try old.close()

        let store = try FlagStore(path: path, logger: StoreFixture.logger)
        defer { try? store.close() }
        let pilots = try await store.cohort("pilots", environment: "production")
        #expect(pilots.cohort.members == ["acme", "globex"])
        #expect(pilots.cohort.description == "Pilots")
        #expect(pilots.revision == 2)
        #expect(try await store.cohort("staff", environment: "production").cohort.clauses.count == 1)
        let changed = try await store.updateMembers(cohort: "pilots", environment: "production", add: ["initech"], remove: [], change: admin)
        #expect(changed.value.revision == 3)
        #expect(changed.value.size == 3)
        #expect(try await store.snapshot(environment: "production").cohorts.map(\.members) == [["acme", "globex", "initech"], []])
        #expect(try await store.integrityCheck() == "ok")
    }

    /// A membership change writes the members it names: its revision stays small however large
    /// the cohort, and the cohort's definition row is not rewritten with the members.
    @Test func aMembershipChangeStoresOnlyTheMembersItNames() async throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        let many = (0..<20_000).map { "customer-\($0)" }
        _ = try await store.createCohort(Cohort(key: "big", members: many), environment: "production", change: admin)
        _ = try await store.updateMembers(cohort: "big", environment: "production", add: ["newcomer"], remove: ["customer-7"], change: admin)
        try store.close()
        let queue = try DatabaseQueue(path: fixture.path)
        defer { try? queue.close() }
        try await queue.read { db in
            let sizes = try Int.fetchAll(
                db, sql: "SELECT length(content) FROM revision WHERE entity = 'cohort' AND key = 'big' ORDER BY number")
            #expect(sizes.count == 2)
            #expect(sizes[0] > 200_000, "the creation stores what was sent")
            #expect(sizes[1] < 200, "a membership change stores only the members it names: \(sizes)")
            let definition = try String.fetchOne(db, sql: "SELECT definition FROM cohort WHERE key = 'big'") ?? ""
            #expect(!definition.contains("customer-1"), "members are rows, not part of the definition")
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM cohort_member WHERE cohort = 'big'") == 20_000)
        }
    }

    /// Rules written before rules had ids get one each; every later write keeps them.
    @Test func rulesGetStableIDs() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("clutch-rules-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("old.db").path
        let old = try DatabaseQueue(path: path)
        try FlagStore.migrator.migrate(old, upTo: "v4-cohort-members")
        let flag = #"{"key":"legacy","type":"boolean","description":"","tags":[],"variants":[{"key":"on","value":true},{"key":"off","value":false}],"offVariant":"off","archived":false,"environments":{"production":{"enabled":true,"targets":[],"rules":[{"clauses":[{"attribute":"role","operator":"in","values":["admin"]}],"serve":{"variant":"on"}},{"clauses":[{"attribute":"plan","operator":"in","values":["pro"]}],"serve":{"variant":"on"}}]},"prod.eu":{"enabled":false,"targets":[],"rules":[{"clauses":[{"attribute":"x","operator":"exists"}],"serve":{"variant":"off"}}]}}}"#
        try await old.write { db in
            try db.execute(sql: """
                INSERT INTO environment (key, created_at, version) VALUES ('production', '2026-01-01 10:00:00.000', 1), ('prod.eu', '2026-01-01 10:00:00.000', 1);
                INSERT INTO flag (key, definition, revision, archived, created_at, updated_at, updated_by)
                VALUES ('legacy', ?, 1, 0, '2026-01-01 10:00:00.000', '2026-01-01 10:00:00.000', 'admin');
                """, arguments: [flag])
        }
        try old.close()
        let store = try FlagStore(path: path, logger: StoreFixture.logger)
        defer { try? store.close() }
        let record = try await store.flag("legacy")
        let ids = record.flag.state(in: "production").rules.compactMap(\.id) + record.flag.state(in: "prod.eu").rules.compactMap(\.id)
        #expect(ids.count == 3)
        #expect(Set(ids).count == 3)
        #expect(ids.allSatisfy(RuleID.isValid))
        // A later write (the kill switch) changes nothing else.
        let killed = try await store.kill(flag: "legacy", environments: ["production"], change: admin)
        #expect(killed.value.flag.state(in: "production").rules.map(\.id) == record.flag.state(in: "production").rules.map(\.id))
        #expect(killed.versions.keys.sorted() == ["production"])
    }

    /// Which flags require which is an index written with every flag write; a database from before
    /// it gets the index from the definitions it holds, so a flag others require still cannot go.
    @Test func aDatabaseFromBeforeTheRequiresIndexStillProtectsRequiredFlags() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("clutch-requires-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("old.db").path
        let old = try DatabaseQueue(path: path)
        try FlagStore.migrator.migrate(old, upTo: "v12-sealed-webhook-secrets")
        @Sendable func definition(_ key: String, requires: String?) -> String {
            let prerequisites = requires.map { #","prerequisites":[{"flag":"\#($0)","variant":"on"}]"# } ?? ""
            return #"{"key":"\#(key)","type":"boolean","description":"","tags":[],"variants":[{"key":"on","value":true},{"key":"off","value":false}],"offVariant":"off","archived":false,"environments":{"production":{"enabled":true\#(prerequisites),"targets":[],"rules":[]}}}"#
        }
        try await old.write { db in
            try db.execute(sql: "INSERT INTO environment (key, created_at, version) VALUES ('production', '2026-01-01 10:00:00.000', 1)")
            for (key, requires) in [("payments", nil), ("checkout", "payments"), ("banner", nil)] as [(String, String?)] {
                try db.execute(
                    sql: """
                        INSERT INTO flag (key, definition, revision, archived, created_at, updated_at, updated_by)
                        VALUES (?, ?, 1, 0, '2026-01-01 10:00:00.000', '2026-01-01 10:00:00.000', 'admin')
                        """, arguments: [key, definition(key, requires: requires)])
            }
        }
        try old.close()
        let store = try FlagStore(path: path, logger: StoreFixture.logger)
        defer { try? store.close() }
        await #expect(throws: StoreError.self) { _ = try await store.deleteFlag("payments", force: true, change: admin) }
        _ = try await store.deleteFlag("banner", force: true, change: admin)
        // Once the requiring flag no longer requires it, it can go.
        _ = try await store.deleteFlag("checkout", force: true, change: admin)
        _ = try await store.deleteFlag("payments", force: true, change: admin)
    }
}
