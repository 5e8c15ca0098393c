import ClutchCore
import ClutchStore
import Testing

@Suite("Rollback")
struct RollbackTests {
    /// r1 created (prod on 10 %), r2 staging on, r3 prod 50 %, r4 description changed.
    func history(_ store: any ClutchStoring) async throws {
        _ = try await store.createFlag(checkoutFlag(), change: admin)
        _ = try await store.setEnabled(flag: "new-checkout", environment: "staging", enabled: true, ifRevision: nil, change: admin)
        var state = try await store.flag("new-checkout").flag.state(in: "production")
        state.default = .rollout(.percentage(50, of: "on", rest: "off"))
        _ = try await store.updateState(flag: "new-checkout", environment: "production", state: state, ifRevision: nil, change: admin)
        var flag = try await store.flag("new-checkout").flag
        flag.description = "changed"
        _ = try await store.updateFlag(flag, ifRevision: 3, change: admin)
    }

    @Test(arguments: StoreBackend.allCases) func wholeFlagRollbackIsANewRevision(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        try await history(store)
        let restored = try await store.rollback(flag: "new-checkout", to: 1, environment: nil, change: admin)
        #expect(restored.value.revision == 5)
        let first = try await store.revision(flag: "new-checkout", number: 1)
        #expect(restored.value.flag == first.flag)
        let latest = try await store.revision(flag: "new-checkout", number: 5)
        #expect(latest.action == "rollback")
        #expect(latest.summary.hasPrefix("restored revision 1: "))
        #expect(latest.summary.contains("staging: on → off"))
        // Staging and production changed; development did not.
        #expect(restored.versions.keys.sorted() == ["development", "production", "staging"])  // description is in every view
        #expect(try await store.revisions(flag: "new-checkout", environment: nil).count == 5)
    }

    @Test(arguments: StoreBackend.allCases) func defaultTargetIsTheRevisionBeforeTheLatest(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        try await history(store)
        let restored = try await store.rollback(flag: "new-checkout", to: nil, environment: nil, change: admin)
        #expect(restored.value.flag.description == "New checkout")
        #expect(restored.value.flag == (try await store.revision(flag: "new-checkout", number: 3)).flag)
    }

    @Test(arguments: StoreBackend.allCases) func environmentRollbackRestoresOnlyThatState(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        try await history(store)
        let restored = try await store.rollback(flag: "new-checkout", to: 1, environment: "production", change: admin)
        let flag = restored.value.flag
        #expect(flag.environments["production"]?.default == .rollout(.percentage(10, of: "on", rest: "off")))
        #expect(flag.environments["staging"]?.enabled == true)  // untouched
        #expect(flag.description == "changed")  // untouched
        #expect(restored.versions.keys.sorted() == ["production"])
        let latest = try await store.revision(flag: "new-checkout", number: 5)
        #expect(latest.summary == "restored revision 1 (production): production: rollout 50% → 10%")
    }

    @Test(arguments: StoreBackend.allCases) func rollbackToUnknownRevisionChangesNothing(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        try await history(store)
        let error = await #expect(throws: StoreError.self) {
            try await store.rollback(flag: "new-checkout", to: 42, environment: nil, change: admin)
        }
        #expect(error?.kind == .notFound)
        #expect(try await store.flag("new-checkout").revision == 4)
        let fresh = try await store.createFlag(Flag(key: "fresh"), change: admin)
        #expect(fresh.value.revision == 1)
        await #expect(throws: StoreError.self) { try await store.rollback(flag: "fresh", to: nil, environment: nil, change: admin) }
    }

    @Test(arguments: StoreBackend.allCases) func revisionJSONRoundTrips(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        try await history(fixture.store)
        let revisions = try await fixture.store.revisions(flag: "new-checkout", environment: nil)
        let decoded = try ClutchJSON.decode([Revision].self, from: try ClutchJSON.encode(revisions))
        #expect(decoded.map(\.summary) == revisions.map(\.summary))
        #expect(decoded.map(\.flag) == revisions.map(\.flag))
        let text = String(decoding: try ClutchJSON.encode(revisions[0]), as: UTF8.self)
        #expect(text.contains(#""message":"test""#))
        #expect(text.contains(#""environments":[]"#))  // r4 changed the description only
        #expect(text.contains(#""definitionChanged":true"#))
    }

    @Test(arguments: StoreBackend.allCases) func diffBetweenRevisionsNamesFieldPaths(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        try await history(store)
        let from = try await store.revision(flag: "new-checkout", number: 1).flag
        let to = try await store.revision(flag: "new-checkout", number: 2).flag
        let changes = FlagDiff.changes(from: from, to: to)
        #expect(changes == [FieldChange(path: "environments.staging.enabled", before: false, after: true)])
        let created = FlagDiff.changes(from: nil, to: to)
        #expect(created.contains(FieldChange(path: "key", before: nil, after: "new-checkout")))
        let weights = FlagDiff.changes(
            from: try await store.revision(flag: "new-checkout", number: 2).flag,
            to: try await store.revision(flag: "new-checkout", number: 3).flag)
        #expect(weights.map(\.path) == [
            "environments.production.default.rollout.weights[0].weight",
            "environments.production.default.rollout.weights[1].weight",
        ])
        #expect(weights.first?.after == .integer(50_000))
    }
}
