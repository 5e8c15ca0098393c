import ClutchCore
import ClutchStore
import Testing

@Suite("Cohorts")
struct CohortTests {
    let beta = Cohort(key: "beta", members: ["acme", "globex"])

    @Test(arguments: StoreBackend.allCases) func createUpdateMembersDelete(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        let created = try await store.createCohort(beta, environment: "production", change: admin)
        #expect(created.value.revision == 1)
        #expect(created.versions == ["production": 1])
        let duplicate = await #expect(throws: StoreError.self) { try await store.createCohort(beta, environment: "production", change: admin) }
        #expect(duplicate?.kind == .conflict)
        // Cohorts are per environment.
        #expect(try await store.cohorts(environment: "staging").isEmpty)

        let members = try await store.updateMembers(cohort: "beta", environment: "production", add: ["initech", "acme"], remove: ["globex"], change: admin)
        #expect(members.value.added == ["initech"])
        #expect(members.value.removed == ["globex"])
        #expect(members.value.size == 2)
        #expect(members.value.revision == 2)
        // The change itself travels with the commit: the server applies it without reading the cohort.
        #expect(members.touched.members == ["production": ["beta": MemberChange(added: ["initech"], removed: ["globex"])]])
        #expect(members.touched.cohorts.isEmpty)
        #expect(members.touched.previousVersions == ["production": 1])
        let read = try await store.cohort("beta", environment: "production")
        #expect(read.cohort.members == ["acme", "initech"])

        var edited = read.cohort
        edited.description = "beta testers"
        let stale = await #expect(throws: StoreError.self) {
            try await store.updateCohort(edited, environment: "production", ifRevision: 1, change: admin)
        }
        #expect(stale?.kind == .conflict)
        let updated = try await store.updateCohort(edited, environment: "production", ifRevision: 2, change: admin)
        #expect(updated.value.cohort.description == "beta testers")

        let deleted = try await store.deleteCohort("beta", environment: "production", change: admin)
        #expect(deleted.versions == ["production": 4])
        let gone = await #expect(throws: StoreError.self) { try await store.cohort("beta", environment: "production") }
        #expect(gone?.kind == .notFound)
        let events = try await store.auditEvents(since: nil, flag: nil, limit: 10).filter { $0.entity == "cohort" }
        #expect(events.map(\.action) == ["delete", "update", "members", "create"])
    }

    @Test(arguments: StoreBackend.allCases) func invalidCohortIsRefused(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let error = await #expect(throws: StoreError.self) {
            try await fixture.store.createCohort(Cohort(key: "empty"), environment: "production", change: admin)
        }
        #expect(error?.field == "members")
        let unknown = await #expect(throws: StoreError.self) {
            try await fixture.store.createCohort(beta, environment: "nowhere", change: admin)
        }
        #expect(unknown?.kind == .notFound)
        // Removing the last member would leave an invalid cohort.
        _ = try await fixture.store.createCohort(Cohort(key: "one", members: ["acme"]), environment: "production", change: admin)
        await #expect(throws: StoreError.self) {
            try await fixture.store.updateMembers(cohort: "one", environment: "production", add: [], remove: ["acme"], change: admin)
        }
        #expect(try await fixture.store.cohort("one", environment: "production").cohort.members == ["acme"])
    }

    @Test(arguments: StoreBackend.allCases) func cohortInUseCannotBeDeleted(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        _ = try await store.createCohort(beta, environment: "production", change: admin)
        var flag = checkoutFlag()
        flag.environments["production"]?.rules = [Rule(clauses: [.inCohort("beta")], serve: .variant("on"))]
        _ = try await store.createFlag(flag, change: admin)
        _ = try await store.createFlag(Flag(key: "other", environments: flag.environments), change: admin)
        let error = await #expect(throws: StoreError.self) { try await store.deleteCohort("beta", environment: "production", change: admin) }
        #expect(error?.kind == .conflict)
        #expect(error?.message.contains("'new-checkout'") == true)
        #expect(error?.message.contains("'other'") == true)
        #expect(try await store.cohort("beta", environment: "production").revision == 1)
    }

    @Test(arguments: StoreBackend.allCases) func ruleNamingUnknownCohortIsInvalid(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        _ = try await fixture.store.createCohort(beta, environment: "staging", change: admin)
        var flag = checkoutFlag()
        flag.environments["production"]?.rules = [Rule(clauses: [.inCohort("beta")], serve: .variant("on"))]
        let error = await #expect(throws: StoreError.self) { try await fixture.store.createFlag(flag, change: admin) }
        #expect(error?.field == "environments.production.rules[0].clauses[0].cohort")
    }
}
