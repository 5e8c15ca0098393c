import ClutchStore
import Foundation
import Testing

/// Web console sessions in the store: kept by hash, refreshed by use, gone when idle or deleted.
@Suite("Console sessions")
struct ConsoleSessionTests {
    /// The console's absolute lifetime: 12 hours.
    static let lifetime: TimeInterval = 12 * 3600

    static func record(at date: Date) -> ConsoleSessionRecord {
        ConsoleSessionRecord(principal: "admin", role: "admin", csrfHash: Secrets.hash(secret: "csrf"), createdAt: date, lastSeen: date)
    }

    @Test(arguments: StoreBackend.allCases) func useKeepsASessionAliveAndIdlenessEndsIt(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let hash = Secrets.hash(secret: "session-id")
        try await store.createConsoleSession(hash: hash, record: Self.record(at: start))

        let seen = try await store.touchConsoleSession(hash: hash, now: start.addingTimeInterval(1000), idleLimit: 1800, lifetime: Self.lifetime)
        #expect(seen?.principal == "admin")
        #expect(seen?.role == "admin")
        #expect(seen?.csrfHash == Secrets.hash(secret: "csrf"))
        // 2,000 s after the start but 1,000 s after the last use: still alive.
        #expect(try await store.touchConsoleSession(hash: hash, now: start.addingTimeInterval(2000), idleLimit: 1800, lifetime: Self.lifetime) != nil)
        // Idle for longer than the limit: gone, and it stays gone.
        #expect(try await store.touchConsoleSession(hash: hash, now: start.addingTimeInterval(4000), idleLimit: 1800, lifetime: Self.lifetime) == nil)
        #expect(try await store.touchConsoleSession(hash: hash, now: start.addingTimeInterval(4001), idleLimit: 1_000_000, lifetime: Self.lifetime) == nil)
        #expect(try await store.touchConsoleSession(hash: Secrets.hash(secret: "other"), now: start, idleLimit: 1800, lifetime: Self.lifetime) == nil)
    }

    @Test(arguments: StoreBackend.allCases) func aSessionUsedAllTheTimeStillEndsAtItsLifetime(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let hash = Secrets.hash(secret: "busy-session")
        try await store.createConsoleSession(hash: hash, record: Self.record(at: start))
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
}
