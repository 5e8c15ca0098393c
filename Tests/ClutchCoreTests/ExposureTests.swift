import Testing

@testable import ClutchCore

/// Governance's one rule of what may skip review and pass a block: only a change after which the
/// environment serves, at most, what the flag gives when off.
@Suite("Exposure")
struct ExposureTests {
    static let on = Flag(key: "checkout", environments: [
        "production": FlagState(enabled: true, rules: [Rule(id: "admins", clauses: [Clause(attribute: "role", .in, ["admin"])], serve: .variant("on"))]),
        "staging": FlagState(enabled: true),
    ])

    static func with(_ flag: Flag, _ edit: (inout Flag) -> Void) -> Flag {
        var flag = flag
        edit(&flag)
        return flag
    }

    static func exposure(_ after: Flag, before: Flag? = on, in environment: String = "production") -> ExposureChange {
        Flag.exposureChange(from: before, to: after, in: environment)
    }

    @Test func turningOffAndKillingOnlyTakeAway() throws {
        let off = try Self.on.applying([.turnOff], environment: "production", newRuleID: { "r" })
        #expect(Self.exposure(off) == .turnsOff)
        #expect(Self.exposure(off).onlyTakesAway)
        #expect(Self.exposure(off, in: "staging") == .unchanged)
    }

    @Test func turningOnTargetingAndRollingOutWiden() throws {
        let off = try Self.on.applying([.turnOff], environment: "production", newRuleID: { "r" })
        #expect(Self.exposure(try off.applying([.turnOn], environment: "production", newRuleID: { "r" }), before: off) == .widens)
        for instruction: Instruction in [
            .addTargets(variant: "on", attribute: "customerId", values: ["acme"]), .removeRule(id: "admins"),
            .setRollout(percent: 5, variant: "on", weights: nil, bucketBy: nil),
        ] {
            #expect(Self.exposure(try Self.on.applying([instruction], environment: "production", newRuleID: { "r" })) == .widens)
        }
    }

    @Test func anEditWhileOffThatChangesTheOffAnswerWidens() throws {
        let off = try Self.on.applying([.turnOff], environment: "production", newRuleID: { "r" })
        let rules = try off.applying([.removeRule(id: "admins")], environment: "production", newRuleID: { "r" })
        #expect(Self.exposure(rules, before: off) == .unchanged)
        let offOn = Self.with(off) { $0.offVariant = "on" }
        #expect(Self.exposure(offOn, before: off) == .widens)
        let revalued = Self.with(off) { $0.variants = $0.variants.map { Variant(key: $0.key, value: $0.key == "off" ? .bool(true) : $0.value) } }
        #expect(Self.exposure(revalued, before: off) == .widens)
    }

    @Test func metadataChangesNothingAndDeletingOrArchivingWidens() {
        #expect(Self.exposure(Self.with(Self.on) { $0.description = "new words" }) == .unchanged)
        #expect(Self.exposure(Self.with(Self.on) { $0.archived = true }) == .widens)
        #expect(Flag.exposureChange(from: Self.on, to: nil, in: "production") == .widens)
        #expect(Flag.exposureChange(from: nil, to: nil, in: "production") == .unchanged)
    }

    @Test func aFlagCreatedOffOnlyTakesAwayAndOneCreatedOnWidens() {
        let created = Flag(key: "new", environments: ["production": FlagState(enabled: false)])
        #expect(Self.exposure(created, before: nil) == .turnsOff)
        #expect(Self.exposure(Self.on, before: nil) == .widens)
    }
}
