import ClutchCore
import ClutchStore
import Foundation
import Testing

@Suite("Flags")
struct FlagTests {
    @Test(arguments: StoreBackend.allCases) func defaultEnvironmentsExistAfterFirstStart(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let environments = try await fixture.store.environments()
        #expect(environments.map(\.key) == ["development", "production", "staging"])
        #expect(environments.allSatisfy { $0.version == 0 })
    }

    @Test(arguments: StoreBackend.allCases) func createReadListUpdateDelete(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        let created = try await store.createFlag(checkoutFlag(), change: admin)
        #expect(created.value.revision == 1)
        #expect(created.value.updatedBy == "alice")
        // Environments not given are off; every environment's snapshot changed.
        #expect(created.value.flag.environments["staging"] == FlagState(enabled: false))
        #expect(created.value.flag.environments["production"]?.enabled == true)
        #expect(created.versions == ["development": 1, "production": 1, "staging": 1])

        #expect(try await store.flag("new-checkout").flag == created.value.flag)
        _ = try await store.createFlag(Flag(key: "a-flag"), change: admin)
        #expect(try await store.flags(includeArchived: false).map(\.flag.key) == ["a-flag", "new-checkout"])

        var edited = created.value.flag
        edited.description = "Checkout v2"
        let updated = try await store.updateFlag(edited, ifRevision: 1, change: admin)
        #expect(updated.value.revision == 2)
        #expect(updated.value.flag.description == "Checkout v2")

        let deleted = try await store.deleteFlag("new-checkout", force: true, change: admin)
        #expect(deleted.versions.keys.sorted() == ["development", "production", "staging"])
        await #expect(throws: StoreError.self) { try await store.flag("new-checkout") }
        // History is kept; the key can be created again and numbering continues.
        #expect(try await store.revisions(flag: "new-checkout", environment: nil).map(\.number) == [3, 2, 1])
        let again = try await store.createFlag(Flag(key: "new-checkout"), change: admin)
        #expect(again.value.revision == 4)
    }

    /// A live flag (on somewhere, or evaluated within 7 days) is not deleted unless forced; a
    /// deleted flag comes back from its history with its states, continuing the numbering.
    @Test(arguments: StoreBackend.allCases) func deletionGuardAndRestore(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        _ = try await store.createFlag(checkoutFlag(), change: admin)
        let on = await #expect(throws: StoreError.self) { try await store.deleteFlag("new-checkout", change: admin) }
        #expect(on?.kind == .conflict)
        #expect(on?.field == "force")
        #expect(on?.message.contains("is on in production") == true)
        _ = try await store.kill(flag: "new-checkout", environments: nil, change: admin)
        let evaluated = Date()
        try await store.recordUsage(environment: "production", counts: [UsageCount(flag: "new-checkout", variant: "off", count: 1)], at: evaluated)
        let recent = await #expect(throws: StoreError.self) { try await store.deleteFlag("new-checkout", change: admin) }
        #expect(recent?.message.contains("was evaluated less than a minute ago") == true, "\(recent?.message ?? "")")
        #expect(try await store.flag("new-checkout").revision == 2, "nothing was deleted")
        // Eight days later nothing uses it: deleted without force.
        _ = try await store.deleteFlag("new-checkout", ifRevision: nil, force: false, now: evaluated.addingTimeInterval(8 * 86400), change: admin)

        let restored = try await store.restoreFlag("new-checkout", change: admin)
        #expect(restored.value.revision == 4)
        #expect(restored.value.flag.state(in: "production").default == checkoutFlag().state(in: "production").default)
        #expect(!restored.value.flag.state(in: "production").enabled, "as it was when deleted: killed")
        let history = try await store.revisions(flag: "new-checkout", environment: nil)
        #expect(history.map(\.number) == [4, 3, 2, 1])
        #expect(history.first?.action == "restore")
        let exists = await #expect(throws: StoreError.self) { try await store.restoreFlag("new-checkout", change: admin) }
        #expect(exists?.kind == .conflict)
        let never = await #expect(throws: StoreError.self) { try await store.restoreFlag("never-existed", change: admin) }
        #expect(never?.kind == .notFound)
    }

    @Test(arguments: StoreBackend.allCases) func createExistingKeyIsConflict(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        _ = try await fixture.store.createFlag(checkoutFlag(), change: admin)
        let error = await #expect(throws: StoreError.self) { try await fixture.store.createFlag(checkoutFlag(), change: admin) }
        #expect(error?.kind == .conflict)
    }

    @Test(arguments: StoreBackend.allCases) func revisionsAreNumberedAndCarryTheWholeFlag(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        _ = try await store.createFlag(checkoutFlag(), change: admin)
        _ = try await store.setEnabled(flag: "new-checkout", environment: "staging", enabled: true, ifRevision: nil, change: admin)
        var state = try await store.flag("new-checkout").flag.state(in: "production")
        state.default = .rollout(.percentage(50, of: "on", rest: "off"))
        _ = try await store.updateState(flag: "new-checkout", environment: "production", state: state, ifRevision: 2,
                                        change: ChangeInfo(actor: "bob", message: "ramp up"))
        let revisions = try await store.revisions(flag: "new-checkout", environment: nil)
        #expect(revisions.map(\.number) == [3, 2, 1])
        #expect(revisions.map(\.summary) == ["production: rollout 10% → 50%", "staging: off → on", "created"])
        #expect(revisions.map(\.action) == ["state", "enable", "create"])
        #expect(revisions[0].actor == "bob")
        #expect(revisions[0].message == "ramp up")
        #expect(revisions[1].flag?.environments["staging"]?.enabled == true)
        #expect(revisions[2].flag?.environments["staging"]?.enabled == false)
        // Per environment: the state changes there plus changes to the flag itself.
        #expect(try await store.revisions(flag: "new-checkout", environment: "staging").map(\.number) == [2, 1])
        #expect(try await store.revision(flag: "new-checkout", number: 2).summary == "staging: off → on")
        let missing = await #expect(throws: StoreError.self) { try await store.revision(flag: "new-checkout", number: 9) }
        #expect(missing?.kind == .notFound)
    }

    @Test(arguments: StoreBackend.allCases) func staleRevisionIsConflictAndChangesNothing(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        _ = try await store.createFlag(checkoutFlag(), change: admin)
        _ = try await store.setEnabled(flag: "new-checkout", environment: "staging", enabled: true, ifRevision: 1, change: admin)
        let before = try await store.flag("new-checkout")
        let versions = try await store.environments()
        var edited = before.flag
        edited.description = "lost update"
        let error = await #expect(throws: StoreError.self) {
            try await store.updateFlag(edited, ifRevision: 1, change: admin)
        }
        #expect(error?.kind == .conflict)
        await #expect(throws: StoreError.self) {
            try await store.setEnabled(flag: "new-checkout", environment: "production", enabled: false, ifRevision: 1, change: admin)
        }
        #expect(try await store.flag("new-checkout") == before)
        #expect(try await store.revisions(flag: "new-checkout", environment: nil).count == 2)
        #expect(try await store.environments() == versions)
        #expect(try await store.auditEvents(since: nil, flag: "new-checkout", limit: 100).count == 2)
    }

    @Test(arguments: StoreBackend.allCases) func concurrentEditsOfTheSameRevisionOneWins(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        _ = try await store.createFlag(checkoutFlag(), change: admin)
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for i in 0..<8 {
                group.addTask {
                    var flag = checkoutFlag()
                    flag.description = "edit \(i)"
                    return (try? await store.updateFlag(flag, ifRevision: 1, change: admin)) != nil
                }
            }
            var results: [Bool] = []
            for await outcome in group { results.append(outcome) }
            return results
        }
        #expect(outcomes.filter { $0 }.count == 1)
        #expect(try await store.flag("new-checkout").revision == 2)
        #expect(try await store.revisions(flag: "new-checkout", environment: nil).count == 2)
    }

    @Test(arguments: StoreBackend.allCases) func killIsOneRevisionAcrossEnvironments(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        _ = try await store.createFlag(checkoutFlag(), change: admin)
        _ = try await store.setEnabled(flag: "new-checkout", environment: "staging", enabled: true, ifRevision: nil, change: admin)
        let killed = try await store.kill(flag: "new-checkout", environments: nil, change: admin)
        #expect(killed.value.revision == 3)
        #expect(killed.value.flag.environments.values.allSatisfy { !$0.enabled })
        // Only the environments actually switched off.
        #expect(killed.versions.keys.sorted() == ["production", "staging"])
        let latest = try await store.revision(flag: "new-checkout", number: 3)
        #expect(latest.action == "kill")
        #expect(latest.summary == "production: on → off; staging: on → off")
        // Killing again changes nothing and writes no revision.
        let again = try await store.kill(flag: "new-checkout", environments: ["production"], change: admin)
        #expect(again.versions.isEmpty)
        #expect(again.value.revision == 3)
    }

    @Test(arguments: StoreBackend.allCases) func noOpToggleWritesNoRevision(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        _ = try await fixture.store.createFlag(checkoutFlag(), change: admin)
        let result = try await fixture.store.setEnabled(flag: "new-checkout", environment: "production", enabled: true, ifRevision: nil, change: admin)
        #expect(result.value.revision == 1)
        #expect(result.versions.isEmpty)
    }

    @Test(arguments: StoreBackend.allCases) func stateChangeBumpsOnlyItsEnvironment(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        _ = try await fixture.store.createFlag(checkoutFlag(), change: admin)
        let result = try await fixture.store.setEnabled(flag: "new-checkout", environment: "staging", enabled: true, ifRevision: nil, change: admin)
        #expect(result.versions == ["staging": 2])
        #expect(try await fixture.store.environments().map(\.version) == [1, 1, 2])  // development, production, staging
    }

    @Test(arguments: StoreBackend.allCases) func archiveHidesAndUnarchiveRestores(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        _ = try await store.createFlag(checkoutFlag(), change: admin)
        let archived = try await store.setArchived(flag: "new-checkout", archived: true, change: admin)
        #expect(archived.value.flag.archived)
        #expect(archived.versions.count == 3)
        #expect(try await store.flags(includeArchived: false).isEmpty)
        #expect(try await store.flags(includeArchived: true).count == 1)
        #expect(try await store.snapshot(environment: "production").flags.isEmpty)
        _ = try await store.setArchived(flag: "new-checkout", archived: false, change: admin)
        #expect(try await store.snapshot(environment: "production").flags.map(\.key) == ["new-checkout"])
        #expect(try await store.revisions(flag: "new-checkout", environment: nil).map(\.summary) == ["unarchived", "archived", "created"])
    }

    @Test(arguments: StoreBackend.allCases) func invalidFlagIsRefusedWithFieldPath(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        var flag = checkoutFlag()
        flag.environments["production"]?.rules = [Rule(clauses: [Clause(attribute: "plan", .in, ["pro"])], serve: .variant("blue"))]
        let error = await #expect(throws: StoreError.self) { try await fixture.store.createFlag(flag, change: admin) }
        guard case .invalid(let validation)? = error?.kind else {
            Issue.record("expected invalid, got \(String(describing: error))")
            return
        }
        #expect(validation.path == "environments.production.rules[0].serve.variant")
        #expect(error?.field == "environments.production.rules[0].serve.variant")
        #expect(try await fixture.store.flags(includeArchived: true).isEmpty)
    }

    @Test(arguments: StoreBackend.allCases) func stateForUnknownEnvironmentIsNotFound(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        var flag = checkoutFlag()
        flag.environments["qa"] = FlagState(enabled: true)
        let error = await #expect(throws: StoreError.self) { try await fixture.store.createFlag(flag, change: admin) }
        #expect(error?.kind == .notFound)
        #expect(error?.field == "environments.qa")
        _ = try await fixture.store.createFlag(checkoutFlag(), change: admin)
        let toggle = await #expect(throws: StoreError.self) {
            try await fixture.store.setEnabled(flag: "new-checkout", environment: "qa", enabled: true, ifRevision: nil, change: admin)
        }
        #expect(toggle?.kind == .notFound)
    }

    @Test(arguments: StoreBackend.allCases) func newEnvironmentCanBeAdded(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        _ = try await store.createFlag(checkoutFlag(), change: admin)
        let qa = try await store.createEnvironment("qa", change: admin)
        #expect(qa.key == "qa")
        let duplicate = await #expect(throws: StoreError.self) { try await store.createEnvironment("qa", change: admin) }
        #expect(duplicate?.kind == .conflict)
        let invalid = await #expect(throws: StoreError.self) { try await store.createEnvironment("Q A", change: admin) }
        #expect(invalid?.field == "key")
        let on = try await store.setEnabled(flag: "new-checkout", environment: "qa", enabled: true, ifRevision: nil, change: admin)
        #expect(on.versions == ["qa": 1])
    }

    @Test(arguments: [Int64(1), 5]) func doubleFlagValuesRoundTrip(value: Int64) async throws {
        let fixture = try StoreFixture()
        let flag = Flag(key: "ratio", type: .double, variants: [
            Variant(key: "low", value: .integer(value)), Variant(key: "high", value: .double(2.5)),
        ], offVariant: "low")
        let created = try await fixture.store.createFlag(flag, change: admin)
        #expect(created.value.flag.variants[0].value == .double(Double(value)))
        // Writing it back unchanged is a no-op, not a spurious revision.
        let same = try await fixture.store.updateFlag(created.value.flag, ifRevision: 1, change: admin)
        #expect(same.value.revision == 1)
    }
}
