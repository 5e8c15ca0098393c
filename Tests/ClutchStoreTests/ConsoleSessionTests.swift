import ClutchStore
import Foundation
import Testing

/// Web console sessions in the store: kept by hash, refreshed by use, gone when idle or deleted.
@Suite("Console sessions")
struct ConsoleSessionTests {
    /// The console's absolute lifetime: 12 hours.
    static let lifetime: TimeInterval = 12 * 3600

    static func record(at date: Date, personID: String? = nil, tokenHash: String? = nil) -> ConsoleSessionRecord {
        ConsoleSessionRecord(
            principal: "admin", role: "owner", csrfHash: Secrets.hash(secret: "csrf"), createdAt: date, lastSeen: date, personID: personID,
            tokenHash: tokenHash)
    }

    /// A store on `backend` holding one session that began at a fixed time; the hash of its id.
    static func withSession(_ backend: StoreBackend) async throws -> (BackendFixture, start: Date, hash: String) {
        let fixture = try await BackendFixture(backend)
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let hash = Secrets.hash(secret: "session-id")
        try await fixture.store.createConsoleSession(hash: hash, record: Self.record(at: start))
        return (fixture, start, hash)
    }

    @Test(arguments: StoreBackend.allCases) func useKeepsASessionAliveAndIdlenessEndsIt(_ backend: StoreBackend) async throws {
        let (fixture, start, hash) = try await Self.withSession(backend)
        let store = fixture.store

        let seen = try await store.touchConsoleSession(hash: hash, now: start.addingTimeInterval(1000), idleLimit: 1800, lifetime: Self.lifetime)
        #expect(seen?.principal == "admin")
        #expect(seen?.role == "owner")
        #expect(seen?.csrfHash == Secrets.hash(secret: "csrf"))
        // 2,000 s after the start but 1,000 s after the last use: still alive.
        #expect(try await store.touchConsoleSession(hash: hash, now: start.addingTimeInterval(2000), idleLimit: 1800, lifetime: Self.lifetime) != nil)
        // Idle for longer than the limit: gone, and it stays gone.
        #expect(try await store.touchConsoleSession(hash: hash, now: start.addingTimeInterval(4000), idleLimit: 1800, lifetime: Self.lifetime) == nil)
        #expect(try await store.touchConsoleSession(hash: hash, now: start.addingTimeInterval(4001), idleLimit: 1_000_000, lifetime: Self.lifetime) == nil)
        #expect(try await store.touchConsoleSession(hash: Secrets.hash(secret: "other"), now: start, idleLimit: 1800, lifetime: Self.lifetime) == nil)
    }

    @Test(arguments: StoreBackend.allCases) func aSessionUsedAllTheTimeStillEndsAtItsLifetime(_ backend: StoreBackend) async throws {
        let (fixture, start, hash) = try await Self.withSession(backend)
        let store = fixture.store
        // Used every 20 minutes for 12 hours less a minute: never idle, still alive.
        var now = start
        while now.timeIntervalSince(start) < Self.lifetime - 60 {
            now = min(now.addingTimeInterval(1200), start.addingTimeInterval(Self.lifetime - 60))
            #expect(try await store.touchConsoleSession(hash: hash, now: now, idleLimit: 1800, lifetime: Self.lifetime) != nil)
        }
        // A minute later it is 12 hours old: gone, though used a minute ago, and it stays gone.
        #expect(try await store.touchConsoleSession(hash: hash, now: start.addingTimeInterval(Self.lifetime + 1), idleLimit: 1800, lifetime: Self.lifetime) == nil)
        #expect(try await store.touchConsoleSession(hash: hash, now: start.addingTimeInterval(Self.lifetime + 2), idleLimit: 1800, lifetime: 1_000_000) == nil)
    }

    @Test(arguments: StoreBackend.allCases) func deletingEndsASession(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let now = Date()
        let hash = Secrets.hash(secret: "to-delete")
        try await fixture.store.createConsoleSession(hash: hash, record: Self.record(at: now))
        try await fixture.store.deleteConsoleSession(hash: hash)
        try await fixture.store.deleteConsoleSession(hash: hash)  // again: no error
        #expect(try await fixture.store.touchConsoleSession(hash: hash, now: now, idleLimit: 1800, lifetime: Self.lifetime) == nil)
    }

    /// A session is bound to what opened it: revoking the token, lowering the person's rights or
    /// removing them deletes its row in the same transaction, so no replica finds it afterwards.
    @Test(arguments: StoreBackend.allCases) func endingWhatOpenedASessionEndsTheSession(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        let change = ChangeInfo(actor: "owner")
        let now = Date()
        let (alice, _) = try await store.createPerson(PersonCreate(email: "alice@example.com", role: .editor), change: change)
        let (bob, _) = try await store.createPerson(PersonCreate(email: "bob@example.com", role: .viewer), change: change)
        let (_, laptop) = try await store.createToken(TokenCreate(name: "laptop"), personID: alice.id, change: change)
        let (ci, ciSecret) = try await store.createToken(TokenCreate(name: "ci", service: true, role: .editor), personID: nil, change: change)
        let sessions: [String: ConsoleSessionRecord] = [
            "alice": Self.record(at: now, personID: alice.id),
            "alice's laptop": Self.record(at: now, personID: alice.id, tokenHash: Secrets.hash(secret: laptop)),
            "ci": Self.record(at: now, tokenHash: Secrets.hash(secret: ciSecret)),
            "bob": Self.record(at: now, personID: bob.id),
        ]
        for (name, record) in sessions { try await store.createConsoleSession(hash: Secrets.hash(secret: name), record: record) }
        func alive() async throws -> [String] {
            var names: [String] = []
            for name in sessions.keys.sorted() {
                // A peek that changes nothing: the sweep removes only idle or old sessions, and none are.
                if try await store.touchConsoleSession(hash: Secrets.hash(secret: name), now: now, idleLimit: 1800, lifetime: Self.lifetime) != nil {
                    names.append(name)
                }
            }
            return names
        }
        #expect(try await alive() == ["alice", "alice's laptop", "bob", "ci"])
        _ = try await store.revokeToken(id: ci.id, change: change)
        #expect(try await alive() == ["alice", "alice's laptop", "bob"])
        // More rights end nothing; fewer end the person's sessions, those of their tokens included.
        _ = try await store.setRole(email: alice.email, to: RoleChange(role: .owner), change: change)
        #expect(try await alive() == ["alice", "alice's laptop", "bob"])
        _ = try await store.setRole(email: alice.email, to: RoleChange(role: .viewer), change: change)
        #expect(try await alive() == ["bob"])
        _ = try await store.removePerson(email: bob.email, change: change)
        #expect(try await alive() == [])
    }
}
