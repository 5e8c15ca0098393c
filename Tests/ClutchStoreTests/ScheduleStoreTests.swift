import ClutchCore
import ClutchStore
import Foundation
import Testing

/// Scheduled changes in the store, on each database: a due schedule is applied once however
/// many schedulers on two store instances (two replicas) run it at once; one whose
/// instructions no longer apply fails whole and queues `schedule.failed`; cancelling is once.
@Suite("Schedules in the store")
struct ScheduleStoreTests {
    static func request(at: Date, instructions: [Value] = [.object(["kind": .string("turnOn")])]) -> ScheduleRequest {
        ScheduleRequest(kind: .flag, key: "launch", environment: "production", instructions: instructions, message: "launch day", at: at)
    }

    @Test(arguments: StoreBackend.allCases) func aDueScheduleRacedByEightSchedulersIsAppliedOnce(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        let other = try await fixture.another()
        _ = try await store.createFlag(Flag(key: "launch"), change: admin)
        let now = Date()
        let schedule = try await store.createSchedule(Self.request(at: now.addingTimeInterval(1)), change: admin, now: now)
        #expect(schedule.status == .pending)
        #expect(try await other.nextScheduleDue() == schedule.at, "the other replica sees it")
        let due = now.addingTimeInterval(2)
        #expect(try await other.dueSchedules(now: due) == [schedule.id])
        let applied = try await withThrowingTaskGroup(of: Int.self) { group in
            for scheduler in 0..<8 {
                let replica = scheduler.isMultiple(of: 2) ? store : other
                group.addTask { try await replica.runSchedule(schedule.id, now: due).schedule == nil ? 0 : 1 }
            }
            return try await group.reduce(0, +)
        }
        #expect(applied == 1, "one scheduler applied it")
        let record = try await other.schedule(schedule.id)
        #expect(record.status == .applied)
        #expect(record.revision == 2)
        let flag = try await store.flag("launch")
        #expect(flag.revision == 2, "one revision")
        #expect(flag.flag.state(in: "production").enabled)
        let changes = try await store.auditEvents(since: nil, flag: "launch", limit: 100).filter { $0.actor.hasPrefix(FlagStore.schedulerActor) }
        #expect(changes.count == 1, "one audit event")
        #expect(try await store.dueSchedules(now: due).isEmpty)
        #expect(try await store.nextScheduleDue() == nil)
    }

    @Test(arguments: StoreBackend.allCases) func instructionsThatNoLongerApplyFailWholeAndQueueScheduleFailed(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        _ = try await store.createWebhook(
            WebhookRequest(url: "https://hooks.example.com/s", events: ["schedule.failed"], secret: "whsec-0123456789abcdef", description: nil),
            change: admin)
        _ = try await store.createFlag(Flag(key: "launch"), change: admin)
        let now = Date()
        let schedule = try await store.createSchedule(
            Self.request(at: now.addingTimeInterval(1), instructions: [
                .object(["kind": .string("turnOn")]),
                .object(["kind": .string("addTargets"), "variant": .string("on"), "values": .array([.string("acme")])]),
            ]), change: admin, now: now)
        _ = try await store.deleteFlag("launch", force: true, change: admin)
        let outcome = try await store.runSchedule(schedule.id, now: now.addingTimeInterval(2))
        #expect(outcome.schedule?.status == .failed)
        #expect(outcome.change.versions.isEmpty)
        #expect(outcome.schedule?.error?.contains("launch") == true, "\(outcome.schedule?.error ?? "")")
        #expect(try await store.runSchedule(schedule.id, now: now.addingTimeInterval(3)).schedule == nil, "failed once")
        let queued = try await store.dueDeliveries(now: now.addingTimeInterval(60), limit: 10)
        #expect(queued.map(\.type) == ["schedule.failed"])
        #expect(queued.first?.body.contains(schedule.id) == true)
    }

    /// A scheduled change acts with its author's rights when it applies: one whose author was
    /// lowered since fails with the policy's sentence; one whose author still may applies, named
    /// `clutch-scheduler for <author>`.
    @Test(arguments: StoreBackend.allCases) func aScheduleWhoseAuthorLostTheRightFailsWithTheReason(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        _ = try await store.createFlag(Flag(key: "launch"), change: admin)
        let (bob, _) = try await store.createPerson(PersonCreate(email: "bob@example.com", role: .editor), change: admin)
        let (token, _) = try await store.createToken(TokenCreate(name: "laptop"), personID: bob.id, change: admin)
        let asBob = ChangeInfo(actor: "bob@example.com", author: .person(id: bob.id))
        let asToken = ChangeInfo(actor: token.actor, author: .token(id: token.id))
        let now = Date()
        let kept = try await store.createSchedule(Self.request(at: now.addingTimeInterval(1)), change: asBob, now: now)
        let applied = try await store.runSchedule(kept.id, now: now.addingTimeInterval(2))
        #expect(applied.schedule?.status == .applied)
        #expect(try await store.revisions(flag: "launch", environment: nil).first?.actor == "clutch-scheduler for bob@example.com")

        let lost = try await store.createSchedule(Self.request(at: now.addingTimeInterval(10)), change: asBob, now: now)
        let tokens = try await store.createSchedule(Self.request(at: now.addingTimeInterval(10)), change: asToken, now: now)
        _ = try await store.setRole(email: "bob@example.com", to: RoleChange(role: .viewer), change: admin)
        let failed = try await store.runSchedule(lost.id, now: now.addingTimeInterval(11))
        #expect(failed.schedule?.status == .failed)
        #expect(failed.schedule?.error == "bob@example.com is a viewer in production; changing it needs editor")
        #expect(failed.change.versions.isEmpty, "nothing applied")
        let revoked = try await store.runSchedule(tokens.id, now: now.addingTimeInterval(11))
        #expect(revoked.schedule?.status == .failed)
        #expect(revoked.schedule?.error == "bob@example.com is a viewer in production; changing it needs editor", "the token ended with the role: why")
        #expect(try await store.flag("launch").revision == 2, "only the first one applied")
    }

    @Test(arguments: StoreBackend.allCases) func aScheduleIsCancelledOnceAndBadOnesAreRefused(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        _ = try await store.createFlag(Flag(key: "launch"), change: admin)
        let now = Date()
        let schedule = try await store.createSchedule(Self.request(at: now.addingTimeInterval(60)), change: admin, now: now)
        #expect(try await store.schedules(status: .pending, key: "launch").map(\.id) == [schedule.id])
        #expect(try await store.cancelSchedule(schedule.id, change: admin, now: now).status == .cancelled)
        let again = await #expect(throws: StoreError.self) { _ = try await store.cancelSchedule(schedule.id, change: admin, now: now) }
        #expect(again?.kind == .conflict)
        #expect(try await store.runSchedule(schedule.id, now: now.addingTimeInterval(120)).schedule == nil, "a cancelled schedule never fires")

        let past = await #expect(throws: StoreError.self) {
            _ = try await store.createSchedule(Self.request(at: now.addingTimeInterval(-1)), change: admin, now: now)
        }
        #expect(past?.field == "at")
        let unknown = await #expect(throws: StoreError.self) {
            _ = try await store.createSchedule(
                Self.request(at: now.addingTimeInterval(60), instructions: [.object(["kind": .string("fly")])]), change: admin, now: now)
        }
        #expect(unknown?.field == "instructions[0].kind")
        #expect(try await store.schedules(status: .pending, key: nil).isEmpty)
    }

    /// A cohort schedule changes the members when it is applied, as one revision of the cohort
    /// written in the transaction that claims it.
    @Test(arguments: StoreBackend.allCases) func aDueCohortScheduleChangesTheMembersOnce(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        _ = try await store.createCohort(Cohort(key: "pilot", members: ["acme", "globex"]), environment: "production", change: admin)
        let now = Date()
        let schedule = try await store.createSchedule(
            ScheduleRequest(
                kind: .cohort, key: "pilot", environment: "production",
                instructions: [
                    .object(["kind": .string("addMembers"), "values": .array([.string("initech")])]),
                    .object(["kind": .string("removeMembers"), "values": .array([.string("globex")])]),
                ], message: nil, at: now.addingTimeInterval(1)),
            change: admin, now: now)
        let outcome = try await store.runSchedule(schedule.id, now: now.addingTimeInterval(2))
        #expect(outcome.schedule?.status == .applied)
        #expect(outcome.schedule?.revision == 2)
        #expect(outcome.change.versions["production"] != nil, "the environment's snapshot moved")
        #expect(try await store.cohort("pilot", environment: "production").cohort.members == ["acme", "initech"])
        #expect(try await store.runSchedule(schedule.id, now: now.addingTimeInterval(3)).schedule == nil, "applied once")
    }

    /// The scheduler of the store that added a schedule is woken once the schedule is committed,
    /// on both databases; a refused schedule wakes nobody.
    @Test(arguments: StoreBackend.allCases) func aCommittedScheduleWakesItsOwnStoresScheduler(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        let woken = Woken()
        store.onScheduleAdded { woken.set() }
        _ = try await store.createFlag(Flag(key: "launch"), change: admin)
        let now = Date()
        await #expect(throws: StoreError.self) {
            _ = try await store.createSchedule(
                Self.request(at: now.addingTimeInterval(60), instructions: [.object(["kind": .string("fly")])]), change: admin, now: now)
        }
        #expect(!woken.isSet, "neither a flag change nor a refused schedule wakes the scheduler")
        _ = try await store.createSchedule(Self.request(at: now.addingTimeInterval(60)), change: admin, now: now)
        #expect(woken.isSet, "woken by the time the commit returns")
    }

    /// On PostgreSQL a schedule added through one replica wakes the scheduler of another, through its listener.
    @Test func aScheduleAddedOnOneReplicaWakesAnother() async throws {
        let fixture = try await BackendFixture(.postgres)
        let other = try await fixture.another()
        let woken = Woken()
        other.onScheduleAdded { woken.set() }
        let listening = Woken()
        let listener = Task {
            try await (other as? any StoreChangeFeed)?.listen(onListening: { listening.set() }, onNotification: { _ in })
        }
        defer { listener.cancel() }
        #expect(try await poll { listening.isSet })
        _ = try await fixture.store.createFlag(Flag(key: "launch"), change: admin)
        #expect(!woken.isSet, "a flag change is no schedule")
        _ = try await fixture.store.createSchedule(Self.request(at: Date().addingTimeInterval(60)), change: admin)
        #expect(try await poll { woken.isSet }, "the other replica's scheduler was woken")
    }
}
