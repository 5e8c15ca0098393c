import ClutchCore
import Foundation
import ServerTestSupport
import Testing

@Suite("clutch --at, schedule and webhooks")
struct ScheduleWebhookCLITests {
    @Test("on --at +5s schedules the change; the server applies it as clutch-scheduler naming the author")
    func onAtFires() async throws {
        let server = try await TestServer.shared.get()
        let key = uniqueKey("later")
        #expect(try await server.clutch("flags", "create", key).status == 0)
        let scheduled = try await server.clutch("on", key, "--env", "production", "--at", "+5s", "-m", "launch", "--json")
        #expect(scheduled.status == 0, "\(scheduled)")
        let id = try #require(try scheduled.json()["id"]?.string)
        #expect(try scheduled.json()["status"]?.string == "pending")
        // --all: on a loaded machine the change may already be applied by now.
        let listed = try await server.clutch("schedule", "list", "--all", "--key", key)
        #expect(listed.stdout.contains(id) && listed.stdout.contains("turnOn"), "\(listed)")
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(20)
        var applied = false
        while clock.now < deadline, !applied {
            let shown = try await server.clutch("schedule", "show", id, "--json")
            applied = try shown.json()["status"]?.string == "applied"
            if !applied { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(applied)
        let history = try await server.clutch("history", key, "--json")
        #expect(history.stdout.contains("clutch-scheduler"), "\(history)")
        #expect(history.stdout.contains("scheduled by admin (service token)"), "\(history)")
    }

    @Test("target, rollout and cohorts take --at; cancel works; bad times are usage errors")
    func atEverywhereAndCancel() async throws {
        let server = try await TestServer.shared.get()
        let key = uniqueKey("plan")
        #expect(try await server.clutch("flags", "create", key).status == 0)
        let target = try await server.clutch("target", key, "--env", "production", "--customers", "acme", "--at", "+1h")
        #expect(target.status == 0, "\(target)")
        #expect(target.stdout.hasPrefix("Scheduled sch_"), "\(target)")
        let rollout = try await server.clutch("rollout", key, "--env", "production", "--percent", "25", "--at", "2099-01-01T09:00:00Z", "--json")
        #expect(rollout.status == 0, "\(rollout)")
        #expect(try rollout.json()["instructions"]?.array?.isEmpty == false, "\(rollout)")
        let rule = try await server.clutch(
            "rules", "add", key, "--env", "production", "--where", "plan in enterprise", "--serve", "on", "--position", "1", "--at", "+1h")
        #expect(rule.status == 0, "\(rule)")
        #expect(rule.stdout.hasPrefix("Scheduled sch_"), "\(rule)")
        // `--at` once gave a rule's position: a number is refused with a pointer to --position.
        let oldPosition = try await server.clutch("rules", "add", key, "--env", "production", "--where", "plan in pro", "--serve", "on", "--at", "1")
        #expect(oldPosition.status == 2, "\(oldPosition)")
        #expect(oldPosition.stderr.contains("--position 1"), "\(oldPosition)")
        let cohort = uniqueKey("pilot")
        #expect(try await server.clutch("cohorts", "create", cohort, "--env", "production", "--customers", "acme").status == 0)
        let members = try await server.clutch("cohorts", "add", cohort, "--env", "production", "--customers", "globex", "--at", "+1h", "--json")
        #expect(members.status == 0, "\(members)")
        #expect(try members.json()["kind"]?.string == "cohort")

        let id = try #require(try rollout.json()["id"]?.string)
        let cancelled = try await server.clutch("schedule", "cancel", id)
        #expect(cancelled.status == 0, "\(cancelled)")
        #expect(cancelled.stdout.hasPrefix("Cancelled \(id)"), "\(cancelled)")
        let again = try await server.clutch("schedule", "cancel", id)
        #expect(again.status == 1, "\(again)")
        let all = try await server.clutch("schedule", "list", "--all", "--json")
        #expect(try all.json()["schedules"]?.array?.first { $0["id"]?.string == id }?["status"]?.string == "cancelled")
        // Nothing was applied now.
        #expect(try await server.clutch("flags", "get", key, "--json").json()["revision"] == 1)

        for bad in ["yesterday", "+5x", "2001-01-01T00:00:00Z"] {
            let refused = try await server.clutch("on", key, "--env", "production", "--at", bad)
            #expect(refused.status == 2, "\(bad): \(refused)")
        }
        let killAll = try await server.clutch("kill", key, "--at", "+1h")
        #expect(killAll.status == 2, "\(killAll)")
    }

    @Test("webhooks create, list, deliveries, delete; the secret never shows in output or the server's log")
    func webhooksLifecycle() async throws {
        // 127.0.0.1 is an internal address: allowed as an operator would (CLUTCH_WEBHOOK_ALLOW).
        let server = try await ServeProcess(environment: [
            "CLUTCH_LOG_LEVEL": "debug", "CLUTCH_WEBHOOK_FIRST_RETRY_SECONDS": "0.2", "CLUTCH_WEBHOOK_ALLOW": "127.0.0.1/32",
        ])
        defer { try? FileManager.default.removeItem(at: server.directory) }
        let secret = "cli-secret-\(UUID().uuidString)"
        // A closed port: every attempt fails and is logged as a warning.
        // Its URL carries credentials: they are shown and logged as `***`.
        let url = "http://hook-user:pa55w0rd@127.0.0.1:9/hook?token=t0k3n-cli"
        let created = try await server.clutch("webhooks", "create", "--url", url, "--events", "flag.changed", "--secret", secret, "--json")
        #expect(created.status == 0, "\(created)")
        #expect(!created.stdout.contains(secret))
        let id = try #require(try created.json()["id"]?.string)
        let text = try await server.clutch("webhooks", "list")
        #expect(text.stdout.contains(id) && !text.stdout.contains(secret), "\(text)")
        #expect(text.stdout.contains("http://***@127.0.0.1:9/hook?token=***"), "\(text)")
        #expect(text.stdout.contains("…" + secret.suffix(4)), "\(text)")
        let json = try await server.clutch("webhooks", "list", "--json")
        #expect(!json.stdout.contains(secret))
        #expect(try await server.clutch("flags", "create", uniqueKey("hooked")).status == 0)
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(20)
        var attempts = 0
        while clock.now < deadline, attempts < 1 {
            let deliveries = try await server.clutch("webhooks", "deliveries", id, "--json")
            attempts = try deliveries.json()["deliveries"]?[0]?["attempts"]?.array?.count ?? 0
            if attempts < 1 { try await Task.sleep(for: .milliseconds(200)) }
        }
        // Nothing listens there: the attempt failed and the delivery waits for its retry.
        #expect(attempts >= 1)
        let table = try await server.clutch("webhooks", "deliveries", id)
        #expect(table.stdout.contains("pending"), "\(table)")
        let badURL = try await server.clutch("webhooks", "create", "--url", "ftp://example.com", "--secret", secret)
        #expect(badURL.status == 1 && badURL.stderr.contains("url"), "\(badURL)")
        #expect(try await server.clutch("webhooks", "delete", id).status == 0)
        #expect(try await server.clutch("webhooks", "list", "--json").json()["webhooks"]?.array?.isEmpty == true)
        let log = server.stderr
        #expect(log.contains("webhook delivery failed"), "the log is being written")
        #expect(!log.contains(secret), "the secret was logged")
        for credential in ["pa55w0rd", "t0k3n-cli", "hook-user"] {
            #expect(!log.contains(credential) && !text.stdout.contains(credential) && !created.stdout.contains(credential), "\(credential)")
        }
        #expect(try await server.stop())
    }
}
