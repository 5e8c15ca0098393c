import ClutchCore
import ClutchProtocol
import ServerTestSupport
import Testing

@testable import Clutch

/// A stream event updates the SDK's engine in place of rebuilding it: the result must be what a
/// rebuild gives, the flags reported changed must include those using a changed cohort, and
/// usage counted before the change must not be lost.
@Suite("Incremental flag source")
struct IncrementalSourceTests {
    static let snapshot = Snapshot(environment: "production", version: 3, flags: [
        Flag(key: "beta-page", environments: ["production": FlagState(
            enabled: true, rules: [Rule(clauses: [.inCohort("pilots")], serve: .variant("on"))], default: .variant("off"))]),
        Flag(key: "plain", environments: ["production": FlagState(enabled: true)]),
    ], cohorts: [Cohort(key: "pilots", members: ["acme"])])

    @Test func aCohortEventChangesTheFlagsUsingIt() throws {
        let source = FlagSource(engine: Engine(Self.snapshot))
        let acme = EvaluationContext(targetingKey: "u", attributes: ["customerId": "acme"])
        #expect(source.evaluate("beta-page", as: .boolean, context: acme).value == .bool(true))
        let event = SyncEvent.cohort(version: 4, Cohort(key: "pilots", members: ["globex"]))
        let delta = try #require(event.delta(after: 3))
        let (next, changed) = try #require(source.applying(delta))
        #expect(changed == ["beta-page"])
        #expect(next.snapshot?.version == 4)
        #expect(next.evaluate("beta-page", as: .boolean, context: acme).value == .bool(false))
        #expect(next.snapshot == Self.snapshot.applying(event))
    }

    /// A prerequisite that changes changes what its dependents serve: they are reported too,
    /// through chains, both by the incremental source and by a whole new snapshot.
    @Test func aPrerequisiteChangeChangesItsDependents() throws {
        let requiring = { (key: String, required: String) in
            Flag(key: key, environments: ["production": FlagState(enabled: true, prerequisites: [Prerequisite(flag: required, variant: "on")])])
        }
        let snapshot = Snapshot(environment: "production", version: 3, flags: [
            Flag(key: "payments", environments: ["production": FlagState(enabled: true)]),
            requiring("checkout", "payments"), requiring("upsell", "checkout"),
            Flag(key: "plain", environments: ["production": FlagState(enabled: true)]),
        ])
        let source = FlagSource(engine: Engine(snapshot))
        #expect(source.evaluate("upsell", as: .boolean, context: EvaluationContext()).value == .bool(true))
        let off = Flag(key: "payments", environments: ["production": FlagState(enabled: false)])
        let (next, changed) = try #require(source.applying(SnapshotDelta(version: 4, flags: ["payments": off])))
        #expect(changed == ["payments", "checkout", "upsell"])
        #expect(next.evaluate("upsell", as: .boolean, context: EvaluationContext()).reason == .prerequisiteFailed)
        let whole = snapshot.applying(SnapshotDelta(version: 4, flags: ["payments": off]))
        #expect(whole.changedFlagKeys(since: snapshot) == ["payments", "checkout", "upsell"])
    }

    @Test func usageOfUntouchedFlagsCarriesOver() throws {
        let source = FlagSource(engine: Engine(Self.snapshot))
        #expect(source.usage.record(flag: "plain", variant: "on"))
        let delta = SnapshotDelta(version: 4, flags: ["beta-page": Flag?.none])
        let (next, changed) = try #require(source.applying(delta))
        #expect(changed == ["beta-page"])
        #expect(next.usage.count(flag: "plain", variant: "on") == 1)
        #expect(!next.usage.record(flag: "beta-page", variant: "on"))
        #expect(next.evaluate("beta-page", as: .boolean, context: EvaluationContext()).errorCode == .flagNotFound)
    }

    @Test func everyEventOfOneVersionApplies() throws {
        let source = FlagSource(engine: Engine(Self.snapshot))
        let first = try #require(SyncEvent.flag(version: 4, Flag(key: "x")).delta(after: 3))
        let (afterFirst, _) = try #require(source.applying(first))
        let second = try #require(SyncEvent.flag(version: 4, Flag(key: "y")).delta(after: 4))
        #expect(!second.isEmpty)
        let (afterSecond, _) = try #require(afterFirst.applying(second))
        #expect(afterSecond.snapshot?.flags.map(\.key).contains("x") == true)
        #expect(afterSecond.snapshot?.flags.map(\.key).contains("y") == true)
    }

    @Test func aReplayedOlderEventChangesNothing() {
        #expect(SyncEvent.flag(version: 2, Flag(key: "x")).delta(after: 3)?.isEmpty == true)
        #expect(SyncEvent.snapshot(Self.snapshot).delta(after: 3) == nil)
    }
}
