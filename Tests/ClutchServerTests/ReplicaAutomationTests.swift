import ClutchCore
import ClutchServer
import ClutchStore
import Foundation
import Logging
import PostgresTestSupport
import ServerTestSupport
import TestSupport
import Testing

/// Scheduled changes, webhooks and guarded releases with two server replicas on one PostgreSQL
/// database (``TestPostgres``), both running their scheduler, dispatcher and release runner: a
/// schedule fires once, each event is delivered once, a release moves once per step, and a
/// schedule made through a replica that then stops is applied by the other on time.
@Suite("Automation on two replicas", .serialized)
struct ReplicaAutomationTests {
    /// A replica polling the database only once a minute: what it learns sooner comes by NOTIFY.
    /// On `clock` when given (replicas of one test share it, as replicas share real time).
    static func replica(_ url: String, claimLease: Duration? = nil, clock: TestClock? = nil) async throws -> TestServer {
        try await TestServer.start { configuration in
            if let clock { TestServer.on(clock)(&configuration) }
            configuration.databasePath = url
            configuration.secretKeyPath = secretKeyPath(url)
            configuration.replicaPollInterval = .seconds(60)
            WebhookTests.localReceivers(&configuration)
            if let claimLease { configuration.webhooks.claimLease = claimLease }
        }
    }

    /// Lets both replicas' webhook dispatchers look at the outbox once more (a minute on, past any
    /// sleep of theirs) and waits until neither has an attempt running: every request either
    /// will ever send for what is in the outbox now has reached the receiver. Time moves only
    /// while no attempt runs: a minute's jump would end a running attempt's lease.
    static func dispatchersSettled(_ replicas: [TestServer], clock: TestClock) async throws {
        let idle: @Sendable () -> Bool = { replicas.allSatisfy { $0.application.webhookAttemptsInFlight == 0 } }
        #expect(try await eventually(timeout: .seconds(60)) { idle() })
        try await advance(clock, by: .seconds(60), thenTurnsOf: replicas.map(\.application.webhookTurns))
        #expect(try await eventually(timeout: .seconds(60)) { idle() })
    }

    /// The webhook secret key file every replica of the database at `url` shares, as operators give
    /// their replicas one file (`--secret-key-file`).
    static func secretKeyPath(_ url: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("clutch-replicas-\(url.split(separator: "/").last ?? "db").key").path
    }

    static func schedule(_ server: TestServer, at: Date) async throws -> String {
        let reply = try await server.send("POST", "/api/v1/schedules", body: """
            {"flag": "launch", "environment": "production", "instructions": [{"kind": "turnOn"}], "at": "\(Timestamp.format(at))"}
            """)
        guard reply.status == 201, let id = reply["id"]?.stringValue else { throw TestFailure("scheduling failed: \(reply.text)") }
        return id
    }

    static func stopAll(_ servers: [TestServer]) async {
        for server in servers { try? await server.stop() }
    }

    /// Runs `body` with two replicas on a new database (on `clock` when given), then stops both
    /// even when it throws.
    static func withReplicas(clock: TestClock? = nil, _ body: (TestServer, TestServer) async throws -> Void) async throws {
        let url = try await TestPostgres.database()
        let a = try await replica(url, clock: clock)
        let b = try await replica(url, clock: clock)
        do {
            try await body(a, b)
        } catch {
            await stopAll([a, b])
            throw error
        }
        await stopAll([a, b])
    }

    @Test func aScheduleAndItsWebhookMadeOnOneReplicaFireAndDeliverOnce() async throws {
        let receiver = try await WebhookReceiver(secret: WebhookTests.secret)
        defer { receiver.stop() }
        let clock = TestClock()
        try await Self.withReplicas(clock: clock) { a, b in
            #expect(try await eventually(timeout: .seconds(20)) { try await b.send("GET", "/readyz", as: .none).status == 200 })
            let hook = try await WebhookTests.createHook(a, receiver.url)
            try await a.createFlag(#"{"key": "launch", "environments": {"production": {"enabled": false}}}"#)
            let looked = a.application.scheduleTurns.count
            let id = try await Self.schedule(a, at: clock.now().addingTimeInterval(2))
            // A's scheduler, woken by the new schedule, looks and sleeps until it is due; then it
            // wakes, and it or B's applies it.
            try await waitForTurn(of: a.application.scheduleTurns, after: looked)
            try await advance(clock, by: .seconds(3), thenTurnOf: a.application.scheduleTurns)
            #expect(try await b.send("GET", "/api/v1/schedules/\(id)")["status"] == .string("applied"))
            // Both dispatchers were woken for both events. The store stamps a flag change's events
            // with the wall time, ahead of this clock: a minute on they are due everywhere, and
            // once both dispatchers have looked and finished their attempts, both are delivered.
            try await Self.dispatchersSettled([a, b], clock: clock)
            let delivered = try await b.send("GET", "/api/v1/webhooks/\(hook)/deliveries")
            #expect(delivered["deliveries"]?.arrayCount == 2, "\(delivered.text)")
            let allDelivered = (delivered["deliveries"]?.arrayValue ?? []).allSatisfy { $0.at("status") == .string("delivered") }
            #expect(allDelivered, "\(delivered.text)")
            // Were a second (wrong) attempt made, it has arrived once both dispatchers have settled again.
            try await Self.dispatchersSettled([a, b], clock: clock)
            let received = receiver.received
            let events = received.compactMap { $0.event?.at("id")?.stringValue }
            #expect(events.count == 2, "one request per event: \(received.map(\.body))")
            #expect(Set(events).count == 2)
            let verified = received.allSatisfy { $0.verified }
            #expect(verified, "the documented check refused a delivery")
            let revisions = received.compactMap { $0.event?.at("data.revision")?.intValue }.sorted()
            #expect(revisions == [1, 2], "the creation and the scheduled change")
            let listed = try await a.send("GET", "/api/v1/webhooks/\(hook)/deliveries")
            let attempts = (listed["deliveries"]?.arrayValue ?? []).map { $0.at("attempts")?.arrayCount ?? 0 }
            #expect(attempts == [1, 1], "each delivered by one attempt")
            let history = try await a.send("GET", "/api/v1/flags/launch/revisions")
            #expect(history["revisions"]?.arrayCount == 2, "the schedule fired once")
            #expect(history["revisions[0].actor"] == .string("clutch-scheduler for admin (service token)"))
        }
    }

    /// A replica claimed a delivery (as its dispatcher does, with the dispatcher's lease) and
    /// died (`kill -9`: nothing recorded, nothing handed back). Another replica sends it once the
    /// short lease has ended: seconds later, not when a long lease would have — and not before.
    @Test func aDeliveryHeldByAReplicaThatDiedIsSentOnceItsShortLeaseEnds() async throws {
        let receiver = try await WebhookReceiver(secret: WebhookTests.secret)
        defer { receiver.stop() }
        let url = try await TestPostgres.database()
        let dead = try await PostgresStore.open(
            try PostgresAddress(url: url), secretKeyPath: Self.secretKeyPath(url), logger: Logger(label: "dead-replica"))
        let change = ChangeInfo(actor: "alice", message: "test")
        _ = try await dead.createWebhook(
            WebhookRequest(url: receiver.url, events: ["flag.changed"], secret: WebhookTests.secret, description: nil),
            change: change, now: Date())
        _ = try await dead.createFlag(Flag(key: "held"), change: change)
        let id = try #require(try await dead.dueDeliveries(now: Date().addingTimeInterval(1), limit: 10, excluding: []).first?.id)
        let lease = WebhookSettings().claimLease
        #expect(lease <= .seconds(10), "a lease of a few seconds, not the ~50 s it was")
        let claimedAt = Date()
        #expect(try await dead.claimDelivery(id, now: claimedAt, lease: lease) != nil)
        let live = try await Self.replica(url)
        do {
            // The 5 s lease plus a generous allowance for a loaded machine; the old 50 s lease fails it.
            #expect(try await eventually(timeout: .seconds(20)) { receiver.delivered("flag.changed").count == 1 })
            let first = try #require(receiver.received.first)
            let leaseSeconds = Double(lease.components.seconds) + Double(lease.components.attoseconds) / 1e18
            #expect(first.at >= claimedAt.timeIntervalSince1970 + leaseSeconds - 0.05, "nobody sends a delivery while it is leased")
            try await Task.sleep(for: .seconds(1))
            #expect(receiver.received.count == 1, "sent once")
        } catch {
            try? await live.stop()
            throw error
        }
        try? await live.stop()
        try? dead.close()
    }

    /// An attempt that takes several leases long (a slow receiver) keeps its lease renewed: the
    /// other replica never sends the delivery a second time meanwhile.
    @Test func aSlowAttemptKeepsItsLeaseAndIsMadeOnce() async throws {
        let receiver = try await WebhookReceiver(secret: WebhookTests.secret, delay: 4)
        defer { receiver.stop() }
        let url = try await TestPostgres.database()
        let a = try await Self.replica(url, claimLease: .milliseconds(900))
        let b = try await Self.replica(url, claimLease: .milliseconds(900))
        do {
            let hook = try await WebhookTests.createHook(a, receiver.url)
            try await a.createFlag(#"{"key": "slow"}"#)
            #expect(try await eventually(timeout: .seconds(30)) {
                let listed = try await b.send("GET", "/api/v1/webhooks/\(hook)/deliveries")
                return listed["deliveries[0].status"] == .string("delivered")
            })
            #expect(receiver.received.count == 1, "one request, though the attempt outlived its lease four times")
            let listed = try await a.send("GET", "/api/v1/webhooks/\(hook)/deliveries")
            #expect(listed["deliveries[0].attempts"]?.arrayCount == 1)
        } catch {
            await Self.stopAll([a, b])
            throw error
        }
        await Self.stopAll([a, b])
    }

    @Test func aScheduleMadeOnAReplicaThatStopsIsAppliedByTheOtherOnTime() async throws {
        let clock = TestClock()
        let url = try await TestPostgres.database()
        let a = try await Self.replica(url, clock: clock)
        let b = try await Self.replica(url, clock: clock)
        do {
            #expect(try await eventually(timeout: .seconds(20)) { try await b.send("GET", "/readyz", as: .none).status == 200 })
            try await a.createFlag(#"{"key": "launch", "environments": {"production": {"enabled": false}}}"#)
            let id = try await Self.schedule(a, at: clock.now().addingTimeInterval(4))
            try await a.stop()
            // B polls once a minute and its scheduler looks every 30 s by itself: a turn of B's
            // scheduler once the schedule is due, 5 s on, means B heard of it when A made it
            // (had it not, no turn would come and this would fail after a minute).
            try await advance(clock, by: .seconds(5), thenTurnOf: b.application.scheduleTurns)
            #expect(try await b.send("GET", "/api/v1/schedules/\(id)")["status"] == .string("applied"))
            let schedule = try await b.send("GET", "/api/v1/schedules/\(id)")
            #expect(schedule["note"] == nil, "applied on time, not as a late catch-up")
            #expect(try await b.send("GET", "/api/v1/flags/launch")["flag.environments.production.enabled"] == .bool(true))
        } catch {
            await Self.stopAll([a, b])
            throw error
        }
        await Self.stopAll([b])
    }

    @Test func aReleaseRunByBothReplicasTakesEachStepOnce() async throws {
        let receiver = try await WebhookReceiver(secret: WebhookTests.secret)
        defer { receiver.stop() }
        let clock = TestClock()
        let url = try await TestPostgres.database()
        let a = try await Self.replica(url, clock: clock)
        let b = try await Self.replica(url, clock: clock)
        do {
            _ = try await WebhookTests.createHook(a, receiver.url, events: #"["release.step", "release.rolled_back"]"#)
            try await a.createFlag(ReleaseTests.flag)
            let (_, key) = try await a.createKey("production")
            #expect(try await eventually(timeout: .seconds(20)) {
                try await b.send("GET", "/sdk/v1/flags", as: .bearer(key)).status == 200
            })
            try await ReleaseTests.start(a, #"{"steps": [10, 50, 100], "stepDuration": 4, "minSamples": 100}"#)
            var completed = false
            for _ in 0..<120 where !completed {
                // The fleet reports to both replicas; then both runners take a turn half a second on.
                try await ReleaseTests.report(a, key: key, evaluations: 1000, newRate: 0.01, otherRate: 0.01)
                try await ReleaseTests.report(b, key: key, evaluations: 1000, newRate: 0.01, otherRate: 0.01)
                try await advance(
                    clock, by: ClutchApplication.releaseRunnerInterval, thenTurnsOf: [a.application.releaseTurns, b.application.releaseTurns])
                completed = try await ReleaseTests.status(b)["state"] == .string("completed")
            }
            let status = try await ReleaseTests.status(a)
            #expect(completed, "\(status.text)")
            let kinds = (status["transitions"]?.arrayValue ?? []).compactMap { $0.at("kind")?.stringValue }
            #expect(kinds == ["started", "step", "completed"], "each step taken once")
            let revisions = try await a.send("GET", "/api/v1/flags/new-checkout/revisions")
            let guardRevisions = (revisions["revisions"]?.arrayValue ?? []).filter { $0.at("actor")?.stringValue?.hasPrefix("clutch-guard for ") == true }
            #expect(guardRevisions.count == 2, "one revision per step")
            #expect(try await eventually(timeout: .seconds(20)) { receiver.delivered("release.step").count >= 2 })
            try await Self.dispatchersSettled([a, b], clock: clock)
            let steps = receiver.received.compactMap { $0.event?.at("data.percent")?.numberValue }.sorted()
            #expect(steps == [50, 100], "each step announced once")
        } catch {
            await Self.stopAll([a, b])
            throw error
        }
        await Self.stopAll([a, b])
    }
}
