import ClutchCore
import ClutchStore
import Foundation
import GRDB
import PostgresTestSupport
import Synchronization
import Testing

/// People, invites, passwords and tokens (``PeopleStoring``), on both databases.
@Suite("People")
struct PeopleStoreTests {
    /// The active token with this secret, if any.
    static func access(_ store: any ClutchStoring, _ secret: String) async throws -> TokenAccess? {
        try await store.activeCredentials().records.lazy.compactMap { record -> TokenAccess? in
            guard record.hash == Secrets.hash(secret: secret), case .token(let access) = record.kind else { return nil }
            return access
        }.first
    }

    @Test(arguments: StoreBackend.allCases) func anEmailIsUniqueWhateverItsCase(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        defer { withExtendedLifetime(fixture) {} }
        let (bob, invite) = try await store.createPerson(PersonCreate(email: "Bob@Example.com", name: "Bob", role: .viewer), change: admin)
        #expect(bob.email == "Bob@Example.com")
        #expect(!bob.hasPassword)
        #expect(invite.count == 64)
        let again = await #expect(throws: StoreError.self) {
            try await store.createPerson(PersonCreate(email: "bob@example.COM", role: .owner), change: admin)
        }
        #expect(again?.kind == .conflict)
        #expect(again?.field == "email")
        #expect(try await store.person(email: "BOB@example.com") == bob)
        #expect(try await store.people() == [bob])
        let bad = await #expect(throws: StoreError.self) {
            try await store.createPerson(PersonCreate(email: "not an email", role: .viewer), change: admin)
        }
        #expect(bad?.field == "email")
        let nowhere = await #expect(throws: StoreError.self) {
            try await store.createPerson(PersonCreate(email: "carol@example.com", role: .editor, environments: ["nowhere"]), change: admin)
        }
        #expect(nowhere?.field == "environments")
        let audit = try await store.auditEvents(since: nil, flag: nil, limit: 10)
        #expect(audit.map(\.entity) == ["person"])
        #expect(audit.first?.key == "Bob@Example.com")
        #expect(audit.first?.action == "create")
    }

    @Test(arguments: StoreBackend.allCases) func anInviteSetsThePasswordOnceAndTheKDFDecidesSignIn(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        defer { withExtendedLifetime(fixture) {} }
        let (alice, invite) = try await store.createPerson(PersonCreate(email: "alice@example.com", role: .editor), change: admin)
        #expect(try await store.invitedPerson(secret: invite) == alice)
        let short = await #expect(throws: StoreError.self) { try await store.acceptInvite(secret: invite, password: "too-short") }
        #expect(short?.field == "password")
        let accepted = try await store.acceptInvite(secret: invite, password: "correct horse battery")
        #expect(accepted.hasPassword)
        let reused = await #expect(throws: StoreError.self) { try await store.acceptInvite(secret: invite, password: "another long password") }
        #expect(reused?.kind == .notFound)
        #expect(try await store.invitedPerson(secret: invite) == nil)

        #expect(try await store.verifyPassword(email: "ALICE@example.com", password: "correct horse battery")?.id == alice.id)
        #expect(try await store.verifyPassword(email: "alice@example.com", password: "correct horse batterY") == nil)
        #expect(try await store.verifyPassword(email: "nobody@example.com", password: "correct horse battery") == nil)
    }

    @Test(arguments: StoreBackend.allCases) func anInviteExpiresAfterSevenDays(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        defer { withExtendedLifetime(fixture) {} }
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let now = Mutex(start)
        store.useClock { now.withLock { $0 } }
        let (_, invite) = try await store.createPerson(PersonCreate(email: "late@example.com", role: .viewer), change: admin)
        now.withLock { $0 = start.addingTimeInterval(PeopleRules.inviteLifetime - 1) }
        #expect(try await store.invitedPerson(secret: invite) != nil)
        now.withLock { $0 = start.addingTimeInterval(PeopleRules.inviteLifetime) }
        #expect(try await store.invitedPerson(secret: invite) == nil)
        await #expect(throws: StoreError.self) { try await store.acceptInvite(secret: invite, password: "a long enough password") }
    }

    @Test(arguments: StoreBackend.allCases) func passwordsAndSecretsAreNeverStoredAsGiven(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        let (_, invite) = try await store.createPerson(PersonCreate(email: "alice@example.com", role: .owner), change: admin)
        let alice = try await store.acceptInvite(secret: invite, password: "correct horse battery")
        let (_, token) = try await store.createToken(TokenCreate(name: "laptop"), personID: alice.id, change: admin)
        #expect(token.hasPrefix("clutch_pat_"))
        let (_, service) = try await store.createToken(TokenCreate(name: "ci", service: true, role: .editor), personID: nil, change: admin)
        #expect(service.hasPrefix("clutch_svc_"))
        let dump = try await fixture.dump("SELECT * FROM person") + fixture.dump("SELECT * FROM token") + fixture.dump("SELECT * FROM invite")
        for secret in ["correct horse battery", invite, token, service] {
            #expect(!dump.contains(secret), "\(secret) is stored as given")
        }
        #expect(dump.contains("scrypt$15$8$1$"))
        #expect(dump.contains(Secrets.hash(secret: token)))
    }

    @Test(arguments: StoreBackend.allCases) func aPersonalTokenActsAsItsPersonNarrowedAndEndsWithThem(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        defer { withExtendedLifetime(fixture) {} }
        let (bob, _) = try await store.createPerson(PersonCreate(email: "bob@example.com", role: .editor), change: admin)
        let (laptop, secret) = try await store.createToken(
            TokenCreate(name: "laptop", role: .editor, environments: ["staging"]), personID: bob.id, change: admin)
        #expect(laptop.actor == "laptop (token of bob@example.com)")
        let access = try #require(try await Self.access(store, secret))
        #expect(access.subject.role(in: "staging") == .editor)
        #expect(access.subject.role(in: "production") == .responder)
        #expect(access.person?.email == "bob@example.com")

        let above = await #expect(throws: StoreError.self) {
            try await store.createToken(TokenCreate(name: "root", role: .owner), personID: bob.id, change: admin)
        }
        #expect(above?.field == "role")

        _ = try await store.removePerson(email: "bob@example.com", change: admin)
        #expect(try await Self.access(store, secret) == nil)
        #expect(try await store.tokens(personID: bob.id).first?.revokedAt != nil)
        #expect(try await store.people().isEmpty)
        #expect(try await store.activeCredentials().people.isEmpty)
        // The email may be added again: a new person.
        let (again, _) = try await store.createPerson(PersonCreate(email: "bob@example.com", role: .viewer), change: admin)
        #expect(again.id != bob.id)
    }

    @Test(arguments: StoreBackend.allCases) func loweringARoleEndsPersonalTokensAndRaisingItDoesNot(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        defer { withExtendedLifetime(fixture) {} }
        let (carol, _) = try await store.createPerson(PersonCreate(email: "carol@example.com", role: .responder), change: admin)
        let (_, secret) = try await store.createToken(TokenCreate(name: "laptop"), personID: carol.id, change: admin)
        let generation = try #require(try await store.activeCredentials().people.first?.generation)

        _ = try await store.setRole(email: "carol@example.com", to: RoleChange(role: .editor), change: admin)
        #expect(try await Self.access(store, secret)?.subject.role(in: "production") == .editor, "raised: the token follows")
        #expect(try await store.activeCredentials().people.first?.generation == generation)

        _ = try await store.setRole(email: "carol@example.com", to: RoleChange(role: .editor, environments: ["staging"]), change: admin)
        #expect(try await Self.access(store, secret) == nil, "lowered in production: the token ended")
        #expect(try await store.activeCredentials().people.first?.generation == generation + 1)
        let audit = try await store.auditEvents(since: nil, flag: nil, limit: 1)
        #expect(audit.first?.action == "set-role")
        #expect(audit.first?.message == "test")
    }

    @Test(arguments: StoreBackend.allCases) func serviceTokensNeedARoleExpireAndRevoke(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        defer { withExtendedLifetime(fixture) {} }
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let now = Mutex(start)
        store.useClock { now.withLock { $0 } }
        let roleless = await #expect(throws: StoreError.self) {
            try await store.createToken(TokenCreate(name: "ci", service: true), personID: nil, change: admin)
        }
        #expect(roleless?.field == "role")
        let personless = await #expect(throws: StoreError.self) {
            try await store.createToken(TokenCreate(name: "mine"), personID: nil, change: admin)
        }
        #expect(personless?.field == "service")
        let (ci, secret) = try await store.createToken(
            TokenCreate(name: "ci", service: true, role: .editor, environments: ["staging"], expiresInDays: 90), personID: nil, change: admin)
        #expect(ci.actor == "ci (service token)")
        #expect(ci.expiresAt == start.addingTimeInterval(90 * 86400))
        #expect(try await Self.access(store, secret)?.grants == [AccessGrant(role: .editor, environments: ["staging"])])
        now.withLock { $0 = start.addingTimeInterval(90 * 86400) }
        #expect(try await Self.access(store, secret) == nil, "expired")
        now.withLock { $0 = start }
        let revoked = try await store.revokeToken(id: ci.id, change: admin)
        #expect(revoked.revokedAt != nil)
        #expect(try await Self.access(store, secret) == nil, "revoked")
        #expect(try await store.revokeToken(id: ci.id, change: admin) == revoked)
        #expect(try await store.tokens(personID: nil) == [revoked])
        #expect(try await store.auditEvents(since: nil, flag: nil, limit: 10).map(\.action) == ["revoke", "create"])
    }
}

extension BackendFixture {
    /// Every row `sql` reads, as text (to look for what must not be stored).
    func dump(_ sql: String) async throws -> String {
        if let path = sqlitePath {
            let queue = try DatabaseQueue(path: path)
            defer { try? queue.close() }
            return try await queue.read { db in try Row.fetchAll(db, sql: sql).map(\.description).joined(separator: "\n") }
        }
        let url = try #require(postgresURL)
        let name = String(url.split(separator: "/").last?.split(separator: "?").first ?? "")
        return try await TestPostgres.server().psql(sql, database: name)
    }
}
