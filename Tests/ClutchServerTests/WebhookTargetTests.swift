import ClutchCore
@testable import ClutchServer
import Foundation
import Logging
import ServerTestSupport
import Synchronization
import TestSupport
import Testing

/// Webhooks cannot make the server probe the network it runs in (issue 24): an internal address
/// is refused when the webhook is created (any spelling of it) or, for a name, when it resolves
/// at send time; the delivery list records generic texts only; the operator can allow internal
/// targets. Also: the secret is sealed in the database file yet deliveries still verify, the
/// files are private, URLs with credentials are redacted, and failures are logged sparingly.
@Suite(.serialized) struct WebhookTargetTests {
    static func create(_ server: TestServer, url: String) async throws -> Reply {
        try await server.send("POST", "/api/v1/webhooks", body: #"{"url": "\#(url)", "secret": "\#(WebhookTests.secret)"}"#)
    }

    /// The first attempt of the webhook's first delivery, once recorded.
    static func firstAttempt(_ server: TestServer, _ id: String) async throws -> Reply? {
        let recorded = try await eventually(timeout: .seconds(20)) {
            try await server.send("GET", "/api/v1/webhooks/\(id)/deliveries")["deliveries[0].attempts[0]"] != nil
        }
        return recorded ? try await server.send("GET", "/api/v1/webhooks/\(id)/deliveries") : nil
    }

    @Test(arguments: [
        "http://127.0.0.1:9/hook", "http://169.254.169.254/latest/meta-data/", "http://0x7f000001/", "http://2130706433/",
        "http://0177.0.0.1/", "http://127.1/", "http://[::1]/", "http://[::ffff:127.0.0.1]/", "http://[::ffff:a9fe:a9fe]/",
        "http://10.0.0.5:5432/", "http://172.16.0.1/", "http://192.168.1.1/", "http://100.64.0.1/", "http://0.0.0.0/",
        "http://[::]/", "http://[fe80::1]/", "http://[fd00::1]/", "http://224.0.0.1/", "http://255.255.255.255/",
    ])
    func anInternalAddressInAnySpellingIsRefusedAtCreationNamingTheURL(url: String) async throws {
        try await TestServer.with { server in
            let reply = try await Self.create(server, url: url)
            #expect(reply.status == 400, "\(reply.text)")
            #expect(reply.errorField == "url", "\(reply.text)")
            #expect(try await server.send("GET", "/api/v1/webhooks")["webhooks"]?.arrayCount == 0)
        }
    }

    @Test func everySpellingOfAnInternalAddressIsClassifiedAsTheAddressItIs() throws {
        let policy = WebhookTargetPolicy()
        for text in ["127.0.0.1", "0x7f000001", "2130706433", "0177.0.0.1", "127.1", "0x7f.1"] {
            #expect(IPAddress(literal: text) == .v4(0x7f00_0001), "\(text)")
            #expect(policy.refusal(of: IPAddress(literal: text) ?? .v4(0x0808_0808)) == "loopback address", "\(text)")
        }
        #expect(IPAddress(literal: "hooks.example.com") == nil)
        #expect(IPAddress(literal: "cafe") == nil)
        #expect(IPAddress(strict: "0x7f000001") == nil, "the HTTP client resolves this spelling: it is checked as a name")
        // Public addresses pass; the mapped, NAT64 and 6to4 forms of an internal one do not.
        for text in ["8.8.8.8", "203.0.113.9", "2001:4860:4860::8888"] {
            #expect(policy.refusal(of: IPAddress(strict: text) ?? .v4(0)) == nil, "\(text)")
        }
        for text in ["::ffff:10.1.2.3", "64:ff9b::a9fe:a9fe", "2002:7f00:1::", "::127.0.0.1"] {
            #expect(policy.refusal(of: IPAddress(strict: text) ?? .v4(0x0808_0808)) != nil, "\(text)")
        }
        // The operator's allowances: all internal addresses, or some networks; never unusable ones.
        let allowAll = WebhookTargetPolicy(allowPrivate: true)
        #expect(allowAll.refusal(of: .v4(0x7f00_0001)) == nil)
        #expect(allowAll.refusal(of: .v4(0)) == "unspecified address")
        let some = WebhookTargetPolicy(allowed: [try #require(IPNetwork("10.1.0.0/16"))])
        #expect(some.refusal(of: IPAddress(strict: "10.1.200.3") ?? .v4(0)) == nil)
        #expect(some.refusal(of: IPAddress(strict: "::ffff:10.1.200.3") ?? .v4(0)) == nil)
        #expect(some.refusal(of: IPAddress(strict: "10.2.0.1") ?? .v4(0)) == "private address")
        #expect(IPNetwork("10.0.0.0/33") == nil && IPNetwork("example.com/8") == nil && IPNetwork("fd00::/8") != nil)
    }

    @Test(arguments: ServerBackend.allCases)
    func aNameThatResolvesToLoopbackIsRefusedAtSendWithTheGenericText(_ backend: ServerBackend) async throws {
        let receiver = try await WebhookReceiver(secret: WebhookTests.secret)
        defer { receiver.stop() }
        try await TestServer.with(backend) { server in
            // A name is accepted at creation: what it resolves to is checked at each attempt.
            let created = try await Self.create(server, url: "http://localhost:\(receiver.port)/hook")
            #expect(created.status == 201, "\(created.text)")
            let id = try #require(created["id"]?.stringValue)
            try await server.createFlag(#"{"key": "probe"}"#)
            let listed = try #require(try await Self.firstAttempt(server, id))
            #expect(listed["deliveries[0].attempts[0].error"] == .string("refused: private address"), "\(listed.text)")
            let statusCode = listed["deliveries[0].attempts[0].statusCode"]
            #expect(statusCode == nil || statusCode == .null, "\(listed.text)")
            #expect(listed["deliveries[0].status"] == .string("pending"))
            // The attempt is over and recorded: nothing reached the receiver.
            #expect(receiver.received.isEmpty)
        }
    }

    @Test(arguments: [true, false])
    func anInternalTargetTheOperatorAllowedIsDeliveredAndVerifies(allowPrivate: Bool) async throws {
        let receiver = try await WebhookReceiver(secret: WebhookTests.secret)
        defer { receiver.stop() }
        try await TestServer.with(configure: { configuration in
            if allowPrivate {
                configuration.webhooks.targets.allowPrivate = true
            } else {
                // `localhost` may also resolve to ::1: every address it has must be allowed.
                configuration.webhooks.targets.allowed = ["127.0.0.0/8", "::1"].compactMap(IPNetwork.init)
            }
        }) { server in
            // A name, resolved and pinned to its checked address: the receiver still sees its Host.
            let created = try await Self.create(server, url: "http://localhost:\(receiver.port)/hook")
            #expect(created.status == 201, "\(created.text)")
            try await server.createFlag(#"{"key": "allowed"}"#)
            #expect(try await eventually(timeout: .seconds(15)) { !receiver.delivered("flag.changed").isEmpty })
            #expect(receiver.delivered("flag.changed").first?.verified == true, "the documented check refused the delivery")
        }
    }

    @Test func aClosedPortAndAnUnresolvableHostRecordOnlyGenericTexts() async throws {
        try await TestServer.with(configure: WebhookTests.localReceivers) { server in
            let closed = try #require(try await Self.create(server, url: "http://127.0.0.1:9/hook")["id"]?.stringValue)
            let nowhere = try #require(try await Self.create(server, url: "http://nowhere.invalid/hook")["id"]?.stringValue)
            try await server.createFlag(#"{"key": "scanned"}"#)
            let refused = try #require(try await Self.firstAttempt(server, closed))
            #expect(refused["deliveries[0].attempts[0].error"] == .string("connection failed"), "\(refused.text)")
            #expect(!refused.text.lowercased().contains("refused"), "the system's words tell a closed port from an open one")
            let unresolved = try #require(try await Self.firstAttempt(server, nowhere))
            #expect(unresolved["deliveries[0].attempts[0].error"] == .string("could not resolve host"), "\(unresolved.text)")
        }
    }

    @Test func credentialsInAWebhookURLAreRedactedInTheListAndTheLog() async throws {
        let records = LogRecords()
        let server = try await TestServer.start(logger: records.logger, configure: WebhookTests.fastRetries)
        do {
            let url = "http://hook-user:pa55w0rd@127.0.0.1:9/in?token=t0k3n-123&team=ops"
            let created = try await Self.create(server, url: url)
            #expect(created.status == 201, "\(created.text)")
            #expect(created["url"] == .string("http://***@127.0.0.1:9/in?token=***&team=***"), "\(created.text)")
            let listed = try await server.send("GET", "/api/v1/webhooks")
            #expect(listed["webhooks[0].url"] == .string("http://***@127.0.0.1:9/in?token=***&team=***"), "\(listed.text)")
            let id = try #require(created["id"]?.stringValue)
            try await server.createFlag(#"{"key": "redacted"}"#)
            _ = try #require(try await Self.firstAttempt(server, id))
            #expect(try await eventually { records.all.contains { $0.message == "webhook delivery failed" } })
            let logged = records.all.map { "\($0.message) \($0.metadata)" }.joined(separator: "\n")
            #expect(logged.contains("***@127.0.0.1"), "the failure names the (redacted) URL")
            for secret in ["pa55w0rd", "t0k3n-123", "hook-user", WebhookTests.secret] {
                #expect(!logged.contains(secret), "\(secret) was logged")
                #expect(!listed.text.contains(secret))
            }
        } catch {
            try? await server.stop()
            throw error
        }
        try await server.stop()
    }

    @Test func aFailingTargetIsLoggedOncePerBackoffStepNotPerAttempt() async throws {
        let records = LogRecords()
        let server = try await TestServer.start(logger: records.logger, configure: WebhookTests.fastRetries)
        do {
            let id = try #require(try await Self.create(server, url: "http://127.0.0.1:9/hook")["id"]?.stringValue)
            for index in 0..<6 { try await server.createFlag(#"{"key": "down-\#(index)"}"#) }
            // Every delivery has failed twice or more.
            #expect(try await eventually(timeout: .seconds(30)) {
                let listed = try await server.send("GET", "/api/v1/webhooks/\(id)/deliveries")
                return (0..<6).allSatisfy { (listed["deliveries[\($0)].attempts"]?.arrayCount ?? 0) >= 2 }
            })
            let warnings = records.all.filter { $0.level >= .warning && $0.message.hasPrefix("webhook delivery failed") }
            let steps = warnings.compactMap { $0.metadata["attempt"].map { "\($0)" } }
            #expect(!warnings.isEmpty)
            #expect(Set(steps).count == steps.count, "one warning per backoff step, got attempts \(steps)")
        } catch {
            try? await server.stop()
            throw error
        }
        try await server.stop()
    }

    @Test func stoppingWithAnAttemptInFlightLogsNoError() async throws {
        let records = LogRecords()
        let receiver = try await WebhookReceiver(secret: WebhookTests.secret, delay: 30)
        defer { receiver.stop() }
        let server = try await TestServer.start(logger: records.logger, configure: WebhookTests.localReceivers)
        do {
            _ = try await Self.create(server, url: receiver.url)
            try await server.createFlag(#"{"key": "interrupted"}"#)
            // The receiver has the request and holds its answer: the attempt is in flight.
            #expect(try await eventually(timeout: .seconds(15)) { !receiver.received.isEmpty })
        } catch {
            try? await server.stop()
            throw error
        }
        try await server.stop()
        let loud = records.all.filter { $0.level >= .warning && $0.message.contains("webhook") }
        #expect(loud.isEmpty, "\(loud.map { "\($0.message) \($0.metadata)" })")
    }

    @Test func theSecretIsSealedInTheDatabaseFileAndEveryFileIsPrivate() async throws {
        let receiver = try await WebhookReceiver(secret: WebhookTests.secret)
        defer { receiver.stop() }
        try await TestServer.with(configure: WebhookTests.localReceivers) { server in
            _ = try await WebhookTests.createHook(server, receiver.url)
            try await server.createFlag(#"{"key": "sealed"}"#)
            #expect(try await eventually(timeout: .seconds(15)) { !receiver.delivered("flag.changed").isEmpty })
            #expect(receiver.delivered("flag.changed").first?.verified == true, "signed with the sealed secret, opened")
            let path = server.databasePath
            var bytes = Data()
            for file in [path, path + "-wal"] { bytes.append(FileManager.default.contents(atPath: file) ?? Data()) }
            #expect(!bytes.isEmpty)
            #expect(bytes.range(of: Data(WebhookTests.secret.utf8)) == nil, "the secret is in the database file in plain text")
            for file in [path, path + "-wal", path + "-shm", path + ".key"] {
                let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
                #expect(mode == 0o600, "\(file): \(String(mode ?? 0, radix: 8))")
            }
        }
    }

    @Test func aRestartWithoutTheKeyFileFailsNamingIt() async throws {
        let first = try await TestServer.start()
        let directory = first.directory
        defer { try? FileManager.default.removeItem(at: directory) }
        let created = try await Self.create(first, url: "https://hooks.example.com/in")
        #expect(created.status == 201, "\(created.text)")
        let keyFile = first.databasePath + ".key"
        try await first.stop(remove: false)
        try FileManager.default.removeItem(atPath: keyFile)
        let error = await #expect(throws: (any Error).self) { _ = try await TestServer.start(directory: directory) }
        let text = error.map { "\($0)" } ?? ""
        #expect(text.contains(keyFile) && text.contains("missing"), "\(text)")
        #expect(!FileManager.default.fileExists(atPath: keyFile), "no new key replaces the lost one")
    }

    @Test func theKeyFileLivesBesideTheDatabaseOrTheCLIConfigurationUnlessNamed() {
        #expect(ServerConfiguration(databasePath: "/var/lib/clutch/clutch.db").effectiveSecretKeyPath == "/var/lib/clutch/clutch.db.key")
        let postgres = "postgres://clutch@db.internal/clutch"
        #expect(ServerConfiguration(databasePath: postgres, cliConfigPath: "/etc/clutch/config.json").effectiveSecretKeyPath == "/etc/clutch/secret.key")
        #expect(ServerConfiguration(databasePath: postgres, cliConfigPath: "config.json").effectiveSecretKeyPath == "secret.key")
        var named = ServerConfiguration(databasePath: postgres)
        named.secretKeyPath = "/run/secrets/clutch-webhook.key"
        #expect(named.effectiveSecretKeyPath == "/run/secrets/clutch-webhook.key")
    }
}
