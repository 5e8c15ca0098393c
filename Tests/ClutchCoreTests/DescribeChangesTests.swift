import ClutchCore
import Testing

/// `Describe.changes`: what a change does, in the plain words the console's pending change,
/// history and restore previews and the CLI's `diff` and `rollback` use.
@Suite struct DescribeChangesTests {
    static let off = Flag(key: "new-checkout", environments: ["production": FlagState(enabled: true), "staging": FlagState(enabled: false)])

    @Test func targetingTwoCustomersSaysWhoNowGetsWhatAndThatEveryoneElseStillGetsOff() {
        var before = Self.off
        before.environments["production"]?.default = .variant("off")
        var after = before
        after.environments["production"]?.targets = [Target(variant: "on", attribute: "customerId", values: ["acme", "globex"])]
        #expect(Describe.changes(from: before, to: after) == ["production: acme and globex now get “on”; everyone else still gets “off”"])
        #expect(Describe.changes(from: after, to: before) == ["production: acme and globex are no longer targeted; everyone still gets “off”"])
    }

    @Test func switchingAndRolloutsArePlainWordsNotPaths() {
        var after = Self.off
        after.environments["staging"] = FlagState(
            enabled: true,
            default: .rollout(Rollout(bucketBy: "customerId", weights: [.init(variant: "on", weight: 25_000), .init(variant: "off", weight: 75_000)])))
        #expect(Describe.changes(from: Self.off, to: after) == [
            "staging: switched on; everyone now gets a rollout: 25% “on”, 75% “off”, sticky by customerId (was “on”)",
        ])
        #expect(Describe.changes(from: Self.off, to: after, environment: "production").isEmpty, "only the environment asked about")
    }

    @Test func rulesAreNamedByWhoTheyServe() {
        var after = Self.off
        after.environments["production"]?.rules = [
            Rule(id: "a", clauses: [Clause(attribute: "role", .in, ["admin"])], serve: .variant("on")),
            Rule(id: "b", clauses: [.inCohort("beta")], serve: .variant("on")),
            Rule(id: "c", clauses: [Clause(attribute: "plan", .in, ["pro"])], serve: .variant("off")),
        ]
        after.environments["production"]?.default = .variant("off")
        let lines = Describe.changes(from: Self.off, to: after)
        #expect(lines == [
            "production: admins now get “on”; cohort beta now get “on”; contexts where plan in pro now get “off”; everyone else now gets “off” (was “on”)",
        ])
        var served = after
        served.environments["production"]?.rules[2].serve = .variant("on")
        #expect(Describe.changes(from: after, to: served) == ["production: contexts where plan in pro now get “on” (was “off”); everyone else still gets “off”"])
        var reordered = after
        reordered.environments["production"]?.rules.swapAt(0, 2)
        #expect(Describe.changes(from: after, to: reordered) == ["production: rules reordered (the first that matches decides); everyone else still gets “off”"])
    }

    @Test func theFlagsOwnFieldsComeFirst() {
        var after = Self.off
        after.description = "One-page checkout"
        after.tags = ["checkout"]
        after.kind = .experiment
        after.archived = true
        after.variants.append(Variant(key: "maybe", value: .bool(false)))
        #expect(Describe.changes(from: Self.off, to: after) == [
            "Archived.", "Now an experiment flag (was a release).", "Description: “One-page checkout”.", "Tagged checkout.",
            "New variant “maybe” serving false.",
        ])
    }

    @Test func creationAndDeletionAreOneSentenceEach() {
        let created = Describe.changes(from: nil, to: Self.off)
        #expect(created == [
            "new-checkout is created: a release boolean flag with variants “on” = true, “off” = false; when off, everyone gets “off”.",
            "production: Everyone gets “on”",
        ])
        #expect(Describe.changes(from: Self.off, to: nil) == ["new-checkout is deleted (its history stays)."])
        #expect(Describe.changes(from: Self.off, to: Self.off).isEmpty)
    }

    @Test func editsWhileOffSayItStaysOff() {
        var after = Self.off
        after.environments["staging"]?.targets = [Target(variant: "on", attribute: "customerId", values: ["acme"])]
        #expect(Describe.changes(from: Self.off, to: after) == [
            "staging: acme now gets “on”; it stays off: everyone gets “off” until it is switched on",
        ])
    }
}
