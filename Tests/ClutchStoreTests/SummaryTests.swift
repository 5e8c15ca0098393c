import ClutchCore
import ClutchStore
import Testing

@Suite("Revision summaries")
struct SummaryTests {
    func summary(after change: (inout Flag) -> Void) async throws -> String {
        let fixture = try StoreFixture()
        let created = try await fixture.store.createFlag(checkoutFlag(), change: admin)
        var flag = created.value.flag
        change(&flag)
        let updated = try await fixture.store.updateFlag(flag, ifRevision: 1, change: admin)
        return try await fixture.store.revision(flag: "new-checkout", number: updated.value.revision).summary
    }

    @Test func summariesNameWhatChanged() async throws {
        #expect(try await summary { $0.variants.append(Variant(key: "maybe", value: true)) } == "variants changed")
        #expect(try await summary { $0.environments["production"]?.enabled = false } == "production: on → off")
        #expect(try await summary { $0.environments["staging"]?.default = .variant("off") } == "staging: default on → off")
        #expect(try await summary {
            $0.environments["development"]?.targets = [Target(variant: "on", values: ["u1"])]
            $0.tags = ["checkout"]
        } == "tags changed; development: targets changed")
        #expect(try await summary {
            $0.environments["production"]?.default = .rollout(.percentage(12.5, of: "on", rest: "off"))
        } == "production: rollout 10% → 12.5%")
    }

    @Test(arguments: StoreBackend.allCases) func stateErrorsNameFieldsOfTheState(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        _ = try await fixture.store.createFlag(checkoutFlag(), change: admin)
        let state = FlagState(enabled: true, rules: [Rule(clauses: [Clause(attribute: "plan", .in, ["pro"])], serve: .variant("blue"))])
        let error = await #expect(throws: StoreError.self) {
            try await fixture.store.updateState(flag: "new-checkout", environment: "production", state: state, ifRevision: nil, change: admin)
        }
        #expect(error?.field == "rules[0].serve.variant")
        #expect(error?.message.contains("unknown variant 'blue'") == true)
        #expect(try await fixture.store.flag("new-checkout").revision == 1)
    }
}
