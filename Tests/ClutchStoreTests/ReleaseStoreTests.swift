import ClutchCore
import ClutchStore
import Foundation
import Testing

/// Guarded releases in the store, on each database: a healthy step widens, a change by hand
/// pauses, worse errors roll back, each transition queues its webhook event in its transaction,
/// and runners racing on two store instances (two replicas) move a release once.
@Suite("Releases in the store")
struct ReleaseStoreTests {
    static let policy = ReleasePolicy(variant: "on", steps: [10, 50, 100], stepDuration: 1, minSamples: 50)

    /// Rollout-decided usage at 10 %: `new` evaluations of 'on', nine times as many of 'off'.
    static func report(_ store: any ClutchStoring, new: Int64, newErrors: Int64, otherErrors: Int64, at: Date) async throws {
        try await store.recordUsage([
            UsageEntry(environment: "production", flag: "gate", variant: "on", count: new, errors: newErrors, rollout: true),
            UsageEntry(environment: "production", flag: "gate", variant: "off", count: new * 9, errors: otherErrors, rollout: true),
        ], at: at)
    }

    /// Healthy rollout-decided usage at 50 %: as many evaluations of 'on' as of 'off'.
    static func reportAtHalf(_ store: any ClutchStoring, at: Date) async throws {
        try await store.recordUsage([
            UsageEntry(environment: "production", flag: "gate", variant: "on", count: 500, errors: 5, rollout: true),
            UsageEntry(environment: "production", flag: "gate", variant: "off", count: 500, errors: 5, rollout: true),
        ], at: at)
    }

    /// A flag `gate` off in production, a webhook for release events, and a release of 'on' started at `start` by `change`.
    static func started(_ store: any ClutchStoring, start: Date, change: ChangeInfo = admin) async throws -> Release {
        _ = try await store.createWebhook(
            WebhookRequest(url: "https://hooks.example.com/r", events: ["release.step", "release.rolled_back"],
                           secret: "whsec-0123456789abcdef", description: nil), change: admin)
        _ = try await store.createFlag(Flag(key: "gate"), change: admin)
        return try await store.startRelease(flag: "gate", environment: "production", policy: policy, change: change, now: start).value
    }

    static func events(_ store: any ClutchStoring, at now: Date) async throws -> [String] {
        try await store.dueDeliveries(now: now.addingTimeInterval(60), limit: 100).map(\.type)
    }

    @Test(arguments: StoreBackend.allCases) func aHealthyStepWidensAndQueuesReleaseStep(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        let start = Date()
        let release = try await Self.started(store, start: start)
        #expect(release.state == .running)
        #expect(release.percent == 10)
        #expect(release.transitions.map(\.kind) == [.started])
        #expect(try await store.flag("gate").flag.state(in: "production").enabled)
        #expect(try await store.runningReleaseEnvironments() == ["production"])

        try await Self.report(store, new: 100, newErrors: 1, otherErrors: 9, at: start.addingTimeInterval(2))
        let moved = try await store.runReleases(now: start.addingTimeInterval(3))
        #expect(moved.count == 1)
        let now = try await store.release(flag: "gate", environment: "production")
        #expect(now.percent == 50)
        #expect(now.transitions.map(\.kind) == [.started, .step])
        #expect(moved.first?.versions["production"] != nil, "the step is a flag change SDKs hear of")
        let revisions = try await store.revisions(flag: "gate", environment: nil)
        #expect(revisions.first?.actor == Release.guardActor)
        #expect(revisions.first?.action == "release.step")
        #expect(try await Self.events(store, at: start).filter { $0 == "release.step" }.count == 1)
        #expect(try await store.runReleases(now: start.addingTimeInterval(3)).isEmpty, "nothing more to do in the same step")
    }

    /// A step acts with its author's rights as they are when it is due, as a scheduled change
    /// does: while its author may edit the environment it widens, recorded as
    /// `clutch-guard for <author>`; once they are lowered the next step is not taken and the
    /// release holds with the policy's sentence (`release.paused`, audited); whoever resumes it
    /// becomes its author.
    @Test(arguments: StoreBackend.allCases) func aStepWhoseAuthorLostTheRightHoldsTheReleaseWithTheReason(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        let (bob, _) = try await store.createPerson(PersonCreate(email: "bob@example.com", role: .editor), change: admin)
        let (carol, _) = try await store.createPerson(PersonCreate(email: "carol@example.com", role: .owner), change: admin)
        _ = try await store.createWebhook(
            WebhookRequest(url: "https://hooks.example.com/p", events: ["release.paused"], secret: "whsec-0123456789abcdef", description: nil),
            change: admin)
        let start = Date()
        _ = try await Self.started(store, start: start, change: ChangeInfo(actor: "bob@example.com", author: .person(id: bob.id)))

        try await Self.report(store, new: 100, newErrors: 1, otherErrors: 9, at: start.addingTimeInterval(2))
        _ = try await store.runReleases(now: start.addingTimeInterval(3))
        let widened = try await store.release(flag: "gate", environment: "production")
        #expect(widened.percent == 50, "its author may: the step applies")
        #expect(widened.transitions.last?.actor == "clutch-guard for bob@example.com")
        #expect(try await store.revisions(flag: "gate", environment: nil).first?.actor == "clutch-guard for bob@example.com")

        _ = try await store.setRole(email: "bob@example.com", to: RoleChange(role: .viewer), change: admin)
        let revision = try await store.flag("gate").revision
        try await Self.reportAtHalf(store, at: start.addingTimeInterval(5))
        let held = try await store.runReleases(now: start.addingTimeInterval(6))
        #expect(held.first?.versions.isEmpty == true, "nothing applied")
        let release = try await store.release(flag: "gate", environment: "production")
        #expect(release.state == .paused)
        #expect(release.percent == 50)
        #expect(release.reason == "not completed: bob@example.com is a viewer in production; changing it needs editor; whoever resumes it becomes its author")
        #expect(release.transitions.last?.actor == Release.guardActor)
        #expect(try await store.flag("gate").revision == revision, "no revision")
        let audit = try await store.auditEvents(since: nil, flag: "gate", limit: 100).filter { $0.action == "release.paused" }
        #expect(audit.first?.message?.contains("bob@example.com is a viewer in production") == true, "\(audit)")
        #expect(try await Self.events(store, at: start).filter { $0 == "release.paused" }.count == 1)

        let resumed = try await store.resumeRelease(
            flag: "gate", environment: "production", change: ChangeInfo(actor: "carol@example.com", author: .person(id: carol.id)),
            now: start.addingTimeInterval(7))
        #expect(resumed.value.state == .running)
        try await Self.reportAtHalf(store, at: start.addingTimeInterval(9))
        _ = try await store.runReleases(now: start.addingTimeInterval(10))
        let completed = try await store.release(flag: "gate", environment: "production")
        #expect(completed.state == .completed)
        #expect(completed.transitions.last?.actor == "clutch-guard for carol@example.com", "it acts for whoever resumed it")
    }

    /// Turning things off never waits for anyone's rights: the guard rolls back a release whose
    /// author was removed, as `clutch-guard`; and a step whose author's token was revoked (its
    /// person still an editor) holds naming the token.
    @Test(arguments: StoreBackend.allCases) func theGuardRollsBackWhateverItsAuthorMayNow(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        let (bob, _) = try await store.createPerson(PersonCreate(email: "bob@example.com", role: .editor), change: admin)
        let start = Date()
        _ = try await Self.started(store, start: start, change: ChangeInfo(actor: "bob@example.com", author: .person(id: bob.id)))
        _ = try await store.removePerson(email: "bob@example.com", change: admin)
        for second in 2...6 {
            try await Self.report(store, new: 200, newErrors: 40, otherErrors: 18, at: start.addingTimeInterval(Double(second)))
            _ = try await store.runReleases(now: start.addingTimeInterval(Double(second)))
        }
        let rolledBack = try await store.release(flag: "gate", environment: "production")
        #expect(rolledBack.state == .rolledBack, "\(rolledBack.reason ?? "")")
        #expect(rolledBack.transitions.last?.actor == Release.guardActor)
        #expect(try await store.flag("gate").flag.state(in: "production").default == .rollout(.percentage(0, of: "on", rest: "off")))

        let (dave, _) = try await store.createPerson(PersonCreate(email: "dave@example.com", role: .editor), change: admin)
        let (token, _) = try await store.createToken(TokenCreate(name: "laptop"), personID: dave.id, change: admin)
        _ = try await store.startRelease(
            flag: "gate", environment: "production", policy: Self.policy, restartFrom: 10,
            change: ChangeInfo(actor: token.actor, author: .token(id: token.id)), now: start.addingTimeInterval(10))
        _ = try await store.revokeToken(id: token.id, change: admin)
        try await Self.report(store, new: 100, newErrors: 1, otherErrors: 9, at: start.addingTimeInterval(12))
        _ = try await store.runReleases(now: start.addingTimeInterval(13))
        let held = try await store.release(flag: "gate", environment: "production")
        #expect(held.state == .paused)
        #expect(held.reason?.contains("laptop (token of dave@example.com) can no longer make changes") == true, "\(held.reason ?? "")")
    }

    /// Usage is pending per reporter and taken into each reporter's own evidence; a key that has
    /// served nothing is not counted until it has; beyond the reporters a release tracks, further
    /// instances of a key fold into `<key id>/*`.
    @Test(arguments: StoreBackend.allCases) func eachReporterKeepsItsOwnEvidence(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        let start = Date()
        _ = try await Self.started(store, start: start)
        func report(_ reporter: String, new: Int64, newErrors: Int64, at: Date) async throws {
            try await store.recordUsage([
                UsageEntry(environment: "production", flag: "gate", variant: "on", count: new, errors: newErrors, rollout: true, reporter: reporter),
                UsageEntry(environment: "production", flag: "gate", variant: "off", count: new * 9, errors: 0, rollout: true, reporter: reporter),
            ], at: at)
        }
        try await store.recordKeyServed("fleet", at: start)
        try await store.recordKeyServed("fleet", at: start.addingTimeInterval(1))
        try await report("fleet/a", new: 100, newErrors: 1, at: start.addingTimeInterval(0.5))
        try await report("fleet/b", new: 50, newErrors: 0, at: start.addingTimeInterval(0.5))
        try await report("quiet/x", new: 10, newErrors: 0, at: start.addingTimeInterval(0.5))
        _ = try await store.runReleases(now: start.addingTimeInterval(0.6))
        var release = try await store.release(flag: "gate", environment: "production")
        #expect(release.progress.reporters["fleet/a"]?.total.new == SideCounts(evaluations: 100, errors: 1))
        #expect(release.progress.reporters["fleet/b"]?.total.new.evaluations == 50)
        #expect(release.progress.reporters["fleet/a"]?.evidence != release.progress.reporters["fleet/b"]?.evidence)
        #expect(release.progress.reporters["quiet/x"]?.status == .unverified, "its key has served nothing")
        #expect(release.progress.total.new.evaluations == 150, "the counted reporters only")
        // Taken once: a second turn finds nothing pending.
        _ = try await store.runReleases(now: start.addingTimeInterval(0.7))
        #expect(try await store.release(flag: "gate", environment: "production").progress.total.new.evaluations == 150)
        try await store.recordKeyServed("quiet", at: start)
        try await report("quiet/x", new: 10, newErrors: 0, at: start.addingTimeInterval(0.8))
        _ = try await store.runReleases(now: start.addingTimeInterval(0.9))
        release = try await store.release(flag: "gate", environment: "production")
        #expect(release.progress.reporters["quiet/x"]?.status == .counted, "counted once its key served")
        #expect(release.progress.total.new.evaluations == 170)

        // 256 reporters at most: the rest of a key's instances share one row.
        var entries: [UsageEntry] = []
        for instance in 0..<ReporterGuard.maxReporters {
            entries.append(UsageEntry(
                environment: "production", flag: "gate", variant: "on", count: 1, rollout: true, reporter: "many/\(instance)"))
            entries.append(UsageEntry(
                environment: "production", flag: "gate", variant: "off", count: 9, rollout: true, reporter: "many/\(instance)"))
        }
        try await store.recordUsage(entries, at: start.addingTimeInterval(0.95))
        _ = try await store.runReleases(now: start.addingTimeInterval(0.96))
        release = try await store.release(flag: "gate", environment: "production")
        #expect(release.progress.reporters.count == ReporterGuard.maxReporters + 1)
        #expect(release.progress.reporters[ReporterGuard.overflowReporter(keyID: "many")]?.total.new.evaluations == 3, "3 tracked before them")
    }

    /// A report received while the step was settling counts as early (not toward the step's
    /// samples) even when its batch is written after the step settled; one received after counts.
    @Test(arguments: StoreBackend.allCases) func aReportCountsInTheStepItWasReceivedIn(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        let start = Date()
        _ = try await Self.started(store, start: start)
        // Settles at start + 1 s (the policy's 1 s step); received before, written after.
        func entries(_ receivedAt: Date) -> [UsageEntry] {
            [
                UsageEntry(environment: "production", flag: "gate", variant: "on", count: 100, errors: 1, rollout: true, receivedAt: receivedAt),
                UsageEntry(environment: "production", flag: "gate", variant: "off", count: 900, errors: 9, rollout: true, receivedAt: receivedAt),
            ]
        }
        try await store.recordUsage(entries(start.addingTimeInterval(0.5)), at: start.addingTimeInterval(2))
        #expect(try await store.runReleases(now: start.addingTimeInterval(3)).isEmpty, "early counts do not make the step's samples")
        #expect(try await store.release(flag: "gate", environment: "production").percent == 10)
        try await store.recordUsage(entries(start.addingTimeInterval(2.5)), at: start.addingTimeInterval(2.6))
        #expect(try await store.runReleases(now: start.addingTimeInterval(3)).count == 1, "settled counts do")
        #expect(try await store.release(flag: "gate", environment: "production").percent == 50)
    }

    @Test(arguments: StoreBackend.allCases) func aChangeByHandPausesTheRelease(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        let start = Date()
        _ = try await Self.started(store, start: start)
        _ = try await store.apply(
            [.addTargets(variant: "off", attribute: "targetingKey", values: ["vip"])], flag: "gate", environment: "production",
            ifRevision: nil, dryRun: false, change: ChangeInfo(actor: "bob", message: "keep vip off"))
        _ = try await store.runReleases(now: start.addingTimeInterval(1))
        let release = try await store.release(flag: "gate", environment: "production")
        #expect(release.state == .paused)
        let reason = release.reason ?? ""
        #expect(reason.contains("changed by hand") && reason.contains("bob") && reason.contains("keep vip off"), "\(reason)")
        #expect(try await store.flag("gate").flag.state(in: "production").targets.count == 1, "the change by hand is kept")

        let resumed = try await store.resumeRelease(flag: "gate", environment: "production", change: admin, now: start.addingTimeInterval(2))
        #expect(resumed.value.state == .running)
        let aborted = try await store.abortRelease(flag: "gate", environment: "production", change: admin, now: start.addingTimeInterval(3))
        #expect(aborted.value.state == .aborted)
        #expect(aborted.value.transitions.map(\.kind) == [.started, .paused, .resumed, .aborted])
        let again = await #expect(throws: StoreError.self) {
            _ = try await store.pauseRelease(flag: "gate", environment: "production", change: admin, now: start.addingTimeInterval(4))
        }
        #expect(again?.kind == .conflict)
    }

    @Test(arguments: StoreBackend.allCases) func worseErrorsRollBackAndQueueReleaseRolledBack(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        let start = Date()
        _ = try await Self.started(store, start: start)
        for second in 2...6 {
            try await Self.report(store, new: 200, newErrors: 40, otherErrors: 18, at: start.addingTimeInterval(Double(second)))
            _ = try await store.runReleases(now: start.addingTimeInterval(Double(second)))
        }
        let release = try await store.release(flag: "gate", environment: "production")
        #expect(release.state == .rolledBack)
        #expect(release.percent == 0)
        #expect(try await Self.events(store, at: start) == ["release.rolled_back"])
        let starting = await #expect(throws: StoreError.self) {
            _ = try await store.startRelease(flag: "gate", environment: "production", policy: ReleasePolicy(variant: "nope"), change: admin)
        }
        #expect(starting?.field == "variant")
    }

    /// A flag `gate` on in production serving 'on' to 50 % by targetingKey (as `rollout --percent 50` writes it).
    static func atHalf(_ store: any ClutchStoring, bucketBy: String = "targetingKey") async throws {
        _ = try await store.createFlag(Flag(key: "gate", environments: [
            "production": FlagState(enabled: true, default: .rollout(.percentage(50, of: "on", rest: "off", bucketBy: bucketBy))),
        ]), change: admin)
    }

    /// The store decides where a release starts and where an abort goes, the same on both databases.
    @Test(arguments: StoreBackend.allCases) func aReleaseContinuesTheRolloutAndAbortReturnsToItInOneRevision(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        try await Self.atHalf(store)
        let before = try await store.flag("gate").flag.state(in: "production")
        let start = Date()
        let started = try await store.startRelease(
            flag: "gate", environment: "production", policy: ReleasePolicy(variant: "on", steps: [10, 50, 75, 100], stepDuration: 1, minSamples: 50),
            change: admin, now: start)
        #expect(started.value.percent == 50, "never below the 50 % the flag served")
        #expect(started.value.policy.steps == [50, 75, 100], "the steps at or below 50 are skipped")
        #expect(started.value.replaced == ReleaseBaseline(
            enabled: true, serve: before.default ?? .variant("?"), percent: 50, text: "50% on / 50% off by targetingKey"))
        #expect(started.value.transitions.first?.message.contains("(was 50% on / 50% off by targetingKey)") == true)
        #expect(try await store.flag("gate").flag.state(in: "production") == before, "continuing 50 % changes nobody's variant")

        // A healthy step at 50 % widens it to 75 %.
        try await store.recordUsage([
            UsageEntry(environment: "production", flag: "gate", variant: "on", count: 500, errors: 5, rollout: true),
            UsageEntry(environment: "production", flag: "gate", variant: "off", count: 500, errors: 5, rollout: true),
        ], at: start.addingTimeInterval(2))
        _ = try await store.runReleases(now: start.addingTimeInterval(3))
        #expect(try await store.release(flag: "gate", environment: "production").percent == 75)

        let revision = try await store.flag("gate").revision
        let aborted = try await store.abortRelease(flag: "gate", environment: "production", change: admin, now: start.addingTimeInterval(4))
        #expect(aborted.value.state == .aborted)
        #expect(aborted.value.percent == 50)
        let after = try await store.flag("gate")
        #expect(after.revision == revision + 1, "one revision")
        #expect(after.flag.state(in: "production") == before, "the state before the release")
        #expect(try await store.release(flag: "gate", environment: "production").abortedTo == 50, "read back as written")
    }

    @Test(arguments: StoreBackend.allCases) func aStartThatCannotContinueIsRefusedUnlessToldWhereToRestart(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        try await Self.atHalf(store, bucketBy: "customerId")
        let policy = ReleasePolicy(variant: "on", stepDuration: 3600)
        let refused = await #expect(throws: StoreError.self) {
            _ = try await store.startRelease(flag: "gate", environment: "production", policy: policy, change: admin, now: Date())
        }
        #expect(refused?.kind == .conflict)
        #expect(refused?.field == "restartFrom")
        #expect(refused?.message.contains("50% on / 50% off by customerId") == true, "\(String(describing: refused))")
        #expect(try await store.flag("gate").revision == 1, "nothing changed")
        let invalid = await #expect(throws: StoreError.self) {
            _ = try await store.startRelease(flag: "gate", environment: "production", policy: policy, restartFrom: 100, change: admin)
        }
        #expect(invalid?.field == "restartFrom")

        let restarted = try await store.startRelease(flag: "gate", environment: "production", policy: policy, restartFrom: 1, change: admin)
        #expect(restarted.value.percent == 1, "lowered, as asked")
        #expect(restarted.value.policy.steps == [1, 5, 25, 50, 100])
        let zero = try await store.abortRelease(flag: "gate", environment: "production", to: .zero, change: admin)
        #expect(zero.value.percent == 0)
        let state = try await store.flag("gate").flag.state(in: "production")
        #expect(state.enabled)
        #expect(state.default == .rollout(.percentage(0, of: "on", rest: "off", bucketBy: "targetingKey")))
    }

    /// A flag that was off served nobody the variant: the release starts at its first step, and
    /// abort turns the flag off again with its old default, in one revision.
    @Test(arguments: StoreBackend.allCases) func aFlagThatWasOffIsOffAgainAfterAbort(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        _ = try await store.createFlag(Flag(key: "gate", environments: [
            "production": FlagState(enabled: false, default: .rollout(.percentage(50, of: "on", rest: "off", bucketBy: "customerId"))),
        ]), change: admin)
        let before = try await store.flag("gate").flag.state(in: "production")
        let started = try await store.startRelease(flag: "gate", environment: "production", policy: ReleasePolicy(variant: "on"), change: admin)
        #expect(started.value.percent == 1)
        #expect(started.value.replaced?.text == "off")
        #expect(started.value.replaced?.percent == 0)
        #expect(try await store.flag("gate").flag.state(in: "production").enabled)
        let revision = try await store.flag("gate").revision
        let aborted = try await store.abortRelease(flag: "gate", environment: "production", change: admin)
        #expect(aborted.value.percent == 0)
        let after = try await store.flag("gate")
        #expect(after.revision == revision + 1, "one revision")
        #expect(after.flag.state(in: "production") == before)
    }

    /// A release an older version started recorded nothing to return to: it is read, and its abort goes to 0 % as before.
    @Test(arguments: StoreBackend.allCases) func anOlderReleaseWithoutABaselineAbortsToZero(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        try await Self.atHalf(store)
        _ = try await store.startRelease(flag: "gate", environment: "production", policy: ReleasePolicy(variant: "on", stepDuration: 3600), change: admin, now: Date())
        try await fixture.execute("UPDATE release SET replaced = NULL")
        let release = try await store.release(flag: "gate", environment: "production")
        #expect(release.replaced == nil)
        #expect(release.percent == 50)
        let aborted = try await store.abortRelease(flag: "gate", environment: "production", change: admin, now: Date())
        #expect(aborted.value.percent == 0)
        #expect(try await store.flag("gate").flag.state(in: "production").default == .rollout(.percentage(0, of: "on", rest: "off")))
    }

    /// Eight runners on two store instances take the same due step at once: it is taken once
    /// (one revision, one audit event, one `release.step`), and the usage is counted once.
    @Test(arguments: StoreBackend.allCases) func racingRunnersAdvanceAStepOnce(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        let other = try await fixture.another()
        let start = Date()
        _ = try await Self.started(store, start: start)
        try await Self.report(other, new: 100, newErrors: 1, otherErrors: 9, at: start.addingTimeInterval(2))
        let revision = try await store.flag("gate").revision
        let moves = try await withThrowingTaskGroup(of: Int.self) { group in
            for runner in 0..<8 {
                let replica = runner.isMultiple(of: 2) ? store : other
                group.addTask { try await replica.runReleases(now: start.addingTimeInterval(3)).count }
            }
            return try await group.reduce(0, +)
        }
        #expect(moves == 1, "one runner moved the release")
        let release = try await other.release(flag: "gate", environment: "production")
        #expect(release.transitions.map(\.kind) == [.started, .step])
        #expect(release.progress.total.new.evaluations == 100, "the usage was taken once")
        #expect(try await store.flag("gate").revision == revision + 1, "one revision")
        let audit = try await store.auditEvents(since: nil, flag: "gate", limit: 100).filter { $0.action == "release.step" }
        #expect(audit.count == 1, "one audit event")
        #expect(try await Self.events(store, at: start).filter { $0 == "release.step" }.count == 1, "one webhook event")
    }

    /// Each turn that weighs usage records a sample — per side, the evaluations and errors the
    /// counted reporters sent since the turn before, at the step it was at — in the turn's own
    /// transaction; a turn with nothing to weigh records none, and the sample survives the step
    /// it led to.
    @Test(arguments: StoreBackend.allCases) func eachTurnRecordsWhatItWeighedPerSide(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        _ = try await Self.started(store, start: start)
        #expect(try await store.release(flag: "gate", environment: "production").samples.isEmpty, "nothing weighed yet")

        try await Self.report(store, new: 100, newErrors: 1, otherErrors: 9, at: start.addingTimeInterval(2))
        _ = try await store.runReleases(now: start.addingTimeInterval(3))
        _ = try await store.runReleases(now: start.addingTimeInterval(4))
        let release = try await store.release(flag: "gate", environment: "production")
        #expect(release.percent == 50, "the turn widened the release")
        #expect(release.samples == [
            ReleaseSample(
                at: start.addingTimeInterval(3), step: 1, percent: 10, new: SideCounts(evaluations: 100, errors: 1),
                other: SideCounts(evaluations: 900, errors: 9)),
        ], "one sample, at the step the data was weighed in; the idle turn added none")

        try await Self.reportAtHalf(store, at: start.addingTimeInterval(5))
        _ = try await store.runReleases(now: start.addingTimeInterval(6))
        let later = try await store.release(flag: "gate", environment: "production")
        #expect(later.samples.map(\.step) == [1, 2])
        #expect(later.samples.last?.new == SideCounts(evaluations: 500, errors: 5))
        #expect(later.samples.last?.at == start.addingTimeInterval(6))
    }

    /// A long release keeps at most ``maxSamples`` samples: beyond that its samples are merged in
    /// pairs of the same step, every evaluation and error still counted, oldest first.
    @Test(arguments: StoreBackend.allCases) func aReleaseKeepsABoundedNumberOfSamplesWithEveryCountInThem(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        _ = try await store.createFlag(Flag(key: "gate"), change: admin)
        // Never enough evaluations to widen: every turn weighs and waits.
        let policy = ReleasePolicy(variant: "on", steps: [10, 100], stepDuration: 1, minSamples: 1_000_000_000)
        _ = try await store.startRelease(flag: "gate", environment: "production", policy: policy, change: admin, now: start)
        let turns = Self.maxSamples + 1
        for turn in 1...turns {
            try await Self.report(store, new: 10, newErrors: 0, otherErrors: 1, at: start.addingTimeInterval(Double(turn)))
            _ = try await store.runReleases(now: start.addingTimeInterval(Double(turn) + 0.5))
        }
        let samples = try await store.release(flag: "gate", environment: "production").samples
        #expect(samples.count == Self.maxSamples / 2 + 1, "thinned once, in pairs")
        #expect(samples.reduce(0) { $0 + $1.new.evaluations } == Int64(turns) * 10)
        #expect(samples.reduce(0) { $0 + $1.other.errors } == Int64(turns))
        #expect(samples.map(\.at) == samples.map(\.at).sorted())
        #expect(samples.last?.at == start.addingTimeInterval(Double(turns) + 0.5))
        #expect(samples.first?.new.evaluations == 20, "the oldest two merged")
    }

    /// The most samples a release keeps (the store's bound, also stated in docs/openapi.json).
    static let maxSamples = 240
}
