import ClutchCore
import ClutchStore
import Foundation
import Synchronization
import Testing

/// Blocks in the store, on each database: a block refuses every write that widens where it holds
/// (a direct change, a release step, whatever clears it otherwise) and lets through what only
/// takes away; it ends at its `until` with no job running; only its blocker or an owner lifts it;
/// blocking and lifting are audit and webhook events.
@Suite("Blocks in the store")
struct BlockStoreTests {
    static let viewer = Blocker(name: "vera@example.com", identity: "person:p_vera", isOwner: false)
    static let other = Blocker(name: "bob@example.com", identity: "person:p_bob", isOwner: false)
    static let owner = Blocker(name: "olga@example.com", identity: "person:p_olga", isOwner: true)

    /// vera (a viewer) blocks `flag` (every flag when `nil`) in production, acting as `actor`.
    static func veraBlocks(
        _ store: any ClutchStoring, _ flag: String?, reason: String = "payments incident", actor: String = "vera@example.com"
    ) async throws -> BlockRecord {
        try await store.createBlock(environment: "production", flag: flag, reason: reason, until: nil, by: viewer, change: ChangeInfo(actor: actor))
    }

    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    /// The store's clock, moved by the test.
    final class Clock: Sendable {
        private let time = Mutex(BlockStoreTests.start)
        var now: Date { time.withLock { $0 } }
        func set(_ date: Date) { time.withLock { $0 = date } }
    }

    /// A store of `backend` on a clock the test moves, with a flag `gate` off everywhere and a
    /// webhook for block events.
    static func prepared(_ backend: StoreBackend) async throws -> (BackendFixture, Clock) {
        let fixture = try await BackendFixture(backend)
        let clock = Clock()
        fixture.store.useClock { clock.now }
        _ = try await fixture.store.createWebhook(
            WebhookRequest(url: "https://hooks.example.com/b", events: ["flag.blocked", "flag.unblocked"],
                           secret: "whsec-0123456789abcdef", description: nil), change: admin)
        _ = try await fixture.store.createFlag(Flag(key: "gate"), change: admin)
        return (fixture, clock)
    }

    @Test(arguments: StoreBackend.allCases)
    func aBlockRefusesWideningInItsEnvironmentButNotTurningOffOrKill(_ backend: StoreBackend) async throws {
        let (fixture, clock) = try await Self.prepared(backend)
        let store = fixture.store
        let start = Self.start
        _ = try await store.setEnabled(flag: "gate", environment: "production", enabled: true, ifRevision: nil, change: admin)
        let block = try await Self.veraBlocks(store, "gate", actor: "laptop (token of vera@example.com)")
        #expect(block.createdBy == "vera@example.com")
        #expect(try await store.blocks(environment: "production", flag: "gate").map(\.id) == [block.id])
        #expect(try await store.blocks(environment: "staging", flag: nil).isEmpty)

        // Turning off passes; turning on again widens and is refused, naming who and why; nothing is written.
        _ = try await store.setEnabled(flag: "gate", environment: "production", enabled: false, ifRevision: nil, change: admin)
        let revision = try await store.flag("gate").revision
        let refused = await #expect(throws: BlockedError.self) {
            _ = try await store.setEnabled(flag: "gate", environment: "production", enabled: true, ifRevision: nil, change: admin)
        }
        #expect(refused?.description == "gate in production is blocked by vera@example.com: payments incident")
        #expect(try await store.flag("gate").revision == revision)
        // Whatever cleared it otherwise: a reviewed change or a release step waits too.
        await #expect(throws: BlockedError.self) {
            _ = try await store.setEnabled(
                flag: "gate", environment: "production", enabled: true, ifRevision: nil,
                change: ChangeInfo(actor: "clutch-guard", clearance: .release))
        }
        // Another environment is not blocked; kill applies everywhere at once.
        _ = try await store.setEnabled(flag: "gate", environment: "staging", enabled: true, ifRevision: nil, change: admin)
        let killed = try await store.kill(flag: "gate", environments: nil, change: admin)
        #expect(killed.value.flag.state(in: "staging").enabled == false)

        // A freeze of the environment stops every flag there, until its end.
        _ = try await store.createFlag(Flag(key: "other"), change: admin)
        let until = start.addingTimeInterval(3600)
        let freeze = try await store.createBlock(
            environment: "staging", flag: nil, reason: "release train", until: until, by: Self.other, change: ChangeInfo(actor: "bob@example.com"))
        let frozen = await #expect(throws: BlockedError.self) {
            _ = try await store.setEnabled(flag: "other", environment: "staging", enabled: true, ifRevision: nil, change: admin)
        }
        #expect(frozen?.description == "staging is blocked by bob@example.com until \(Timestamp.formatSeconds(until)): release train")
        #expect(try await store.blocks(environment: nil, flag: "other").map(\.id) == [freeze.id])

        // At its end it no longer holds, without anything having run.
        clock.set(until)
        #expect(try await store.blocks(environment: nil, flag: nil).map(\.id) == [block.id])
        _ = try await store.setEnabled(flag: "other", environment: "staging", enabled: true, ifRevision: nil, change: admin)
        #expect(try await store.flag("other").flag.state(in: "staging").enabled)
    }

    @Test(arguments: StoreBackend.allCases)
    func onlyTheBlockerOrAnOwnerLiftsABlockAndBothAreAuditAndWebhookEvents(_ backend: StoreBackend) async throws {
        let (fixture, _) = try await Self.prepared(backend)
        let store = fixture.store
        let start = Self.start
        let block = try await Self.veraBlocks(store, "gate")
        let refusal = await #expect(throws: AccessRefusal.self) {
            _ = try await store.deleteBlock(block.id, by: Self.other, change: ChangeInfo(actor: "bob@example.com"))
        }
        #expect(refusal?.message == "bob@example.com may not unblock gate in production: only vera@example.com, who blocked it, or an owner may")
        _ = try await store.deleteBlock(block.id, by: Self.viewer, change: ChangeInfo(actor: "laptop (token of vera@example.com)"))
        #expect(try await store.blocks(environment: nil, flag: nil).isEmpty)
        _ = try await store.setEnabled(flag: "gate", environment: "production", enabled: true, ifRevision: nil, change: admin)

        let freeze = try await Self.veraBlocks(store, nil, reason: "freeze")
        _ = try await store.deleteBlock(freeze.id, by: Self.owner, change: ChangeInfo(actor: "olga@example.com"))
        let gone = await #expect(throws: StoreError.self) {
            _ = try await store.deleteBlock(freeze.id, by: Self.owner, change: ChangeInfo(actor: "olga@example.com"))
        }
        #expect(gone?.kind == .notFound)

        let audit = try await store.auditPage(flag: nil, actor: nil, since: nil, until: nil, before: nil, limit: 10).events
        let blocks = audit.filter { $0.action == "block" || $0.action == "unblock" }.reversed().map { "\($0.action) \($0.entity) \($0.key) \($0.actor)" }
        #expect(blocks == [
            "block flag gate vera@example.com", "unblock flag gate laptop (token of vera@example.com)",
            "block environment production vera@example.com", "unblock environment production olga@example.com",
        ])
        let events = try await store.dueDeliveries(now: start.addingTimeInterval(60), limit: 100).map(\.type)
        #expect(events == ["flag.blocked", "flag.unblocked", "flag.blocked", "flag.unblocked"])

        // A block needs a reason, an end in the future, an environment and a flag that exist.
        for (environment, flag, reason, until, field) in [
            ("production", "gate", " ", nil, "reason"), ("production", "gate", "x", start, "until"),
            ("nowhere", "gate", "x", nil, "environment"), ("production", "nothing", "x", nil, "key"),
        ] as [(String, String?, String, Date?, String)] {
            let error = await #expect(throws: StoreError.self) {
                _ = try await store.createBlock(environment: environment, flag: flag, reason: reason, until: until, by: Self.viewer, change: admin)
            }
            #expect(error?.field == field || (field == "key" && error?.kind == .notFound), "\(field): \(String(describing: error))")
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func aBlockedReleaseHoldsAtItsStepStillRollsBackAndWidensOnceLifted(_ backend: StoreBackend) async throws {
        let (fixture, clock) = try await Self.prepared(backend)
        let store = fixture.store
        let start = Self.start
        _ = try await store.startRelease(flag: "gate", environment: "production", policy: ReleaseStoreTests.policy, change: admin, now: start)
        let block = try await Self.veraBlocks(store, "gate")

        // Two step durations on, healthy: it holds at 10 %, saying why.
        for second in [2.0, 4.0] {
            clock.set(start.addingTimeInterval(second))
            try await ReleaseStoreTests.report(store, new: 100, newErrors: 1, otherErrors: 9, at: start.addingTimeInterval(second))
            _ = try await store.runReleases(now: start.addingTimeInterval(second))
        }
        var release = try await store.release(flag: "gate", environment: "production")
        #expect(release.state == .running)
        #expect(release.percent == 10)
        #expect(release.reason == "held: blocked by vera@example.com: payments incident")
        #expect(release.transitions.map(\.kind) == [.started])

        // Lifted: the next turn widens, and the hold is gone.
        _ = try await store.deleteBlock(block.id, by: Self.viewer, change: ChangeInfo(actor: "vera@example.com"))
        clock.set(start.addingTimeInterval(5))
        _ = try await store.runReleases(now: start.addingTimeInterval(5))
        release = try await store.release(flag: "gate", environment: "production")
        #expect(release.percent == 50)
        #expect(release.reason == nil)

        // Blocked again, and the new variant errs: the guard still rolls back.
        _ = try await Self.veraBlocks(store, nil, reason: "freeze")
        for second in 6...12 {
            clock.set(start.addingTimeInterval(Double(second)))
            // At 50 %: as many of each, the new variant's errors ten times the other's.
            try await store.recordUsage([
                UsageEntry(environment: "production", flag: "gate", variant: "on", count: 200, errors: 40, rollout: true),
                UsageEntry(environment: "production", flag: "gate", variant: "off", count: 200, errors: 4, rollout: true),
            ], at: start.addingTimeInterval(Double(second)))
            _ = try await store.runReleases(now: start.addingTimeInterval(Double(second)))
        }
        release = try await store.release(flag: "gate", environment: "production")
        #expect(release.state == .rolledBack)
    }

    @Test(arguments: StoreBackend.allCases)
    func aScheduledWideningChangeThatFallsDueUnderABlockFailsWithItsReason(_ backend: StoreBackend) async throws {
        let (fixture, clock) = try await Self.prepared(backend)
        let store = fixture.store
        let start = Self.start
        clock.set(start.addingTimeInterval(120))
        let on = try await store.createSchedule(
            ScheduleRequest(kind: .flag, key: "gate", environment: "production", instructions: [.object(["kind": .string("turnOn")])],
                            message: nil, at: start.addingTimeInterval(60)), change: admin, now: start)
        _ = try await Self.veraBlocks(store, nil, reason: "freeze")
        let ran = try await store.runSchedule(on.id, now: start.addingTimeInterval(120), note: nil)
        #expect(ran.schedule?.status == .failed)
        #expect(ran.schedule?.error == "production is blocked by vera@example.com: freeze")
        #expect(try await store.flag("gate").flag.state(in: "production").enabled == false)
    }

    @Test(arguments: StoreBackend.allCases)
    func aBlockRefusesDeletingItsFlagAndOnceEndedGoesWithItSoAFlagRecreatedUnderItsKeyIsNotBlocked(_ backend: StoreBackend) async throws {
        let (fixture, clock) = try await Self.prepared(backend)
        let store = fixture.store
        _ = try await store.createFlag(Flag(key: "other"), change: admin)
        let until = Self.start.addingTimeInterval(60)
        _ = try await store.createBlock(environment: "production", flag: "gate", reason: "incident", until: until, by: Self.viewer, change: admin)
        let other = try await Self.veraBlocks(store, "other")
        // Deleting widens (callers fall back to their code's default): a block holding on the flag refuses it.
        let refused = await #expect(throws: BlockedError.self) {
            _ = try await store.deleteFlag("gate", force: true, change: ChangeInfo(actor: "olga@example.com"))
        }
        #expect(refused?.block.flag == "gate")

        // Ended, its row goes with the flag: the flag created again under the key widens freely, even if the end is moved back.
        clock.set(until)
        _ = try await store.deleteFlag("gate", force: true, change: ChangeInfo(actor: "olga@example.com"))
        clock.set(Self.start)
        #expect(try await store.blocks(environment: nil, flag: nil).map(\.id) == [other.id], "only the other flag's block holds")
        _ = try await store.createFlag(Flag(key: "gate"), change: admin)
        let on = try await store.setEnabled(flag: "gate", environment: "production", enabled: true, ifRevision: nil, change: admin)
        #expect(on.value.flag.state(in: "production").enabled)
        // An ended block is no lift: no unblock event.
        let audit = try await store.auditPage(flag: nil, actor: nil, since: nil, until: nil, before: nil, limit: 20).events
        #expect(!audit.contains { $0.action == "unblock" })
    }
}
