import ClutchCore
import ClutchStore
import Foundation
import Testing

/// The attribute names environments' contexts have carried: one row per name and kind, first and
/// last seen on the store's clock, bounded per environment.
@Suite("Seen attributes")
struct SeenAttributeTests {
    @Test(arguments: StoreBackend.allCases) func namesAreRecordedPerEnvironmentWithTheirKindsAndWhenFirstAndLastSeen(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        let first = Date(timeIntervalSince1970: 1_900_000_000)
        let later = first.addingTimeInterval(3_600)
        store.useClock { first }
        try await store.recordSeenAttributes([
            "production": [
                SeenAttributeName(name: "customerId", kind: .string), SeenAttributeName(name: "plan", kind: .string),
                SeenAttributeName(name: "user.age", kind: .number),
            ],
            "staging": [SeenAttributeName(name: "email", kind: .string)],
            "no-such-environment": [SeenAttributeName(name: "ignored", kind: .string)],
        ])
        store.useClock { later }
        try await store.recordSeenAttributes([
            "production": [SeenAttributeName(name: "customerId", kind: .number), SeenAttributeName(name: "plan", kind: .string)],
        ])

        let production = try await store.seenAttributes(environment: "production")
        #expect(production.attributes.map(\.name) == ["customerId", "plan", "user.age"])
        let customer = try #require(production.attributes.first)
        #expect(customer.kinds == [.string, .number])
        #expect(customer.firstSeen == first)
        #expect(customer.lastSeen == later)
        #expect(production.attributes[2].lastSeen == first, "not seen again")
        #expect(try await store.seenAttributes(environment: "staging").attributes.map(\.name) == ["email"])
        #expect(try await store.seenAttributes(environment: "development").attributes.isEmpty)
        await #expect(throws: StoreError.self) { try await store.seenAttributes(environment: "no-such-environment") }
    }

    @Test(arguments: StoreBackend.allCases) func anEnvironmentKeepsAtMostItsLimitOfNamesAndSkipsInvalidOnes(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        let limit = SeenAttributeLimits.maxPerEnvironment
        let many = (0..<(limit + 50)).map { SeenAttributeName(name: "a\($0)", kind: .string) }
        try await store.recordSeenAttributes(["production": many + [
            SeenAttributeName(name: "a..b", kind: .string), SeenAttributeName(name: "", kind: .bool),
        ]])
        let stored = try await store.seenAttributes(environment: "production").attributes
        #expect(stored.count == limit)
        #expect(!stored.contains { $0.name == "a..b" || $0.name.isEmpty })
        // A name already kept is still seen again; a new one stays out.
        try await store.recordSeenAttributes(["production": [SeenAttributeName(name: "a0", kind: .string), SeenAttributeName(name: "zz", kind: .string)]])
        let again = try await store.seenAttributes(environment: "production").attributes
        #expect(again.count == limit)
        #expect(!again.contains { $0.name == "zz" })
    }
}
