import Foundation
import Testing

@testable import ClutchCore

/// Prerequisites in evaluation: off → prerequisites → targets → rules → default, one table of
/// cases over a small set of flags; then what a hand-made snapshot can do (cycles, self
/// references) and engine deltas that move, add and remove prerequisite flags.
@Suite("Prerequisites: evaluation")
struct PrerequisiteEvaluationTests {
    /// `payments-v2`: serves `on` to admins only (default `off`) when enabled.
    static func payments(enabled: Bool = true) -> Flag {
        Flag(key: "payments-v2", environments: ["production": FlagState(
            enabled: enabled, rules: [Rule(clauses: [Clause(attribute: "role", .in, ["admin"])], serve: .variant("on"))],
            default: .variant("off"))])
    }

    /// `new-checkout`: requires `payments-v2` serving `required`; targets `u-target` to `on`,
    /// otherwise serves `on` by default (so `off` always means something refused it).
    static func checkout(requires required: [Prerequisite] = [Prerequisite(flag: "payments-v2", variant: "on")]) -> Flag {
        Flag(key: "new-checkout", environments: ["production": FlagState(
            enabled: true, prerequisites: required, targets: [Target(variant: "on", values: ["u-target"])], default: .variant("on"))])
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let flags: [Flag]
        let context: EvaluationContext
        let variant: String?
        let reason: Reason
        let match: EvaluationResult.Match?
        var testDescription: String { name }
    }

    static let admin = context("u-target", ["role": "admin"])
    static let member = context("u-target", ["role": "member"])
    static let failed = EvaluationResult.Match.prerequisite(index: 0, flag: "payments-v2")

    static let cases: [Case] = [
        Case(name: "prerequisite on and serving on: the target applies", flags: [payments(), checkout()],
             context: admin, variant: "on", reason: .targetingMatch, match: .target(index: 0)),
        Case(name: "prerequisite holds, context not targeted: the default", flags: [payments(), checkout()],
             context: context("u-other", ["role": "admin"]), variant: "on", reason: .default, match: .default),
        Case(name: "prerequisite off: off variant, and the target is not applied", flags: [payments(enabled: false), checkout()],
             context: admin, variant: "off", reason: .prerequisiteFailed, match: failed),
        Case(name: "prerequisite serves another variant to this context", flags: [payments(), checkout()],
             context: member, variant: "off", reason: .prerequisiteFailed, match: failed),
        Case(name: "prerequisite missing from the snapshot", flags: [checkout()],
             context: admin, variant: "off", reason: .prerequisiteFailed, match: failed),
        Case(name: "requiring the off variant of a flag that is off still fails (it must be on)",
             flags: [payments(enabled: false), checkout(requires: [Prerequisite(flag: "payments-v2", variant: "off")])],
             context: member, variant: "off", reason: .prerequisiteFailed, match: failed),
        Case(name: "requiring the off variant of a flag that is on and serves it holds",
             flags: [payments(), checkout(requires: [Prerequisite(flag: "payments-v2", variant: "off")])],
             context: member, variant: "on", reason: .targetingMatch, match: .target(index: 0)),
        Case(name: "the first prerequisite that fails is named",
             flags: [payments(), Flag(key: "risk", environments: ["production": FlagState(enabled: true)]),
                     checkout(requires: [Prerequisite(flag: "risk", variant: "on"), Prerequisite(flag: "payments-v2", variant: "on")])],
             context: member, variant: "off", reason: .prerequisiteFailed, match: .prerequisite(index: 1, flag: "payments-v2")),
        Case(name: "a chain of two holds when both hold (DEFAULT, not STATIC: the prerequisites read the context)",
             flags: [payments(), checkout(), Flag(key: "upsell", environments: ["production": FlagState(
                 enabled: true, prerequisites: [Prerequisite(flag: "new-checkout", variant: "on")])])],
             context: admin, variant: "on", reason: .default, match: .default),
        Case(name: "a chain of two fails when the far end fails",
             flags: [payments(enabled: false), checkout(), Flag(key: "upsell", environments: ["production": FlagState(
                 enabled: true, prerequisites: [Prerequisite(flag: "new-checkout", variant: "on")])])],
             context: admin, variant: "off", reason: .prerequisiteFailed, match: .prerequisite(index: 0, flag: "new-checkout")),
        Case(name: "a disabled flag with prerequisites is simply off", flags: [payments(enabled: false), {
                 var flag = checkout()
                 flag.environments["production"]?.enabled = false
                 return flag
             }()],
             context: admin, variant: "off", reason: .disabled, match: nil),
    ]

    @Test(arguments: cases)
    func evaluates(_ row: Case) {
        let key = row.flags.last?.key ?? ""
        let result = engine(row.flags).evaluate(key, context: row.context)
        #expect(result.variant == row.variant, "\(result)")
        #expect(result.reason == row.reason, "\(result)")
        #expect(result.match == row.match, "\(result)")
        #expect(result.errorCode == nil)
    }

    @Test func aCycleInAHandMadeSnapshotIsAnErrorNotAHang() {
        let a = Flag(key: "a", environments: ["production": FlagState(enabled: true, prerequisites: [Prerequisite(flag: "b", variant: "on")])])
        let b = Flag(key: "b", environments: ["production": FlagState(enabled: true, prerequisites: [Prerequisite(flag: "a", variant: "on")])])
        let result = engine([a, b]).evaluate("a", context: context("u"))
        #expect(result.reason == .error)
        #expect(result.errorCode == .parseError)
        #expect(result.value == nil)
        #expect(result.errorMessage?.contains("cycle") == true, "\(result)")
    }

    /// Each flag requires the other three: with depth alone that is 3^16 evaluations; the
    /// budget ends it after at most ``Engine/maxPrerequisiteEvaluations``.
    @Test func aWideCycleIsBoundedByTheBudget() {
        let keys = ["a", "b", "c", "d"]
        let flags = keys.map { key in
            Flag(key: key, environments: ["production": FlagState(
                enabled: true, prerequisites: keys.filter { $0 != key }.map { Prerequisite(flag: $0, variant: "on") })])
        }
        let clock = ContinuousClock()
        let start = clock.now
        let result = engine(flags).evaluate("a", context: context("u"))
        #expect(result.errorCode == .parseError)
        #expect(clock.now - start < .seconds(2))
    }

    @Test func aFlagRequiringItselfCannotBeCompiled() {
        let flag = Flag(key: "a", environments: ["production": FlagState(enabled: true, prerequisites: [Prerequisite(flag: "a", variant: "on")])])
        let result = engine([flag]).evaluate("a", context: context("u"))
        #expect(result.errorCode == .parseError)
        #expect(result.errorMessage?.contains("own prerequisite") == true, "\(result)")
    }

    @Test func aBrokenPrerequisiteFailsItsDependents() {
        var broken = Self.payments()
        broken.environments["production"]?.default = .variant("maybe")
        let result = engine([broken, Self.checkout()]).evaluate("new-checkout", context: Self.admin)
        #expect(result.reason == .prerequisiteFailed)
        #expect(result.match == Self.failed)
    }

    @Test func dependentsAreFoundThroughChains() {
        let upsell = Flag(key: "upsell", environments: ["production": FlagState(
            enabled: true, prerequisites: [Prerequisite(flag: "new-checkout", variant: "on")])])
        let e = engine([Self.payments(), Self.checkout(), upsell])
        #expect(e.dependents(of: ["payments-v2"]) == ["new-checkout", "upsell"])
        #expect(e.dependents(of: ["upsell"]).isEmpty)
    }
}

/// `Engine.applying(_:)` resolves prerequisite positions again when flags come and go: it
/// must evaluate as an engine built from scratch.
@Suite("Prerequisites: engine deltas")
struct PrerequisiteDeltaTests {
    static let base = Snapshot(environment: "production", version: 1, flags: [
        Flag(key: "a"),
        PrerequisiteEvaluationTests.checkout(),
        PrerequisiteEvaluationTests.payments(),
        Flag(key: "z", environments: ["production": FlagState(enabled: true, prerequisites: [Prerequisite(flag: "ghost", variant: "on")])]),
    ])

    static let deltas: [(String, SnapshotDelta)] = [
        ("an unrelated flag removed (positions move)", SnapshotDelta(version: 2, flags: ["a": nil])),
        ("the prerequisite removed", SnapshotDelta(version: 2, flags: ["payments-v2": nil])),
        ("the prerequisite switched off", SnapshotDelta(version: 2, flags: ["payments-v2": PrerequisiteEvaluationTests.payments(enabled: false)])),
        ("a missing prerequisite added", SnapshotDelta(version: 2, flags: [
            "ghost": Flag(key: "ghost", environments: ["production": FlagState(enabled: true)])])),
        ("a dependent added with its prerequisite", SnapshotDelta(version: 2, flags: [
            "b": Flag(key: "b", environments: ["production": FlagState(enabled: true, prerequisites: [Prerequisite(flag: "c", variant: "on")])]),
            "c": Flag(key: "c", environments: ["production": FlagState(enabled: true)]),
        ])),
        ("the prerequisite dropped by its dependent", SnapshotDelta(version: 2, flags: [
            "new-checkout": PrerequisiteEvaluationTests.checkout(requires: [])])),
    ]

    static let contexts = [
        context("u-target", ["role": "admin"]), context("u-target", ["role": "member"]), context("u-x", ["role": "admin"]),
    ]

    @Test(arguments: deltas.map(\.0))
    func incrementalEqualsFullBuild(_ name: String) throws {
        let delta = try #require(Self.deltas.first { $0.0 == name }?.1)
        let incremental = Engine(Self.base).applying(delta)
        let full = Engine(Self.base.applying(delta))
        let keys = Set(Self.base.flags.map(\.key)).union(delta.flags.keys)
        for key in keys.sorted() {
            for context in Self.contexts {
                #expect(incremental.evaluate(key, context: context) == full.evaluate(key, context: context), "\(key)")
            }
        }
    }

    @Test func addingTheMissingPrerequisiteMakesItHold() {
        let before = Engine(Self.base)
        #expect(before.evaluate("z", context: context("u")).reason == .prerequisiteFailed)
        let after = before.applying(SnapshotDelta(version: 2, flags: ["ghost": Flag(key: "ghost", environments: ["production": FlagState(enabled: true)])]))
        #expect(after.evaluate("z", context: context("u")).variant == "on")
        #expect(after.dependents(of: ["ghost"]) == ["z"])
    }
}

/// The JSON form: `prerequisites` is left out when empty, so the bytes of every flag written
/// before prerequisites existed stay the same.
@Suite("Prerequisites: JSON")
struct PrerequisiteJSONTests {
    @Test func emptyPrerequisitesAreLeftOut() throws {
        let state = FlagState(enabled: true, targets: [Target(variant: "on", values: ["u"])])
        let text = String(decoding: try ClutchJSON.encode(state), as: UTF8.self)
        #expect(text == #"{"enabled":true,"rules":[],"targets":[{"attribute":"targetingKey","values":["u"],"variant":"on"}]}"#)
    }

    @Test func prerequisitesRoundTrip() throws {
        let flag = PrerequisiteEvaluationTests.checkout()
        let data = try ClutchJSON.encode(flag)
        #expect(String(decoding: data, as: UTF8.self).contains(#""prerequisites":[{"flag":"payments-v2","variant":"on"}]"#))
        #expect(try ClutchJSON.decode(Flag.self, from: data) == flag)
        #expect(throws: (any Error).self) {
            try ClutchJSON.fastDecoder(refusingUnknownKeys: true).decode(Prerequisite.self, from: Data(#"{"flag": "a", "variant": "on", "when": "now"}"#.utf8))
        }
        #expect(throws: (any Error).self) { try ClutchJSON.decode(Prerequisite.self, from: Data(#"{"flag": "a"}"#.utf8)) }
    }
}
