import ClutchCore
import ClutchStore
import Testing

/// The store contract under concurrent writers, on each database: changes without `ifRevision`
/// are all kept (each applies its instructions to the result of the others), and of changes
/// naming the same revision exactly one succeeds.
@Suite("Store concurrency")
struct StoreConcurrencyTests {
    @Test(arguments: StoreBackend.allCases) func concurrentInstructionsAreAllKept(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        _ = try await store.createFlag(Flag(key: "gate"), change: admin)
        let customers = (0..<12).map { "customer-\($0)" }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for customer in customers {
                group.addTask {
                    _ = try await store.apply(
                        [.addTargets(variant: "on", attribute: "targetingKey", values: [customer])], flag: "gate",
                        environment: "production", ifRevision: nil, dryRun: false, change: admin)
                }
            }
            try await group.waitForAll()
        }
        let flag = try await store.flag("gate")
        let targeted = Set(flag.flag.state(in: "production").targets.flatMap(\.values))
        #expect(targeted == Set(customers), "every concurrent change is kept")
        #expect(flag.revision == Int64(1 + customers.count), "one revision per change")
        #expect(try await store.snapshot(environment: "production").version == Int64(1 + customers.count), "one version bump per change")
        #expect(try await store.auditEvents(since: nil, flag: "gate", limit: 100).count == 1 + customers.count, "one audit event per change")
    }

    @Test(arguments: StoreBackend.allCases) func ofChangesNamingOneRevisionExactlyOneWins(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        _ = try await store.createFlag(Flag(key: "gate"), change: admin)
        let outcomes = await withTaskGroup(of: StoreError.Kind?.self) { group in
            for i in 0..<8 {
                group.addTask {
                    do {
                        _ = try await store.apply(
                            [.addTargets(variant: "on", attribute: "targetingKey", values: ["c\(i)"])], flag: "gate",
                            environment: "production", ifRevision: 1, dryRun: false, change: admin)
                        return nil
                    } catch let error as StoreError {
                        return error.kind
                    } catch {
                        return .badRequest
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 == nil }.count == 1, "\(outcomes)")
        #expect(outcomes.filter { $0 == .conflict }.count == 7, "\(outcomes)")
        #expect(try await store.flag("gate").revision == 2)
    }
}
