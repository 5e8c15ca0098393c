import ClutchCore
import ClutchStore
import Foundation
import Testing

/// Prerequisites across flags are checked inside the write's transaction, whatever the write
/// (instructions, a whole flag or state, an import), and a flag others require stays.
@Suite("Prerequisites")
struct PrerequisiteStoreTests {
    /// `payments-v2` (boolean) and `new-checkout`, which requires it serving `on` in production.
    static func fixture(_ backend: StoreBackend) async throws -> BackendFixture {
        let fixture = try await BackendFixture(backend)
        _ = try await fixture.store.createFlag(Flag(key: "payments-v2"), change: admin)
        _ = try await fixture.store.createFlag(Flag(key: "new-checkout"), change: admin)
        _ = try await fixture.store.apply(
            [.addPrerequisite(flag: "payments-v2", variant: "on")], flag: "new-checkout", environment: "production",
            ifRevision: nil, dryRun: false, change: admin)
        return fixture
    }

    /// The validation issues of a refused write, or none when it was not refused as invalid.
    static func issues(_ error: StoreError?) -> [ValidationIssue] {
        guard case .invalid(let validation)? = error?.kind else { return [] }
        return validation.issues
    }

    @Test(arguments: StoreBackend.allCases) func aPrerequisiteIsStoredAndFlagsWithoutOneKeepTheirBytes(_ backend: StoreBackend) async throws {
        let fixture = try await Self.fixture(backend)
        let checkout = try await fixture.store.flag("new-checkout")
        #expect(checkout.flag.state(in: "production").prerequisites == [Prerequisite(flag: "payments-v2", variant: "on")])
        #expect(checkout.flag.state(in: "staging").prerequisites.isEmpty, "per environment")
        #expect(try await fixture.store.revision(flag: "new-checkout", number: 2).summary == "production: requires payments-v2 serving on")
        let snapshot = try await fixture.store.snapshot(environment: "staging")
        let text = String(decoding: try ClutchJSON.encode(snapshot), as: UTF8.self)
        #expect(!text.contains("prerequisites"), "left out when empty: \(text)")
    }

    @Test(arguments: [
        ("ghost", "on", "environments.production.prerequisites[1].flag", "flag 'ghost' does not exist"),
        ("payments-v2", "maybe", "environments.production.prerequisites[0].variant", "no variant 'maybe'"),
    ])
    func refusedNamingThePath(_ required: String, _ variant: String, _ path: String, _ message: String) async throws {
        let fixture = try await Self.fixture(.sqlite)
        let before = try await fixture.store.flag("new-checkout").revision
        let error = await #expect(throws: StoreError.self) {
            try await fixture.store.apply(
                [.addPrerequisite(flag: required, variant: variant)], flag: "new-checkout", environment: "production",
                ifRevision: nil, dryRun: false, change: admin)
        }
        let issue = try #require(Self.issues(error).first, "\(String(describing: error))")
        #expect(issue.path == path)
        #expect(issue.message.contains(message), "\(issue)")
        #expect(try await fixture.store.flag("new-checkout").revision == before, "nothing written")
    }

    @Test(arguments: StoreBackend.allCases) func cyclesAcrossFlagsAreRefusedPerEnvironment(_ backend: StoreBackend) async throws {
        let fixture = try await Self.fixture(backend)
        let store = fixture.store
        let error = await #expect(throws: StoreError.self) {
            try await store.apply(
                [.addPrerequisite(flag: "new-checkout", variant: "on")], flag: "payments-v2", environment: "production",
                ifRevision: nil, dryRun: false, change: admin)
        }
        #expect(Self.issues(error).map(\.description) == [
            "environments.production.prerequisites[0].flag: cycle payments-v2 → new-checkout → payments-v2",
        ])
        // Through a third flag, written whole (PUT).
        _ = try await store.createFlag(Flag(key: "risk", environments: [
            "production": FlagState(prerequisites: [Prerequisite(flag: "new-checkout", variant: "on")]),
        ]), change: admin)
        var payments = try await store.flag("payments-v2").flag
        payments.environments["production"]?.prerequisites = [Prerequisite(flag: "risk", variant: "on")]
        let longer = await #expect(throws: StoreError.self) { try await store.updateFlag(payments, ifRevision: nil, change: admin) }
        #expect(Self.issues(longer).first?.message == "cycle payments-v2 → risk → new-checkout → payments-v2")
        // The same edge in another environment is no cycle.
        let staging = try await store.apply(
            [.addPrerequisite(flag: "new-checkout", variant: "on")], flag: "payments-v2", environment: "staging",
            ifRevision: nil, dryRun: false, change: admin)
        #expect(staging.value.record.flag.state(in: "staging").prerequisites.count == 1)
        // A state replaced alone reports paths relative to the state.
        let state = await #expect(throws: StoreError.self) {
            try await store.updateState(
                flag: "payments-v2", environment: "production",
                state: FlagState(prerequisites: [Prerequisite(flag: "new-checkout", variant: "on")]), ifRevision: nil, change: admin)
        }
        #expect(Self.issues(state).map(\.path) == ["prerequisites[0].flag"])
    }

    @Test(arguments: StoreBackend.allCases) func aFlagRequiringItselfIsRefused(_ backend: StoreBackend) async throws {
        let fixture = try await Self.fixture(backend)
        let error = await #expect(throws: StoreError.self) {
            try await fixture.store.apply(
                [.addPrerequisite(flag: "new-checkout", variant: "on")], flag: "new-checkout", environment: "production",
                ifRevision: nil, dryRun: false, change: admin)
        }
        #expect(Self.issues(error).map(\.path) == ["instructions[0].flag"])
    }

    @Test(arguments: StoreBackend.allCases) func aRequiredFlagCannotBeDeletedOrArchivedEvenWithForce(_ backend: StoreBackend) async throws {
        let fixture = try await Self.fixture(backend)
        let store = fixture.store
        let deleted = await #expect(throws: StoreError.self) { try await store.deleteFlag("payments-v2", force: true, change: admin) }
        #expect(deleted?.kind == .conflict)
        #expect(deleted?.message.contains("prerequisite of 'new-checkout' (production)") == true, "\(String(describing: deleted))")
        #expect(deleted?.message.contains("clutch prerequisites remove new-checkout --requires payments-v2 --env production") == true)
        let archived = await #expect(throws: StoreError.self) { try await store.setArchived(flag: "payments-v2", archived: true, change: admin) }
        #expect(archived?.kind == .conflict)
        #expect(archived?.message.contains("'new-checkout'") == true)
        #expect(try await store.flag("payments-v2").flag.archived == false)
        // Nor archived through a whole-flag write.
        var whole = try await store.flag("payments-v2").flag
        whole.archived = true
        let put = await #expect(throws: StoreError.self) { try await store.updateFlag(whole, ifRevision: nil, change: admin) }
        #expect(Self.issues(put).map(\.path) == ["archived"])

        let removed = try await store.apply(
            [.removePrerequisite(flag: "payments-v2")], flag: "new-checkout", environment: "production",
            ifRevision: nil, dryRun: false, change: admin)
        #expect(try await store.revision(flag: "new-checkout", number: removed.value.record.revision).summary
            == "production: no longer requires payments-v2")
        _ = try await store.setArchived(flag: "payments-v2", archived: true, change: admin)
        _ = try await store.deleteFlag("payments-v2", force: true, change: admin)
        await #expect(throws: StoreError.self) { try await store.flag("payments-v2") }
    }

    @Test(arguments: StoreBackend.allCases) func aRequiredFlagKeepsTheVariantItsDependentsNeed(_ backend: StoreBackend) async throws {
        let fixture = try await Self.fixture(backend)
        var payments = try await fixture.store.flag("payments-v2").flag
        payments.variants = [Variant(key: "enabled", value: .bool(true)), Variant(key: "off", value: .bool(false))]
        let error = await #expect(throws: StoreError.self) { try await fixture.store.updateFlag(payments, ifRevision: nil, change: admin) }
        #expect(Self.issues(error).map(\.path) == ["variants"])
        #expect(Self.issues(error).first?.message.contains("'new-checkout' in production") == true)
    }

    @Test(arguments: StoreBackend.allCases) func importsCheckPrerequisitesAmongTheirFlagsAndTheStoredOnes(_ backend: StoreBackend) async throws {
        let fixture = try await Self.fixture(backend)
        let store = fixture.store
        // Two new flags that require each other, and one that requires a stored flag.
        let cycle = ClutchDocument(flags: [
            Flag(key: "a", environments: ["production": FlagState(prerequisites: [Prerequisite(flag: "b", variant: "on")])]),
            Flag(key: "b", environments: ["production": FlagState(prerequisites: [Prerequisite(flag: "a", variant: "on")])]),
        ])
        let error = await #expect(throws: StoreError.self) { try await store.importDocument(cycle, dryRun: false, change: admin) }
        #expect(Self.issues(error).map(\.description) == [
            "flags[0].environments.production.prerequisites[0].flag: cycle a → b → a",
            "flags[1].environments.production.prerequisites[0].flag: cycle b → a → b",
        ])
        await #expect(throws: StoreError.self) { try await store.flag("a") }

        let chain = ClutchDocument(flags: [
            Flag(key: "a", environments: ["production": FlagState(prerequisites: [Prerequisite(flag: "b", variant: "on")])]),
            Flag(key: "b", environments: ["production": FlagState(prerequisites: [Prerequisite(flag: "payments-v2", variant: "off")])]),
        ])
        _ = try await store.importDocument(chain, dryRun: false, change: admin)
        #expect(try await store.flag("a").flag.state(in: "production").prerequisites.first?.flag == "b")
        // An import that closes a cycle through a stored flag is refused too.
        var payments = try await store.flag("payments-v2").flag
        payments.environments["production"]?.prerequisites = [Prerequisite(flag: "a", variant: "on")]
        let closing = await #expect(throws: StoreError.self) {
            try await store.importDocument(ClutchDocument(flags: [payments]), dryRun: false, change: admin)
        }
        #expect(Self.issues(closing).first?.message == "cycle payments-v2 → a → b → payments-v2")
    }
}
