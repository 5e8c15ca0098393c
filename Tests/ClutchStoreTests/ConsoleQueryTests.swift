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

    @Test(arguments: StoreBackend.allCases) func flagListsArePagedAndSearchedInTheDatabase(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        let change = ChangeInfo(actor: "t")
        for i in 0..<25 {
            let flag = Flag(
                key: String(format: "flag-%02d", i), description: i == 7 ? "One-page CHECKOUT" : "Flag number \(i)",
                tags: i % 5 == 0 ? ["Payments", "web"] : ["web"])
            _ = try await store.createFlag(flag, change: change)
        }
        _ = try await store.apply([.turnOn], flag: "flag-03", environment: "production", ifRevision: nil, dryRun: false, change: change)
        _ = try await store.apply([.turnOn], flag: "flag-04", environment: "production", ifRevision: nil, dryRun: false, change: change)
        _ = try await store.setArchived(flag: "flag-24", archived: true, change: change)
        try await store.recordUsage(environment: "production", counts: [
            UsageCount(flag: "flag-01", variant: "on", count: 3), UsageCount(flag: "flag-20", variant: "on", count: 4),
        ], at: Date())

        let first = try await store.flagPage(FlagQuery(limit: 10))
        #expect(first.flags.map(\.flag.key) == (0..<10).map { String(format: "flag-%02d", $0) })
        #expect(first.matched == 24 && first.total == 24, "the archived flag is left out")
        #expect(first.nextOffset == 10)
        #expect(first.flags[1].usage?["production"]?.variants["on"] == 3, "the page's flags carry their usage")
        #expect(first.flags[1].lifecycle != nil)
        #expect(first.tags == ["Payments", "web"])
        let last = try await store.flagPage(FlagQuery(offset: 20, limit: 10))
        #expect(last.flags.map(\.flag.key) == ["flag-20", "flag-21", "flag-22", "flag-23"])
        #expect(last.nextOffset == nil)
        #expect(last.flags.first?.usage?["production"]?.variants["on"] == 4)
        #expect(try await store.flagPage(FlagQuery(includeArchived: true, offset: 20, limit: 10)).flags.count == 5)

        // The search looks at key, description and tags, ignoring the case of ASCII letters;
        // `%` and `_` are text, not wildcards.
        #expect(try await store.flagPage(FlagQuery(search: "checkout")).flags.map(\.flag.key) == ["flag-07"])
        #expect(try await store.flagPage(FlagQuery(search: "FLAG-1")).matched == 10)
        let tagged = try await store.flagPage(FlagQuery(search: "payMENTS"))
        #expect(tagged.flags.map(\.flag.key) == ["flag-00", "flag-05", "flag-10", "flag-15", "flag-20"])
        #expect(try await store.flagPage(FlagQuery(search: "%")).matched == 0)
        #expect(try await store.flagPage(FlagQuery(search: "flag_0")).matched == 0)
        #expect(try await store.flagPage(FlagQuery(tag: "Payments")).matched == 5)
        #expect(try await store.flagPage(FlagQuery(tag: "payments")).matched == 0, "a tag filter is exact")
        // On or off in one environment, read from the stored definition.
        let on = try await store.flagPage(FlagQuery(enabled: true, environment: "production"))
        #expect(on.flags.map(\.flag.key) == ["flag-03", "flag-04"])
        #expect(try await store.flagPage(FlagQuery(enabled: false, environment: "production")).matched == 22)
        #expect(try await store.flagPage(FlagQuery(enabled: true, environment: "staging")).matched == 0)
        #expect(try await store.flagPage(FlagQuery(search: "number 2", enabled: false, environment: "production")).matched == 5)
        // A stage filter pages what the lifecycle keeps: the two flags evaluated are no longer new.
        let new = try await store.flagPage(FlagQuery(stage: .new, environment: "production", limit: 10))
        #expect(new.matched == 22 && new.nextOffset == 10)
        #expect(!new.flags.map(\.flag.key).contains("flag-01"))
        let newLast = try await store.flagPage(FlagQuery(stage: .new, environment: "production", offset: 20, limit: 10))
        #expect(newLast.flags.map(\.flag.key) == ["flag-22", "flag-23"])
        #expect(newLast.nextOffset == nil)
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
