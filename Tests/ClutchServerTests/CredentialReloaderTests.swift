import ClutchStore
import Foundation
import ServerTestSupport
import Synchronization
import TestSupport
import Testing

@testable import ClutchServer

/// ``CredentialReloader`` with a store the test controls: misses share loads, a miss never
/// delays a change, and a load that started before a revocation cannot land after it.
@Suite("Credential reloads")
struct CredentialReloaderTests {
    /// Credentials the test changes, and a load it can hold after it has read them.
    final class FakeStore: Sendable {
        let records = Mutex<[CredentialRecord]>([])
        let loads = Atomic<Int>(0)
        /// The next load reads, then waits until `released` before it answers what it read.
        let holdNext = Atomic<Bool>(false)
        let released = Atomic<Bool>(false)

        func load() async throws -> ActiveCredentials {
            loads.add(1, ordering: .relaxed)
            let read = records.withLock { $0 }
            if holdNext.exchange(false, ordering: .relaxed) {
                while !released.load(ordering: .relaxed) { try await Task.sleep(for: .milliseconds(5)) }
            }
            return ActiveCredentials(records: read, people: [])
        }
    }

    static func digest(_ secret: String) -> CredentialCache.Digest {
        var text = secret
        return text.withUTF8 { CredentialCache.Digest(secretBytes: $0) }
    }

    static func record(_ secret: String) -> CredentialRecord {
        CredentialRecord(hash: Secrets.hash(secret: secret), kind: .sdk(id: "key-\(secret)", environment: "production", keyKind: .server))
    }

    /// A reloader over a fake store, and the lookup that uses it after misses.
    static func fixture() -> (store: FakeStore, cache: CredentialCache, reloader: CredentialReloader, lookup: CredentialLookup) {
        let store = FakeStore()
        let cache = CredentialCache()
        let reloader = CredentialReloader(cache: cache, missInterval: .milliseconds(100)) { try await store.load() }
        return (store, cache, reloader, CredentialLookup(cache: cache, reloader: reloader, clock: SystemClock()))
    }

    @Test func manyMissesAtOnceShareAtMostTwoLoads() async throws {
        let (store, _, reloader, lookup) = Self.fixture()
        store.records.withLock { $0 = [Self.record("new-key")] }
        // The first load is held until all 200 wait, so none of them can start a third.
        store.holdNext.store(true, ordering: .relaxed)
        let lookups = Task {
            await withTaskGroup(of: Bool.self) { group in
                for i in 0..<200 {
                    group.addTask { await lookup.principal(for: Self.digest(i == 0 ? "new-key" : "bogus-\(i)")) != nil }
                }
                return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
        }
        // 200 tasks on a 2-thread pool shared with 50 other suites' servers: reaching all of them
        // took over 10 s in a whole run on a busy machine (alone it takes 0.2 s).
        #expect(try await eventually(timeout: .seconds(60)) { reloader.waiting == 200 })
        store.released.store(true, ordering: .relaxed)
        #expect(await lookups.value == 1, "the key the store knows is found; the made-up ones are not")
        // Those that asked before the first load started share it; the rest share the next one.
        let loads = store.loads.load(ordering: .relaxed)
        #expect((1...2).contains(loads), "\(loads) loads for 200 misses")
        #expect(reloader.missLoads == loads)
    }

    @Test func aLoadThatStartedBeforeARevocationNeverLandsAfterIt() async throws {
        let (store, cache, reloader, lookup) = Self.fixture()
        store.records.withLock { $0 = [Self.record("key")] }
        try await reloader.reload()
        #expect(cache.principal(for: Self.digest("key")) != nil)
        // A miss starts a load that reads the store before the revocation and answers late.
        store.holdNext.store(true, ordering: .relaxed)
        let miss = Task { await lookup.principal(for: Self.digest("made-up")) }
        #expect(try await eventually { store.loads.load(ordering: .relaxed) == 2 })
        // The key is revoked; the revoking request reloads and returns once the cache lacks it.
        store.records.withLock { $0 = [] }
        let revoke = Task { try await reloader.reload() }
        try await Task.sleep(for: .milliseconds(50))
        store.released.store(true, ordering: .relaxed)
        try await revoke.value
        #expect(await miss.value == nil)
        #expect(cache.principal(for: Self.digest("key")) == nil, "revoked, and the late load did not put it back")
        #expect(store.loads.load(ordering: .relaxed) == 3, "the revocation's load ran after the held one")
    }

    @Test func aFailedLoadRefusesTheMissAndReportsToAChange() async throws {
        struct Down: Error {}
        let cache = CredentialCache()
        let reloader = CredentialReloader(cache: cache, missInterval: .milliseconds(100)) { throw Down() }
        let lookup = CredentialLookup(cache: cache, reloader: reloader, clock: SystemClock())
        #expect(await lookup.principal(for: Self.digest("anything")) == nil)
        await #expect(throws: Down.self) { try await reloader.reload() }
    }
}
