import ClutchCore
import ClutchStore
import Foundation
import Testing

@Suite("Audit")
struct AuditTests {
    @Test(arguments: StoreBackend.allCases) func eventsAreFilteredBySinceAndFlag(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        _ = try await store.createFlag(checkoutFlag(), change: ChangeInfo(actor: "alice", message: "launch"))
        _ = try await store.createFlag(Flag(key: "other"), change: admin)
        _ = try await store.setEnabled(flag: "new-checkout", environment: "staging", enabled: true, ifRevision: nil, change: ChangeInfo(actor: "bob"))
        let all = try await store.auditEvents(since: nil, flag: nil, limit: 100)
        #expect(all.map(\.key) == ["new-checkout", "other", "new-checkout"])
        let checkout = try await store.auditEvents(since: nil, flag: "new-checkout", limit: 100)
        #expect(checkout.map(\.action) == ["enable", "create"])
        #expect(checkout.first?.environment == "staging")
        #expect(checkout.first?.revision == 2)
        #expect(checkout.first?.actor == "bob")
        #expect(checkout.last?.message == "launch")
        #expect(checkout.last?.environment == nil)
        #expect(try await store.auditEvents(since: nil, flag: nil, limit: 1).count == 1)
        #expect(try await store.auditEvents(since: Date().addingTimeInterval(3600), flag: nil, limit: 100).isEmpty)
        #expect(try await store.auditEvents(since: Date().addingTimeInterval(-3600), flag: "other", limit: 100).count == 1)
    }
}
