import ClutchCore
import ClutchStore
import Foundation
import Testing

/// A write says what it wrote (``Touched/delta(for:version:)``), so that the server publishes a
/// change without reading it back in a second transaction.
@Suite("What a write says it wrote")
struct WrittenDeltaTests {
    @Test(arguments: StoreBackend.allCases)
    func aFlagChangeCarriesTheFlagAsEachEnvironmentSeesItEqualToWhatAReadGives(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        let created = try await store.createFlag(checkoutFlag(), change: admin)
        let toggled = try await store.setEnabled(flag: "new-checkout", environment: "staging", enabled: true, ifRevision: nil, change: admin)
        let killed = try await store.kill(flag: "new-checkout", environments: nil, change: admin)
        for change in [created.with(()), toggled.with(()), killed.with(())] {
            #expect(!change.versions.isEmpty)
            for (environment, version) in change.versions {
                let written = try #require(change.touched.delta(for: environment, version: version))
                let read = try await store.delta(environment: environment, flags: ["new-checkout"], cohorts: [], members: [:])
                // Read after the last change: compare the last change's delta with the store's now.
                if change.versions == killed.versions { #expect(written == read) }
                #expect(written.flags.keys.sorted() == ["new-checkout"])
            }
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func aDeletedFlagIsWrittenAsGoneAndAnUnsaidEnvironmentIsNotGuessed(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        _ = try await store.createFlag(Flag(key: "old"), change: admin)
        let deleted = try await store.deleteFlag("old", ifRevision: nil, force: true, now: Date(), change: admin)
        let version = try #require(deleted.versions["production"])
        let delta = try #require(deleted.touched.delta(for: "production", version: version))
        #expect(delta.flags.count == 1)
        #expect(delta.flags["old"] == .some(Flag?.none))
        // Another version than the one written: no delta, the server reads instead.
        #expect(deleted.touched.delta(for: "production", version: version + 1) == nil)
        #expect(deleted.touched.delta(for: "nowhere", version: version) == nil)
    }
}

extension WrittenDeltaTests {
    @Test(arguments: StoreBackend.allCases)
    func aCohortChangeCarriesTheCohortAndAMembershipChangeItsMembers(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        let created = try await store.createCohort(Cohort(key: "beta", members: ["acme", "globex"]), environment: "production", change: admin)
        let version = try #require(created.versions["production"])
        let written = try #require(created.touched.delta(for: "production", version: version))
        #expect(written == (try await store.delta(environment: "production", flags: [], cohorts: ["beta"], members: [:])))
        let changed = try await store.applyMembers(
            [.addMembers(["initech"]), .removeMembers(["acme"])], cohort: "beta", environment: "production", change: admin)
        let next = try #require(changed.versions["production"])
        let members = try #require(changed.touched.delta(for: "production", version: next))
        #expect(members.cohorts.isEmpty)
        #expect(members.members["beta"] == MemberChange(added: ["initech"], removed: ["acme"]))
    }
}

extension Change {
    func with<T>(_ value: T) -> Change<T> { Change<T>(value: value, versions: versions, touched: touched) }
}
