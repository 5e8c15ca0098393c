import ClutchCore
import ClutchStore
import Foundation
import Synchronization
import Testing

/// Flag kinds and the lifecycle: stages computed from the state, real usage and the store's
/// clock (moved by the test), the stale list, the cleanup report and the `flag.stale` notice.
@Suite("Flag lifecycle")
struct LifecycleTests {
    static let day: TimeInterval = 86_400
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    /// The store's clock, moved by the test.
    final class Clock: Sendable {
        private let time = Mutex(LifecycleTests.start)
        var now: Date { time.withLock { $0 } }
        func advance(days: Double) { time.withLock { $0 = $0.addingTimeInterval(days * LifecycleTests.day) } }
    }

    func store(_ backend: StoreBackend) async throws -> (BackendFixture, Clock) {
        let fixture = try await BackendFixture(backend)
        let clock = Clock()
        fixture.store.useClock { clock.now }
        return (fixture, clock)
    }

    /// Makes each of `emails` a member: owners name members.
    func addPeople(_ store: any ClutchStoring, _ emails: String...) async throws {
        for email in emails { _ = try await store.createPerson(PersonCreate(email: email, role: .editor), change: admin) }
    }

    func evaluate(_ store: any ClutchStoring, _ flag: String, _ variant: String, in environments: [String], at now: Date) async throws {
        for environment in environments {
            try await store.recordUsage(environment: environment, counts: [UsageCount(flag: flag, variant: variant, count: 5)], at: now)
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func aReleaseFlagGoesFromNewToLiveToRolledOutToStaleAsItIsUsedAndTimePasses(_ backend: StoreBackend) async throws {
        let (fixture, clock) = try await store(backend)
        let store = fixture.store
        let everywhere = ["development", "production", "staging"]
        try await addPeople(store, "alice@example.com")
        _ = try await store.createFlag(Flag(key: "new-checkout", owner: "alice@example.com"), change: admin)
        var record = try await store.flag("new-checkout")
        #expect(record.flag.kind == .release)
        #expect(record.lifecycle?.stage == .new)
        #expect(record.lifecycle?.environments?["production"]?.stage == .new)

        // On at 50 % in production and evaluated there: live; never evaluated elsewhere: new there.
        clock.advance(days: 1)
        for environment in everywhere {
            _ = try await store.updateState(
                flag: "new-checkout", environment: environment,
                state: FlagState(enabled: true, default: .rollout(.percentage(50, of: "on", rest: "off"))), ifRevision: nil, change: admin)
        }
        try await evaluate(store, "new-checkout", "on", in: ["production"], at: clock.now)
        record = try await store.flag("new-checkout")
        #expect(record.lifecycle?.stage == .live)
        #expect(record.lifecycle?.environments?["production"]?.stage == .live)
        #expect(record.lifecycle?.environments?["staging"]?.stage == .new)

        // 100 % everywhere and evaluated everywhere: rolled out, since that change.
        clock.advance(days: 1)
        let rolledOutAt = clock.now
        for environment in everywhere {
            _ = try await store.updateState(
                flag: "new-checkout", environment: environment,
                state: FlagState(enabled: true, default: .rollout(.percentage(100, of: "on", rest: "off"))), ifRevision: nil, change: admin)
        }
        try await evaluate(store, "new-checkout", "on", in: everywhere, at: clock.now)
        record = try await store.flag("new-checkout")
        #expect(record.lifecycle?.stage == .rolledOut)
        #expect(record.lifecycle?.variant == "on")
        #expect(record.lifecycle?.rolledOutSince.map { abs($0.timeIntervalSince(rolledOutAt)) < 1 } == true)

        // 13 days later, still evaluated: rolled out. A day more: stale, and listed so.
        clock.advance(days: 13)
        try await evaluate(store, "new-checkout", "on", in: everywhere, at: clock.now)
        #expect(try await store.flag("new-checkout").lifecycle?.stage == .rolledOut)
        #expect(try await store.staleFlags(unusedForDays: 30, now: clock.now).isEmpty)
        clock.advance(days: 1)
        try await evaluate(store, "new-checkout", "on", in: everywhere, at: clock.now)
        record = try await store.flag("new-checkout")
        #expect(record.lifecycle?.stage == .stale)
        #expect(record.lifecycle?.reason == "on for everyone in every environment for 14 days")
        let stale = try await store.staleFlags(unusedForDays: 30, now: clock.now)
        #expect(stale.map(\.key) == ["new-checkout"])
        #expect(stale.first?.owner == "alice@example.com")
        #expect(try await store.flags(includeArchived: false).first?.lifecycle?.stage == .stale)

        // Archived: archived, whatever the usage says.
        _ = try await store.setArchived(flag: "new-checkout", archived: true, change: admin)
        #expect(try await store.flag("new-checkout").lifecycle?.stage == .archived)
    }

    @Test(arguments: StoreBackend.allCases)
    func eachKindIsStaleAfterItsOwnLifeAndPermanentKindsOnlyWhenNoLongerEvaluated(_ backend: StoreBackend) async throws {
        let (fixture, clock) = try await store(backend)
        let store = fixture.store
        let on = ["production": FlagState(enabled: true)]
        _ = try await store.createFlag(Flag(key: "migration", kind: .operational), change: admin)
        _ = try await store.createFlag(Flag(key: "payments-off", kind: .killSwitch, environments: on), change: admin)
        _ = try await store.createFlag(Flag(key: "plan-pro", kind: .permission, environments: on), change: admin)
        _ = try await store.createFlag(Flag(key: "forgotten"), change: admin)

        // Operational flags live 7 days, evaluated or not.
        clock.advance(days: 6)
        try await evaluate(store, "migration", "off", in: ["production"], at: clock.now)
        #expect(try await store.flag("migration").lifecycle?.stage == .rolledOut)
        clock.advance(days: 1)
        try await evaluate(store, "migration", "off", in: ["production"], at: clock.now)
        let migration = try await store.flag("migration").lifecycle
        #expect(migration?.stage == .stale)
        #expect(migration?.reason == "past the 7 days an operational flag is expected to live (created 7 days ago)")

        // Kill switches and permissions on for everyone for weeks are doing their job.
        clock.advance(days: 25)
        try await evaluate(store, "payments-off", "on", in: ["production"], at: clock.now)
        try await evaluate(store, "plan-pro", "on", in: ["production"], at: clock.now)
        #expect(try await store.flag("payments-off").lifecycle?.stage == .rolledOut)
        #expect(try await store.flag("plan-pro").lifecycle?.stage == .rolledOut)
        // A release flag never evaluated for 30 days since it was created is stale.
        let forgotten = try await store.flag("forgotten").lifecycle
        #expect(forgotten?.stage == .stale)
        #expect(forgotten?.reason == "never evaluated in the 32 days since it was created")

        // Not evaluated for 30 days: stale, permanent or not.
        clock.advance(days: 30)
        try await evaluate(store, "plan-pro", "on", in: ["production"], at: clock.now)
        let killSwitch = try await store.flag("payments-off").lifecycle
        #expect(killSwitch?.stage == .stale)
        #expect(killSwitch?.reason == "not evaluated for 30 days")
        #expect(try await store.flag("plan-pro").lifecycle?.stage == .rolledOut)
        // `days` asks the same rule with another number of days.
        #expect(try await store.staleFlags(unusedForDays: 30, now: clock.now).map(\.key) == ["forgotten", "migration", "payments-off"])
    }

    @Test(arguments: StoreBackend.allCases)
    func aKindAndAnOwnerAreKeptInTheDefinitionAndAnOwnerMustBeAnEmail(_ backend: StoreBackend) async throws {
        let (fixture, _) = try await store(backend)
        let store = fixture.store
        try await addPeople(store, "bob@example.com", "carol@example.com")
        _ = try await store.createFlag(Flag(key: "exp", kind: .experiment, owner: "bob@example.com"), change: admin)
        var flag = try await store.flag("exp").flag
        #expect(flag.kind == .experiment && flag.owner == "bob@example.com")
        flag.kind = .permission
        let written = try await store.updateFlag(flag, ifRevision: nil, change: admin)
        #expect(written.value.flag.kind == .permission)
        #expect(try await store.revisions(flag: "exp", environment: nil).first?.summary == "kind experiment → permission")
        #expect(try await store.export(environment: nil).flags.first?.kind == .permission)
        _ = try await store.importDocument(
            ClutchDocument(flags: [Flag(key: "imported", kind: .operational, owner: "carol@example.com")]), dryRun: false, change: admin)
        let imported = try await store.flag("imported").flag
        #expect(imported.kind == .operational && imported.owner == "carol@example.com")
        let refused = await #expect(throws: StoreError.self) {
            try await store.createFlag(Flag(key: "nobody", owner: "not an email"), change: admin)
        }
        #expect(refused?.field == "owner")
    }

    @Test(arguments: StoreBackend.allCases)
    func anOwnerMustNameAMemberOnEveryPathThatSetsItAndARemovedOneStaysNamedAsRemoved(_ backend: StoreBackend) async throws {
        let (fixture, _) = try await store(backend)
        let store = fixture.store
        try await addPeople(store, "bob@example.com", "carol@example.com")
        func refusal(_ write: () async throws -> Void) async -> String? {
            do {
                try await write()
                return nil
            } catch let error as StoreError {
                return error.field
            } catch {
                return "\(error)"
            }
        }
        let unknown = await refusal { _ = try await store.createFlag(Flag(key: "exp", owner: "dave@example.com"), change: admin) }
        #expect(unknown == "owner")
        // Any case names the member, written as their email.
        _ = try await store.createFlag(Flag(key: "exp", owner: "BOB@Example.com"), change: admin)
        #expect(try await store.flag("exp").flag.owner == "bob@example.com")
        var flag = try await store.flag("exp").flag
        flag.owner = "dave@example.com"
        let updated = await refusal { _ = try await store.updateFlag(flag, ifRevision: nil, change: admin) }
        #expect(updated == "owner")
        let instructed = await refusal {
            _ = try await store.apply(
                [.setKind(.experiment), .setOwner("dave@example.com")], flag: "exp", environment: "production", ifRevision: nil,
                dryRun: true, change: admin)
        }
        #expect(instructed == "instructions[1].owner")
        var imported = flag
        imported.key = "imported"
        let importing = await refusal { _ = try await store.importDocument(ClutchDocument(flags: [imported]), dryRun: false, change: admin) }
        #expect(importing == "flags[0].owner")
        #expect(try await store.flags(includeArchived: true).map(\.flag.key) == ["exp"], "nothing refused was written")

        // Kind and owner by instruction: one revision, flag-wide.
        let changed = try await store.apply(
            [.setKind(.experiment), .setOwner("carol@example.com")], flag: "exp", environment: "production", ifRevision: nil,
            dryRun: false, change: admin)
        #expect(changed.value.record.flag.kind == .experiment && changed.value.record.flag.owner == "carol@example.com")
        #expect(try await store.revisions(flag: "exp", environment: nil).first?.summary == "kind release → experiment; owner bob@example.com → carol@example.com")

        // Carol leaves: the flag still names her, shown as removed, and can still be changed and re-imported.
        _ = try await store.removePerson(email: "carol@example.com", change: admin)
        let record = try await store.flag("exp")
        #expect(record.flag.owner == "carol@example.com")
        #expect(record.ownerRemoved == true)
        #expect(record.ownerText == "carol@example.com (removed)")
        _ = try await store.apply([.turnOn], flag: "exp", environment: "production", ifRevision: nil, dryRun: false, change: admin)
        _ = try await store.importDocument(try await store.export(environment: nil), dryRun: false, change: admin)
        #expect(try await store.flag("exp").flag.owner == "carol@example.com")
        _ = try await store.apply([.setOwner(nil)], flag: "exp", environment: "production", ifRevision: nil, dryRun: false, change: admin)
        #expect(try await store.flag("exp").ownerRemoved == nil)
    }

    @Test(arguments: StoreBackend.allCases)
    func theStaleNoticeNamesEachFlagOnceWhenItBecomesStale(_ backend: StoreBackend) async throws {
        let (fixture, clock) = try await store(backend)
        let store = fixture.store
        try await addPeople(store, "ops@example.com")
        _ = try await store.createFlag(Flag(key: "migration", kind: .operational, owner: "ops@example.com"), change: admin)
        _ = try await store.createFlag(Flag(key: "checkout"), change: admin)
        #expect(try await store.noticeStaleFlags(now: clock.now).isEmpty)
        clock.advance(days: 8)
        let first = try await store.noticeStaleFlags(now: clock.now)
        #expect(first.map(\.key) == ["migration"])
        #expect(first.first?.owner == "ops@example.com")
        clock.advance(days: 1)
        #expect(try await store.noticeStaleFlags(now: clock.now).isEmpty, "named once")
        clock.advance(days: 31)
        #expect(try await store.noticeStaleFlags(now: clock.now).map(\.key) == ["checkout"])
    }

    @Test(arguments: StoreBackend.allCases)
    func cleanupListsStaleFlagsWithTheNextStepAndWhichCanBeArchived(_ backend: StoreBackend) async throws {
        let (fixture, clock) = try await store(backend)
        let store = fixture.store
        _ = try await store.createFlag(Flag(key: "migration", kind: .operational), change: admin)
        _ = try await store.createFlag(Flag(key: "fresh"), change: admin)
        #expect(try await store.cleanupReport(environment: nil).flags.isEmpty)
        clock.advance(days: 8)
        try await evaluate(store, "fresh", "off", in: ["production"], at: clock.now)
        let report = try await store.cleanupReport(environment: nil)
        #expect(!report.scanned)
        #expect(report.flags.map(\.key) == ["migration"])
        let entry = try #require(report.flags.first)
        #expect(entry.stage == .stale && entry.archivable && entry.references == nil)
        #expect(entry.nextStep.contains("`clutch flags archive migration`"), "\(entry.nextStep)")
        #expect(try await store.cleanupReport(environment: "production").flags.map(\.key) == ["migration"])
        await #expect(throws: StoreError.self) { try await store.cleanupReport(environment: "nowhere") }

        // Once a scan is uploaded: a referenced stale flag waits for its checks to go; an
        // unreferenced flag is listed whatever its stage.
        _ = try await store.replaceCodeReferences(CodeScanUpload(repo: "app-ios", branch: "main", commit: "3f2a1c0", references: [
            CodeReference(flag: "migration", path: "Sources/Migrate.swift", line: 12, context: #"flags.isOn("migration")"#),
            CodeReference(flag: "migration", path: "Sources/Jobs.swift", line: 40, context: #"flags.isOn("migration")"#),
        ]))
        let scanned = try await store.cleanupReport(environment: nil)
        #expect(scanned.scanned)
        #expect(scanned.flags.map(\.key) == ["fresh", "migration"])
        let referenced = try #require(scanned.flags.last)
        #expect(referenced.references == 2 && !referenced.archivable)
        #expect(referenced.nextStep.hasSuffix("referenced in 2 places: remove the checks, then `clutch flags archive migration`"), "\(referenced.nextStep)")
        let unreferenced = try #require(scanned.flags.first)
        #expect(unreferenced.stage == .rolledOut && unreferenced.references == 0 && !unreferenced.archivable)
        #expect(unreferenced.nextStep.hasPrefix("rolled-out but referenced in no scanned code"), "\(unreferenced.nextStep)")
    }
}
