import ClutchCore
import ClutchStore
import Foundation
import Testing

@Suite("Snapshots, export and import")
struct SnapshotImportTests {
    func populate(_ store: any ClutchStoring) async throws {
        _ = try await store.createCohort(Cohort(key: "beta", members: ["acme"]), environment: "production", change: admin)
        var flag = checkoutFlag()
        flag.environments["production"]?.rules = [Rule(clauses: [.inCohort("beta")], serve: .variant("on"))]
        _ = try await store.createFlag(flag, change: admin)
        _ = try await store.createFlag(Flag(key: "banner", type: .string, variants: [
            Variant(key: "blue", value: "#00f"), Variant(key: "red", value: "#f00"),
        ], offVariant: "blue"), change: admin)
        _ = try await store.createFlag(Flag(key: "retired"), change: admin)
        _ = try await store.setArchived(flag: "retired", archived: true, change: admin)
    }

    @Test(arguments: StoreBackend.allCases) func snapshotHoldsOneEnvironmentsContentAndVersion(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        try await populate(store)
        let snapshot = try await store.snapshot(environment: "production")
        #expect(snapshot.environment == "production")
        #expect(snapshot.flags.map(\.key) == ["banner", "new-checkout"])  // archived left out
        #expect(snapshot.flags.allSatisfy { Array($0.environments.keys) == ["production"] })
        #expect(snapshot.cohorts.map(\.key) == ["beta"])
        // cohort 1, three creates, archive: 5 changes seen by production.
        #expect(snapshot.version == 5)
        #expect(try await store.snapshot(environment: "staging").cohorts.isEmpty)
        #expect(try await store.snapshot(environment: "staging").version == 4)
        // The engine evaluates the snapshot as stored.
        let engine = Engine(snapshot)
        let result = engine.evaluate("new-checkout", context: EvaluationContext(targetingKey: "u1", attributes: ["customerId": "acme"]))
        #expect(result.variant == "on")
        let missing = await #expect(throws: StoreError.self) { try await store.snapshot(environment: "nowhere") }
        #expect(missing?.kind == .notFound)
    }

    @Test(arguments: StoreBackend.allCases) func exportImportRoundTrip(_ backend: StoreBackend) async throws {
        let source = try await BackendFixture(backend)
        try await populate(source.store)
        let document = try await source.store.export(environment: nil)
        #expect(document.flags.map(\.key) == ["banner", "new-checkout", "retired"])
        // Through JSON bytes, as the API carries it.
        let decoded = try ClutchJSON.decode(ClutchDocument.self, from: try ClutchJSON.encode(document))

        let target = try await BackendFixture(backend)
        let imported = try await target.store.importDocument(decoded, dryRun: false, change: admin)
        #expect(imported.value.changes.map(\.action) == ["create", "create", "create", "create"])
        #expect(imported.versions["production"] != nil)
        #expect(try await target.store.export(environment: nil) == document)
        #expect(try await target.store.snapshot(environment: "production").flags == (try await source.store.snapshot(environment: "production")).flags)
        #expect(try await target.store.revisions(flag: "banner", environment: nil).first?.action == "import")

        // Importing the same document again changes nothing.
        let again = try await target.store.importDocument(decoded, dryRun: false, change: admin)
        #expect(again.value.changes.allSatisfy { $0.action == "unchanged" })
        #expect(again.versions.isEmpty)
        #expect(try await target.store.flag("banner").revision == 1)
    }

    @Test(arguments: StoreBackend.allCases) func dryRunReportsTheDiffAndWritesNothing(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        try await populate(store)
        var document = try await store.export(environment: nil)
        document.flags[0].description = "new banner"
        document.flags.append(Flag(key: "brand-new"))
        let before = try await store.export(environment: nil)
        let environments = try await store.environments()
        let dry = try await store.importDocument(document, dryRun: true, change: admin)
        #expect(dry.versions.isEmpty)
        let banner = dry.value.changes.first { $0.key == "banner" }
        #expect(banner?.action == "update")
        #expect(banner?.fields == [FieldChange(path: "description", before: "", after: "new banner")])
        #expect(dry.value.changes.first { $0.key == "brand-new" }?.action == "create")
        #expect(dry.value.changes.first { $0.key == "new-checkout" }?.action == "unchanged")
        #expect(try await store.export(environment: nil) == before)
        #expect(try await store.environments() == environments)
        let real = try await store.importDocument(document, dryRun: false, change: admin)
        #expect(real.value == dry.value)
        #expect(try await store.flag("banner").flag.description == "new banner")
    }

    @Test(arguments: StoreBackend.allCases) func invalidDocumentImportsNothingAndNamesThePath(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        try await populate(store)
        let before = try await store.export(environment: nil)
        var document = ClutchDocument(flags: [Flag(key: "fine"), checkoutFlag("also-fine")], cohorts: [:])
        document.flags[1].environments["production"]?.rules = [Rule(clauses: [Clause(attribute: "plan", .in, ["pro"])], serve: .variant("blue"))]
        let error = await #expect(throws: StoreError.self) { try await store.importDocument(document, dryRun: false, change: admin) }
        #expect(error?.field == "flags[1].environments.production.rules[0].serve.variant")
        #expect(try await store.export(environment: nil) == before)
        await #expect(throws: StoreError.self) { try await store.flag("fine") }

        let badCohort = ClutchDocument(flags: [Flag(key: "fine")], cohorts: ["production": [Cohort(key: "Bad Key", members: ["x"])]])
        let cohortError = await #expect(throws: StoreError.self) { try await store.importDocument(badCohort, dryRun: true, change: admin) }
        #expect(cohortError?.field == "cohorts.production[0].key")
        let unknownEnvironment = ClutchDocument(flags: [Flag(key: "fine", environments: ["qa": FlagState()])])
        let envError = await #expect(throws: StoreError.self) { try await store.importDocument(unknownEnvironment, dryRun: false, change: admin) }
        #expect(envError?.kind == .notFound)
        #expect(envError?.field == "flags[0].environments.qa")
        #expect(try await store.export(environment: nil) == before)
    }

    @Test(arguments: StoreBackend.allCases) func importOfOneEnvironmentKeepsTheOthers(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        try await populate(store)
        _ = try await store.setEnabled(flag: "new-checkout", environment: "staging", enabled: true, ifRevision: nil, change: admin)
        var document = try await store.export(environment: "production")
        #expect(document.flags.allSatisfy { Array($0.environments.keys) == ["production"] })
        document.flags = document.flags.filter { $0.key == "new-checkout" }
        document.flags[0].environments["production"]?.enabled = false
        let result = try await store.importDocument(document, dryRun: false, change: admin)
        #expect(result.versions.keys.sorted() == ["production"])
        let flag = try await store.flag("new-checkout").flag
        #expect(flag.environments["production"]?.enabled == false)
        #expect(flag.environments["staging"]?.enabled == true)
    }
}
