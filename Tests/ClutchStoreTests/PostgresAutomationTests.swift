import ClutchCore
import ClutchStore
import Foundation
import Testing

/// Until releases, schedules and webhooks are kept in PostgreSQL (issue 14), a PostgreSQL store
/// refuses to create them, saying which feature, and the reads the server's runners make find
/// nothing: no change is ever promised a release step, a schedule or a delivery that would not happen.
@Suite("PostgreSQL: releases, schedules and webhooks refused for now")
struct PostgresAutomationTests {
    @Test func creatingOneIsRefusedNamingTheFeatureAndNothingIsPending() async throws {
        let fixture = try await BackendFixture(.postgres)
        let store = fixture.store
        let change = ChangeInfo(actor: "t")
        _ = try await store.createFlag(Flag(key: "f"), change: change)

        let release = await #expect(throws: StoreError.self) {
            _ = try await store.startRelease(flag: "f", environment: "production", policy: ReleasePolicy(variant: "on"), change: change)
        }
        #expect(release?.kind == .badRequest)
        #expect(release?.message.contains("guarded releases") == true)
        let schedule = await #expect(throws: StoreError.self) {
            _ = try await store.createSchedule(
                ScheduleRequest(kind: .flag, key: "f", environment: "production", instructions: [], message: nil, at: Date().addingTimeInterval(60)),
                change: change)
        }
        #expect(schedule?.message.contains("scheduled changes") == true)
        let webhook = await #expect(throws: StoreError.self) {
            _ = try await store.createWebhook(
                WebhookRequest(url: "https://example.com/hook", events: nil, secret: String(repeating: "s", count: 32), description: nil),
                change: change)
        }
        #expect(webhook?.message.contains("webhooks") == true)

        #expect(try await store.runningReleaseEnvironments().isEmpty)
        #expect(try await store.runReleases().isEmpty)
        #expect(try await store.nextScheduleDue() == nil)
        #expect(try await store.dueSchedules(now: Date().addingTimeInterval(3600)).isEmpty)
        #expect(try await store.nextDeliveryDue() == nil)
        #expect(try await store.webhooks().isEmpty)
        #expect(try await store.flag("f").revision == 1, "the refusals changed nothing")
    }
}
