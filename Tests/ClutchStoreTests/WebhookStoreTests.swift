import ClutchCore
@testable import ClutchStore
import Foundation
import GRDB
import Testing

/// Webhooks and the outbox in the store, on each database: a change queues its `flag.changed`
/// in its transaction; a due delivery is claimed by exactly one of many dispatchers on two
/// store instances (two replicas); a lease whose claimer died is taken again once it ends.
@Suite("Webhooks in the store")
struct WebhookStoreTests {
    static let lease: Duration = .seconds(30)

    /// The parts of a `flag.changed` event these tests read.
    struct Envelope: Decodable {
        struct Changed: Decodable {
            var flag: String
            var revision: Int64
            var action: String
        }

        var id: String
        var type: String
        var data: Changed
    }

    static func hook(_ store: any ClutchStoring) async throws -> WebhookRecord {
        try await store.createWebhook(
            WebhookRequest(url: "https://hooks.example.com/w", events: ["flag.changed"], secret: "whsec-0123456789abcdef", description: "ops"),
            change: admin)
    }

    /// Two stores on one database (two replicas), a webhook, and the delivery of the flag
    /// `hooked` being created, due at `now`.
    struct Queued {
        var fixture: BackendFixture
        var store: any ClutchStoring
        var other: any ClutchStoring
        var hook: WebhookRecord
        var id: Int64
        var now: Date
    }

    static func queued(_ backend: StoreBackend) async throws -> Queued {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        let other = try await fixture.another()
        let hook = try await Self.hook(store)
        _ = try await store.createFlag(Flag(key: "hooked"), change: admin)
        let now = Date().addingTimeInterval(1)
        let id = try #require(try await other.dueDeliveries(now: now, limit: 10).first?.id)
        return Queued(fixture: fixture, store: store, other: other, hook: hook, id: id, now: now)
    }

    @Test(arguments: StoreBackend.allCases) func aChangeQueuesOneSignedDeliveryPerWebhook(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        let hook = try await Self.hook(store)
        #expect(hook.secretHint == "…cdef")
        _ = try await store.createFlag(Flag(key: "hooked"), change: admin)
        let due = try await store.dueDeliveries(now: Date().addingTimeInterval(1), limit: 10)
        #expect(due.count == 1)
        let delivery = try #require(due.first)
        #expect(delivery.type == "flag.changed")
        #expect(delivery.secret == "whsec-0123456789abcdef")
        let body = try JSONDecoder().decode(Envelope.self, from: Data(delivery.body.utf8))
        #expect(body.data.flag == "hooked")
        #expect(body.data.revision == 1)
        #expect(body.data.action == "create")
        #expect(body.id == delivery.eventId)
        #expect(body.type == "flag.changed")
        #expect(try await store.webhooks().map(\.pendingDeliveries) == [1])

        let now = Date().addingTimeInterval(1)
        let claimed = try #require(try await store.claimDelivery(delivery.id, now: now, lease: Self.lease))
        #expect(claimed.body == delivery.body, "every attempt sends the same bytes")
        try await store.recordAttempt(delivery: delivery.id, at: now, statusCode: 204, error: nil, duration: .milliseconds(12), result: .delivered)
        let listed = try await store.deliveries(webhook: hook.id)
        #expect(listed.first?.status == .delivered)
        #expect(listed.first?.attempts.map(\.statusCode) == [204])
        #expect(listed.first?.attempts.first?.durationMs == 12)
        #expect(try await store.dueDeliveries(now: now.addingTimeInterval(60), limit: 10).isEmpty)
        #expect(try await store.nextDeliveryDue() == nil)
        #expect(try await store.claimDelivery(delivery.id, now: now.addingTimeInterval(60), lease: Self.lease) == nil, "delivered: nothing to claim")

        try await store.deleteWebhook(hook.id, change: admin)
        #expect(try await store.webhooks().isEmpty)
        _ = try await store.setArchived(flag: "hooked", archived: true, change: admin)
        #expect(try await store.dueDeliveries(now: now.addingTimeInterval(60), limit: 10).isEmpty, "no webhook, nothing queued")
    }

    /// Sixteen dispatchers on two store instances claim one due delivery at once: one gets it.
    @Test(arguments: StoreBackend.allCases) func racingDispatchersClaimADeliveryOnce(_ backend: StoreBackend) async throws {
        let queued = try await Self.queued(backend)
        let (store, other, id, now) = (queued.store, queued.other, queued.id, queued.now)
        let claims = try await withThrowingTaskGroup(of: Int.self) { group in
            for dispatcher in 0..<16 {
                let replica = dispatcher.isMultiple(of: 2) ? store : other
                group.addTask { try await replica.claimDelivery(id, now: now, lease: Self.lease) == nil ? 0 : 1 }
            }
            return try await group.reduce(0, +)
        }
        #expect(claims == 1)
        #expect(try await store.dueDeliveries(now: now, limit: 10).isEmpty, "a leased delivery is not due")
        let leaseEnd = try #require(try await other.nextDeliveryDue())
        #expect(abs(leaseEnd.timeIntervalSince(now) - 30) < 0.01, "it is due again when the lease ends")
    }

    /// A lease is renewed only by its holder and only while it holds it: renewing pushes its end
    /// out, so nobody else claims the delivery; once it has ended and another store took it, or
    /// the attempt was recorded, renewing answers false and changes nothing.
    @Test(arguments: StoreBackend.allCases) func aLeaseIsRenewedOnlyByItsHolder(_ backend: StoreBackend) async throws {
        let queued = try await Self.queued(backend)
        let (store, other, id, now) = (queued.store, queued.other, queued.id, queued.now)
        #expect(try await store.claimDelivery(id, now: now, lease: Self.lease) != nil)
        #expect(try await other.renewDeliveryClaim(id, now: now.addingTimeInterval(20), lease: Self.lease) == false, "not its lease")
        #expect(try await store.renewDeliveryClaim(id, now: now.addingTimeInterval(20), lease: Self.lease))
        #expect(try await other.claimDelivery(id, now: now.addingTimeInterval(31), lease: Self.lease) == nil, "renewed until now + 50")
        let renewedEnd = try #require(try await other.nextDeliveryDue())
        #expect(abs(renewedEnd.timeIntervalSince(now) - 50) < 0.01)
        let later = now.addingTimeInterval(51)
        #expect(try await other.claimDelivery(id, now: later, lease: Self.lease) != nil, "ended: taken by the other store")
        #expect(try await store.renewDeliveryClaim(id, now: later, lease: Self.lease) == false, "lost: not taken back")
        try await other.recordAttempt(delivery: id, at: later, statusCode: 204, error: nil, duration: .milliseconds(5), result: .delivered)
        #expect(try await other.renewDeliveryClaim(id, now: later, lease: Self.lease) == false, "recorded: nothing to renew")
    }

    /// A dispatcher claims a delivery and dies: until its lease ends nobody else sends it; then
    /// another replica takes it, and the first one's late record does not end the new lease.
    @Test(arguments: StoreBackend.allCases) func anExpiredLeaseIsTakenAgain(_ backend: StoreBackend) async throws {
        let queued = try await Self.queued(backend)
        let (store, other, hook, id, now) = (queued.store, queued.other, queued.hook, queued.id, queued.now)
        #expect(try await store.claimDelivery(id, now: now, lease: Self.lease) != nil)
        #expect(try await other.claimDelivery(id, now: now.addingTimeInterval(29), lease: Self.lease) == nil, "still leased")
        #expect(try await other.dueDeliveries(now: now.addingTimeInterval(29), limit: 10).isEmpty)
        let later = now.addingTimeInterval(31)
        #expect(try await other.dueDeliveries(now: later, limit: 10).map(\.id) == [id], "due again once the lease has ended")
        let retaken = try #require(try await other.claimDelivery(id, now: later, lease: Self.lease))
        #expect(retaken.attempts == 0)
        #expect(try await store.claimDelivery(id, now: later, lease: Self.lease) == nil, "now the other replica's")
        try await other.recordAttempt(
            delivery: id, at: later, statusCode: 500, error: nil, duration: .milliseconds(5), result: .retry(at: later.addingTimeInterval(10)))
        let retry = try #require(try await store.nextDeliveryDue())
        #expect(abs(retry.timeIntervalSince(later) - 10) < 0.01, "the retry is due, leased to nobody")
        #expect(try await store.claimDelivery(id, now: later.addingTimeInterval(10), lease: Self.lease)?.attempts == 1)
        let deliveries = try await other.deliveries(webhook: hook.id)
        #expect(deliveries.first?.attempts.map(\.statusCode) == [500])
        #expect(deliveries.first?.status == .pending)
    }

    /// A dispatcher that stops hands its leases back: the delivery is due at once for the others.
    @Test(arguments: StoreBackend.allCases) func aStoppingDispatcherHandsItsLeasesBack(_ backend: StoreBackend) async throws {
        let queued = try await Self.queued(backend)
        let (store, other, id, now) = (queued.store, queued.other, queued.id, queued.now)
        #expect(try await store.claimDelivery(id, now: now, lease: Self.lease) != nil)
        try await other.releaseDeliveryClaims()
        #expect(try await other.claimDelivery(id, now: now, lease: Self.lease) == nil, "another store's lease is not handed back")
        try await store.releaseDeliveryClaims()
        #expect(try await other.dueDeliveries(now: now, limit: 10).map(\.id) == [id])
        #expect(try await other.claimDelivery(id, now: now, lease: Self.lease) != nil)
    }

    /// On PostgreSQL a delivery queued through one replica wakes the dispatcher of another.
    @Test func aDeliveryQueuedOnOneReplicaWakesAnother() async throws {
        let fixture = try await BackendFixture(.postgres)
        let other = try await fixture.another()
        _ = try await Self.hook(fixture.store)
        let woken = Woken()
        other.onDeliveryQueued { woken.set() }
        let listening = Woken()
        let listener = Task {
            try await (other as? any StoreChangeFeed)?.listen(onListening: { listening.set() }, onNotification: { _ in })
        }
        defer { listener.cancel() }
        #expect(try await poll { listening.isSet })
        _ = try await fixture.store.createFlag(Flag(key: "hooked"), change: admin)
        #expect(try await poll { woken.isSet }, "the other replica's dispatcher was woken")
    }

    // MARK: Secrets at rest

    /// The webhook row's `secret` and `secret_key` columns as stored.
    static func stored(_ store: any ClutchStoring) async throws -> (secret: String, key: String?) {
        if let sqlite = store as? FlagStore {
            return try await sqlite.pool.read { db in
                guard let row = try Row.fetchOne(db, sql: "SELECT secret, secret_key FROM webhook") else {
                    throw StoreError(.notFound, "no webhook")
                }
                return (try row.decode(String.self, forColumn: "secret"), try row.decode(String?.self, forColumn: "secret_key"))
            }
        }
        let postgres = try #require(store as? PostgresStore)
        return try await postgres.read { session in
            guard let row = try await session.row("SELECT secret, secret_key FROM webhook") else { throw StoreError(.notFound, "no webhook") }
            return (try row.get("secret", as: String.self), try row.get("secret_key", as: String?.self))
        }
    }

    /// Stores `secret` in plain text, as versions before sealing did.
    static func storePlain(_ secret: String, in store: any ClutchStoring) async throws {
        if let sqlite = store as? FlagStore {
            try await sqlite.pool.write { db in try db.execute(sql: "UPDATE webhook SET secret = ?, secret_key = NULL", arguments: [secret]) }
            return
        }
        let postgres = try #require(store as? PostgresStore)
        _ = try await postgres.unlocked { session in try await session.execute("UPDATE webhook SET secret = \(secret), secret_key = NULL") }
    }

    @Test(arguments: StoreBackend.allCases) func theSecretIsStoredSealedAndOpensOnlyForItsWebhook(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        let store = fixture.store
        _ = try await Self.hook(store)
        let stored = try await Self.stored(store)
        #expect(!stored.secret.contains("whsec-0123456789abcdef"))
        #expect(stored.key?.count == 16)
        _ = try await store.createFlag(Flag(key: "sealed"), change: admin)
        // A second store on the database (another replica) opens it with the same key file.
        let other = try await fixture.another()
        #expect(try await other.dueDeliveries(now: Date().addingTimeInterval(1), limit: 10).first?.secret == "whsec-0123456789abcdef")
    }

    @Test(arguments: StoreBackend.allCases) func aSecretStoredInPlainTextIsSealedWhenTheStoreOpens(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        _ = try await Self.hook(fixture.store)
        _ = try await fixture.store.createFlag(Flag(key: "upgraded"), change: admin)
        try await Self.storePlain("whsec-plain-0123456789", in: fixture.store)
        // Before the upgrade's first start, the plain secret still signs.
        #expect(try await fixture.store.dueDeliveries(now: Date().addingTimeInterval(1), limit: 10).first?.secret == "whsec-plain-0123456789")
        let reopened = try await fixture.another()
        let stored = try await Self.stored(reopened)
        #expect(stored.secret != "whsec-plain-0123456789" && stored.key != nil, "not sealed at open")
        #expect(try await reopened.dueDeliveries(now: Date().addingTimeInterval(1), limit: 10).first?.secret == "whsec-plain-0123456789")
    }

    @Test(arguments: StoreBackend.allCases) func aMissingOrForeignKeyFileFailsTheOpenNamingTheFile(_ backend: StoreBackend) async throws {
        let fixture = try await BackendFixture(backend)
        _ = try await Self.hook(fixture.store)
        let elsewhere = FileManager.default.temporaryDirectory.appendingPathComponent("clutch-lost-\(UUID().uuidString).key").path
        defer { try? FileManager.default.removeItem(atPath: elsewhere) }
        func open() async throws {
            if let path = fixture.sqlitePath {
                try FlagStore(path: path, secretKeyPath: elsewhere, logger: StoreFixture.logger).close()
            } else if let url = fixture.postgresURL {
                try await PostgresStore.open(try PostgresAddress(url: url), secretKeyPath: elsewhere, logger: StoreFixture.logger).close()
            }
        }
        let missing = await #expect(throws: WebhookSecretKeyError.self) { try await open() }
        #expect(missing?.description.contains(elsewhere) == true && missing?.description.contains("missing") == true, "\(String(describing: missing))")
        #expect(!FileManager.default.fileExists(atPath: elsewhere), "no new key is made while secrets sealed with another exist")
        // Another key in that file: refused as well, naming it.
        _ = try WebhookSecretKey.create(elsewhere)
        let foreign = await #expect(throws: WebhookSecretKeyError.self) { try await open() }
        #expect(foreign?.description.contains(elsewhere) == true, "\(String(describing: foreign))")
    }

    @Test func aNewDatabaseAndItsKeyFileAreReadableByTheOwnerOnly() throws {
        let fixture = try StoreFixture()
        for file in [fixture.path, fixture.path + "-wal", fixture.path + "-shm", fixture.path + ".key"] {
            let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(file): \(String(mode ?? 0, radix: 8))")
        }
    }

    @Test func anExistingWorldReadableDatabaseIsMadePrivateWhenOpened() throws {
        let fixture = try StoreFixture()
        for file in [fixture.path, fixture.path + "-wal"] {
            #expect(chmod(file, 0o644) == 0)
        }
        let reopened = try fixture.reopen()
        defer { try? reopened.close() }
        for file in [fixture.path, fixture.path + "-wal"] {
            let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(file): \(String(mode ?? 0, radix: 8))")
        }
    }

    @Test(arguments: [
        ("https://hooks.example.com/in", "https://hooks.example.com/in"),
        ("https://user:pass@hooks.example.com/in", "https://***@hooks.example.com/in"),
        ("https://hooks.example.com/in?token=abc&team=ops", "https://hooks.example.com/in?token=***&team=***"),
        ("https://user@hooks.example.com:8443/in?abc123#frag", "https://***@hooks.example.com:8443/in?***#***"),
    ] as [(String, String)])
    func aWebhookURLIsShownWithoutItsCredentials(url: String, shown: String) {
        #expect(WebhookURL.redacted(url) == shown)
    }
}
