import Foundation
import Testing

@testable import ClutchCore

/// Instructions are pure edits of one environment's state: each kind as a table of cases,
/// and the errors that name the instruction and field.
@Suite("Instructions")
struct InstructionTests {
    static let base = Flag(key: "checkout", environments: ["production": FlagState(
        enabled: false,
        targets: [Target(variant: "off", attribute: "customerId", values: ["globex"])],
        rules: [
            Rule(id: "admins", clauses: [Clause(attribute: "role", .in, ["admin"])], serve: .variant("on")),
            Rule(id: "beta", clauses: [.inCohort("beta")], serve: .variant("on")),
        ])])

    static func ids() -> () -> String {
        var next = 0
        return {
            next += 1
            return "new\(next)"
        }
    }

    static func apply(_ instructions: [Instruction]) throws -> FlagState {
        try base.applying(instructions, environment: "production", newRuleID: ids()).state(in: "production")
    }

    @Test func turnOnAndOff() throws {
        #expect(try Self.apply([.turnOn]).enabled)
        #expect(try !Self.apply([.turnOn, .turnOff]).enabled)
    }

    @Test func targetsMoveBetweenVariantsAndEmptyTargetsGo() throws {
        let state = try Self.apply([.addTargets(variant: "on", attribute: "customerId", values: ["acme", "globex", "acme"])])
        #expect(state.targets == [Target(variant: "on", attribute: "customerId", values: ["acme", "globex"])])
        let removed = try Self.apply([.removeTargets(variant: nil, attribute: "customerId", values: ["globex"])])
        #expect(removed.targets.isEmpty)
        let onlyOn = try Self.apply([.removeTargets(variant: "on", attribute: "customerId", values: ["globex"])])
        #expect(onlyOn.targets.count == 1, "globex gets off, not on: nothing removed")
    }

    @Test func rulesAreAddressedByID() throws {
        let added = try Self.apply([.addRule(Rule(clauses: [Clause(attribute: "plan", .in, ["pro"])], serve: .variant("on")), position: 0)])
        #expect(added.rules.map(\.id) == ["new1", "admins", "beta"])
        let moved = try Self.apply([.moveRule(id: "beta", position: 0), .removeRule(id: "admins")])
        #expect(moved.rules.map(\.id) == ["beta"])
        let served = try Self.apply([.updateRuleServe(id: "beta", serve: .variant("off"))])
        #expect(served.rules[1].serve == .variant("off"))
        let appended = try Self.apply([.addRule(Rule(id: "mine", clauses: [Clause(attribute: "x", .exists)], serve: .variant("on")), position: nil)])
        #expect(appended.rules.map(\.id) == ["admins", "beta", "mine"])
    }

    @Test func defaultsAndRollouts() throws {
        #expect(try Self.apply([.setDefault(.variant("off"))]).default == .variant("off"))
        let rollout = try Self.apply([.setRollout(percent: 25, variant: nil, weights: nil, bucketBy: "customerId")])
        #expect(rollout.default == .rollout(.percentage(25, of: "on", rest: "off", bucketBy: "customerId")))
        let weights = [Rollout.Weight(variant: "on", weight: 60_000), Rollout.Weight(variant: "off", weight: 40_000)]
        let weighted = try Self.apply([.setRollout(percent: nil, variant: nil, weights: weights, bucketBy: nil)])
        #expect(weighted.default == .rollout(Rollout(bucketBy: "targetingKey", weights: weights)))
        let flag = try Self.base.applying([.setOffVariant("on")], environment: "production", newRuleID: Self.ids())
        #expect(flag.offVariant == "on")
    }

    @Test func kindAndOwnerAreSetFlagWideAndANullOwnerRemovesIt() throws {
        let flag = try Self.base.applying([.setKind(.killSwitch), .setOwner("ann@example.com")], environment: "production", newRuleID: Self.ids())
        #expect(flag.kind == .killSwitch && flag.owner == "ann@example.com")
        #expect(try flag.applying([.setOwner(nil)], environment: "staging", newRuleID: Self.ids()).owner == nil)
        let flagWide: [Instruction] = [.setKind(.release), .setOwner(nil), .setOffVariant("on")]
        #expect(flagWide.filter(\.isFlagWide).count == 3)
        #expect(!Instruction.turnOn.isFlagWide)
        #expect(throws: DecodingError.self) { try ClutchJSON.decode(Instruction.self, from: Data(#"{"kind": "setOwner"}"#.utf8)) }
        #expect(throws: DecodingError.self) { try ClutchJSON.decode(Instruction.self, from: Data(#"{"kind": "setKind", "flagKind": "forever"}"#.utf8)) }
        #expect(try ClutchJSON.decode(Instruction.self, from: Data(#"{"kind": "setOwner", "owner": null}"#.utf8)) == .setOwner(nil))
    }

    static let errors: [(instructions: [Instruction], path: String)] = [
        ([.turnOn, .removeRule(id: "nope")], "instructions[1].ruleId"),
        ([.addTargets(variant: "maybe", attribute: "customerId", values: ["a"])], "instructions[0].variant"),
        ([.addTargets(variant: "on", attribute: "customerId", values: [])], "instructions[0].values"),
        ([.removeTargets(variant: nil, attribute: "customerId", values: [])], "instructions[0].values"),
        ([.addRule(Rule(clauses: [], serve: .variant("on")), position: 7)], "instructions[0].position"),
        ([.addRule(Rule(id: "beta", clauses: [], serve: .variant("on")), position: nil)], "instructions[0].rule.id"),
        ([.moveRule(id: "beta", position: 2)], "instructions[0].position"),
        ([.setRollout(percent: 120, variant: nil, weights: nil, bucketBy: nil)], "instructions[0].percent"),
        ([.setRollout(percent: nil, variant: nil, weights: nil, bucketBy: nil)], "instructions[0].percent"),
        ([.setRollout(percent: 5, variant: "nope", weights: nil, bucketBy: nil)], "instructions[0].variant"),
        ([.setOffVariant("nope")], "instructions[0].variant"),
        ([.turnOn, .setOwner("bob")], "instructions[1].owner"),
        ([.addPrerequisite(flag: "checkout", variant: "on")], "instructions[0].flag"),
        ([.addPrerequisite(flag: "", variant: "on")], "instructions[0].flag"),
        ([.addPrerequisite(flag: "payments", variant: "")], "instructions[0].variant"),
        ([.turnOn, .removePrerequisite(flag: "payments")], "instructions[1].flag"),
    ]

    @Test func prerequisitesAreAddedReplacedInPlaceAndRemoved() throws {
        let added = try Self.apply([.addPrerequisite(flag: "payments", variant: "on"), .addPrerequisite(flag: "risk", variant: "low")])
        #expect(added.prerequisites == [Prerequisite(flag: "payments", variant: "on"), Prerequisite(flag: "risk", variant: "low")])
        let replaced = try Self.apply([
            .addPrerequisite(flag: "payments", variant: "on"), .addPrerequisite(flag: "risk", variant: "low"),
            .addPrerequisite(flag: "payments", variant: "off"),
        ])
        #expect(replaced.prerequisites == [Prerequisite(flag: "payments", variant: "off"), Prerequisite(flag: "risk", variant: "low")])
        let removed = try Self.apply([.addPrerequisite(flag: "payments", variant: "on"), .removePrerequisite(flag: "payments")])
        #expect(removed.prerequisites.isEmpty)
    }

    @Test(arguments: errors.indices)
    func aBadInstructionNamesItsIndexAndField(_ index: Int) {
        let item = Self.errors[index]
        #expect {
            _ = try Self.base.applying(item.instructions, environment: "production", newRuleID: Self.ids())
        } throws: { error in
            (error as? ValidationError)?.issues.first?.path == item.path
        }
    }

    @Test func jsonRoundTripsAndRefusesStrangers() throws {
        let all: [Instruction] = [
            .turnOn, .turnOff, .addTargets(variant: "on", attribute: "customerId", values: ["a"]),
            .removeTargets(variant: nil, attribute: "targetingKey", values: ["u"]),
            .addRule(Rule(clauses: [Clause(attribute: "x", .exists)], serve: .variant("on")), position: 1),
            .removeRule(id: "r1"), .moveRule(id: "r1", position: 0), .updateRuleServe(id: "r1", serve: .variant("off")),
            .setDefault(.variant("on")), .setRollout(percent: 5, variant: "on", weights: nil, bucketBy: "customerId"),
            .setOffVariant("off"), .addPrerequisite(flag: "payments", variant: "on"), .removePrerequisite(flag: "payments"),
            .setKind(.killSwitch), .setOwner("ann@example.com"), .setOwner(nil),
        ]
        #expect(Set(all.map(\.kind)) == Set(Instruction.kinds))
        let data = try ClutchJSON.encode(all)
        #expect(try ClutchJSON.decode([Instruction].self, from: data) == all)
        #expect(throws: DecodingError.self) { try ClutchJSON.decode(Instruction.self, from: Data(#"{"kind": "turnSideways"}"#.utf8)) }
        #expect(throws: DecodingError.self) { try ClutchJSON.decode(Instruction.self, from: Data(#"{"kind": "turnOn", "values": []}"#.utf8)) }
        let defaults = try ClutchJSON.decode(Instruction.self, from: Data(#"{"kind": "addTargets", "variant": "on", "values": ["u"]}"#.utf8))
        #expect(defaults == .addTargets(variant: "on", attribute: "targetingKey", values: ["u"]))
        let required = try ClutchJSON.decode(Instruction.self, from: Data(#"{"kind": "addPrerequisite", "flag": "payments", "variant": "on"}"#.utf8))
        #expect(required == .addPrerequisite(flag: "payments", variant: "on"))
        #expect(throws: DecodingError.self) { try ClutchJSON.decode(Instruction.self, from: Data(#"{"kind": "removePrerequisite", "flag": "p", "variant": "on"}"#.utf8)) }
        #expect(throws: DecodingError.self) { try ClutchJSON.decode(Instruction.self, from: Data(#"{"kind": "addPrerequisite", "flag": "p"}"#.utf8)) }
    }

    @Test func ruleIDsAreKeptForRulesWrittenBackWithoutThem() {
        var written = Self.base
        written.environments["production"]?.rules = Self.base.state(in: "production").rules.map { rule in
            var rule = rule
            rule.id = nil
            return rule
        } + [Rule(clauses: [Clause(attribute: "y", .exists)], serve: .variant("on"))]
        let assigned = written.assigningRuleIDs(keeping: Self.base)
        let ids = assigned.state(in: "production").rules.map(\.id)
        #expect(ids[0] == "admins" && ids[1] == "beta")
        #expect(ids[2].map(RuleID.isValid) == true)
        var invalid = Self.base
        invalid.environments["production"]?.rules[1].id = "admins"
        #expect(invalid.validationIssues().contains { $0.path == "environments.production.rules[1].id" })
    }
}

/// A state edited locally, sent as the instructions `instructions(to:)` gives, ends up as edited.
@Suite("Instructions from an edit")
struct EditInstructionTests {
    static func normalized(_ state: FlagState) -> FlagState {
        var state = state
        var groups: [String: Set<String>] = [:]
        for target in state.targets { groups["\(target.attribute)\u{0}\(target.variant)", default: []].formUnion(target.values) }
        state.targets = groups.keys.sorted().map { key in
            let parts = key.split(separator: "\u{0}", omittingEmptySubsequences: false).map(String.init)
            return Target(variant: parts[1], attribute: parts[0], values: groups[key, default: []].sorted())
        }
        state.rules = state.rules.map { rule in
            var rule = rule
            if rule.id?.hasPrefix("new") == true { rule.id = nil }
            return rule
        }
        return state
    }

    static func rule(_ id: String?, _ attribute: String, serve: String = "on") -> Rule {
        Rule(id: id, clauses: [Clause(attribute: attribute, .exists)], serve: .variant(serve))
    }

    @Test func randomEditsRoundTrip() throws {
        var random = SystemRandomNumberGenerator()
        var base = InstructionTests.base
        base.environments["production"]?.prerequisites = [
            Prerequisite(flag: "p0", variant: "on"), Prerequisite(flag: "p1", variant: "off"), Prerequisite(flag: "p2", variant: "on"),
        ]
        for _ in 0..<300 {
            var edited = base.state(in: "production")
            for _ in 0..<Int.random(in: 1...5, using: &random) {
                switch Int.random(in: 0..<11, using: &random) {
                case 0: edited.enabled.toggle()
                case 1: edited.addTargets(variant: Bool.random() ? "on" : "off", attribute: "customerId", values: ["c\(Int.random(in: 0..<5))"])
                case 2: edited.removeTargets(variant: nil, attribute: "customerId", values: ["c\(Int.random(in: 0..<5))", "globex"])
                case 3: edited.rules.insert(Self.rule(nil, "a\(Int.random(in: 0..<9))"), at: Int.random(in: 0...edited.rules.count))
                case 4: if !edited.rules.isEmpty { edited.rules.remove(at: Int.random(in: 0..<edited.rules.count)) }
                case 5: if edited.rules.count > 1 { edited.rules.swapAt(0, edited.rules.count - 1) }
                case 6: if !edited.rules.isEmpty { edited.rules[0].serve = .variant(Bool.random() ? "on" : "off") }
                // Prerequisites: added or given another variant, removed, reordered.
                case 7: edited.addPrerequisite(Prerequisite(flag: "p\(Int.random(in: 0..<4))", variant: Bool.random() ? "on" : "off"))
                case 8: if !edited.prerequisites.isEmpty { edited.prerequisites.remove(at: Int.random(in: 0..<edited.prerequisites.count)) }
                case 9: edited.prerequisites.shuffle(using: &random)
                default: edited.default = Bool.random() ? .variant("off") : .rollout(.percentage(30, of: "on", rest: "off"))
                }
            }
            let instructions = base.state(in: "production").instructions(to: edited, naturalDefault: base.naturalDefault)
            let applied = try base.applying(instructions, environment: "production", newRuleID: InstructionTests.ids())
            #expect(Self.normalized(applied.state(in: "production")) == Self.normalized(edited), "\(instructions)")
        }
    }

    @Test func noEditNoInstructions() {
        let state = InstructionTests.base.state(in: "production")
        #expect(state.instructions(to: state, naturalDefault: .variant("on")).isEmpty)
    }
}
