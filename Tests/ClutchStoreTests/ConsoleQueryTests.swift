import ClutchCore
import ClutchStore
import Foundation
import Testing

/// The store reads the web console adds: members a page at a time (100,000 of them), audit
/// events filtered and paged, and a restore's preview computed like the restore itself; on both databases.
@Suite("Console queries")
struct ConsoleQueryTests {
    @Test(arguments: StoreBackend.allCases) func aHundredThousandMembersArePagedInTheDatabase(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        let members = (0..<100_000).map { String(format: "customer-%06d", $0) }
        _ = try await store.createCohort(Cohort(key: "big", members: members), environment: "production", change: ChangeInfo(actor: "t"))
        var after: String?
        var seen = 0
        var pages = 0
        // Walk the first pages and one far into the cohort.
        for _ in 0..<3 {
            let (_, page) = try await store.memberPage(cohort: "big", environment: "production", after: after, search: nil, limit: 100)
            #expect(page.total == 100_000)
            #expect(page.members == Array(members[seen..<(seen + 100)]))
            seen += page.members.count
            pages += 1
            after = page.nextAfter
        }
        #expect(after == "customer-000299")
        let (_, deep) = try await store.memberPage(cohort: "big", environment: "production", after: "customer-099949", search: nil, limit: 100)
        #expect(deep.members.count == 50)
        #expect(deep.members.first == "customer-099950")
        #expect(deep.nextAfter == nil, "the last page says so")
        // A search is a substring match in the database, with no wildcard meaning.
        let (_, found) = try await store.memberPage(cohort: "big", environment: "production", after: nil, search: "9999", limit: 100)
        #expect(found.members == members.filter { $0.contains("9999") })
        #expect(found.members.count == 19)
        let (_, none) = try await store.memberPage(cohort: "big", environment: "production", after: nil, search: "%", limit: 100)
        #expect(none.members.isEmpty)
        let summaries = try await store.cohortSummaries(environment: "production")
        #expect(summaries.map(\.size) == [100_000])
        #expect(summaries.first?.record.cohort.members.isEmpty == true, "the list reads no members")
    }

    @Test(arguments: StoreBackend.allCases) func auditEventsFilterByFlagActorAndTimeAndPage(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        for i in 0..<5 {
            _ = try await store.createFlag(Flag(key: "f\(i)"), change: ChangeInfo(actor: i % 2 == 0 ? "alice" : "bob", message: "m\(i)"))
        }
        _ = try await store.apply([.turnOn], flag: "f0", environment: "staging", ifRevision: nil, dryRun: false, change: ChangeInfo(actor: "bob"))
        let all = try await store.auditPage(flag: nil, actor: nil, since: nil, until: nil, before: nil, limit: 100)
        #expect(all.events.count == 6)
        #expect(all.nextBefore == nil)
        let alice = try await store.auditPage(flag: nil, actor: "alice", since: nil, until: nil, before: nil, limit: 100)
        #expect(alice.events.map(\.key) == ["f4", "f2", "f0"])
        let f0 = try await store.auditPage(flag: "f0", actor: "bob", since: nil, until: nil, before: nil, limit: 100)
        #expect(f0.events.map(\.action) == ["change"])
        let first = try await store.auditPage(flag: nil, actor: nil, since: nil, until: nil, before: nil, limit: 4)
        #expect(first.events.count == 4)
        let second = try await store.auditPage(flag: nil, actor: nil, since: nil, until: nil, before: first.nextBefore, limit: 4)
        #expect(second.events.count == 2)
        #expect(Set(first.events.map(\.id)).isDisjoint(with: second.events.map(\.id)))
        let future = try await store.auditPage(flag: nil, actor: nil, since: Date().addingTimeInterval(3600), until: nil, before: nil, limit: 10)
        #expect(future.events.isEmpty)
        let past = try await store.auditPage(flag: nil, actor: nil, since: nil, until: Date().addingTimeInterval(-3600), before: nil, limit: 10)
        #expect(past.events.isEmpty)
        #expect(try await store.auditActors() == ["alice", "bob"])
    }

    @Test(arguments: StoreBackend.allCases) func aRestorePreviewIsTheRestoresDiffAndWritesNothing(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        _ = try await store.createFlag(Flag(key: "f"), change: ChangeInfo(actor: "t"))
        _ = try await store.apply([.turnOn], flag: "f", environment: "production", ifRevision: nil, dryRun: false, change: ChangeInfo(actor: "t"))
        _ = try await store.apply([.turnOff], flag: "f", environment: "production", ifRevision: nil, dryRun: false, change: ChangeInfo(actor: "t"))
        let (diff, target, _, _) = try await store.rollbackPreview(flag: "f", to: 2, environment: "production")
        #expect(target == 2)
        #expect(diff.map(\.path) == ["environments.production.enabled"])
        #expect(diff.first?.beforeText == "false")
        #expect(diff.first?.afterText == "true")
        #expect(try await store.flag("f").revision == 3, "a preview writes nothing")
        let restored = try await store.rollback(flag: "f", to: 2, environment: "production", change: ChangeInfo(actor: "t"))
        #expect(restored.value.flag.state(in: "production").enabled)
        let (none, _, _, _) = try await store.rollbackPreview(flag: "f", to: 2, environment: "production")
        #expect(none.isEmpty)
    }
}
