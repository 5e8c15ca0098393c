import ClutchCore
@testable import ClutchServer
import Foundation
import ServerTestSupport
import TestSupport
import Testing

/// Webhooks against a real server and a real local receiver: deliveries are signed as
/// docs/webhooks.md says, retried after a 500, kept across a restart (the outbox), and a
/// replayed or tampered delivery fails the documented check. Secrets are never shown again.
@Suite(.serialized) struct WebhookTests {
    static let secret = "whsec-test-0123456789abcdef"

    /// Deliveries go to a receiver on 127.0.0.1, an internal address: allowed as an operator
    /// would allow it (`--webhook-allow 127.0.0.0/8`).
    static func localReceivers(_ configuration: inout ServerConfiguration) {
        configuration.webhooks.targets.allowed = IPNetwork("127.0.0.0/8").map { [$0] } ?? []
    }

    static func fastRetries(_ configuration: inout ServerConfiguration) {
        localReceivers(&configuration)
        configuration.webhooks.firstRetryDelay = .milliseconds(200)
        configuration.webhooks.maximumDelay = .milliseconds(500)
    }

    static func createHook(_ server: TestServer, _ url: String, events: String = #"["flag.changed"]"#) async throws -> String {
        let reply = try await server.send("POST", "/api/v1/webhooks", body: #"{"url": "\#(url)", "events": \#(events), "secret": "\#(secret)"}"#)
        guard reply.status == 201, let id = reply["id"]?.stringValue else { throw TestFailure("creating a webhook failed: \(reply.text)") }
        return id
    }

    @Test(arguments: ServerBackend.allCases) func aChangeIsDeliveredSignedAsDocumented(_ backend: ServerBackend) async throws {
        let receiver = try await WebhookReceiver(secret: Self.secret)
        defer { receiver.stop() }
        try await TestServer.with(backend, configure: Self.localReceivers) { server in
            let id = try await Self.createHook(server, receiver.url)
            try await server.createFlag(#"{"key": "hooked", "environments": {"production": {"enabled": false}}}"#)
            #expect(try await server.send("POST", "/api/v1/flags/hooked/environments/production/on", headers: ["X-Clutch-Message": "go"]).status == 200)
            #expect(try await eventually(timeout: .seconds(15)) { receiver.delivered("flag.changed").count >= 2 })
            let deliveries = receiver.delivered("flag.changed")
            let allVerified = deliveries.allSatisfy { $0.verified }
            #expect(allVerified, "the documented Python check refused a delivery")
            let on = try #require(deliveries.first { $0.event?.at("data.action") == .string("enable") })
            let event = try #require(on.event)
            #expect(event.at("data.flag") == .string("hooked"))
            #expect(event.at("data.revision") == .integer(2))
            #expect(event.at("data.actor") == .string("admin (service token)"))
            #expect(event.at("data.message") == .string("go"))
            #expect(event.at("data.environments") == .array([.string("production")]))
            #expect(event.at("id")?.stringValue?.hasPrefix("evt_") == true)
            #expect(event.at("createdAt")?.stringValue.flatMap(Timestamp.parse) != nil)
            // The same check in Swift.
            #expect(throws: Never.self) { try WebhookSignature.verify(header: on.signature, body: Data(on.body.utf8), secret: Self.secret) }
            // The receiver logs the request before the server has recorded its answer.
            #expect(try await eventually(timeout: .seconds(10)) {
                try await server.send("GET", "/api/v1/webhooks/\(id)/deliveries")["deliveries[0].status"] == .string("delivered")
            })
            let listed = try await server.send("GET", "/api/v1/webhooks/\(id)/deliveries")
            #expect(listed.status == 200, "\(listed.text)")
            #expect(listed["deliveries[0].attempts[0].statusCode"] == .integer(204))
        }
    }

    @Test func aReplayedOrTamperedDeliveryFailsTheDocumentedCheck() async throws {
        let receiver = try await WebhookReceiver(secret: Self.secret)
        defer { receiver.stop() }
        try await TestServer.with(configure: Self.localReceivers) { server in
            _ = try await Self.createHook(server, receiver.url)
            try await server.createFlag(#"{"key": "replayed"}"#)
            #expect(try await eventually(timeout: .seconds(15)) { !receiver.delivered("flag.changed").isEmpty })
            let delivery = try #require(receiver.delivered("flag.changed").first)
            #expect(try WebhookReceiver.verify(header: delivery.signature, body: delivery.body, secret: Self.secret))
            // Replayed ten minutes later: the signature still matches, the timestamp is too old.
            let later = Date().timeIntervalSince1970 + 600
            #expect(try !WebhookReceiver.verify(header: delivery.signature, body: delivery.body, secret: Self.secret, now: later))
            #expect(throws: WebhookSignature.Failure.self) {
                try WebhookSignature.verify(
                    header: delivery.signature, body: Data(delivery.body.utf8), secret: Self.secret, now: Date(timeIntervalSince1970: later))
            }
            // Tampered: one field changed, or re-stamped with a fresh time.
            let tampered = delivery.body.replacingOccurrences(of: "replayed", with: "replaced")
            #expect(try !WebhookReceiver.verify(header: delivery.signature, body: tampered, secret: Self.secret))
            let v1 = delivery.signature.split(separator: ",").first { $0.hasPrefix("v1=") } ?? ""
            // Another second than the one signed (the current second can be that very one).
            let signedAt = delivery.signature.split(separator: ",").first { $0.hasPrefix("t=") }.flatMap { Int($0.dropFirst(2)) } ?? 0
            let restamped = "t=\(signedAt + 1),\(v1)"
            #expect(try !WebhookReceiver.verify(header: restamped, body: delivery.body, secret: Self.secret))
            #expect(try !WebhookReceiver.verify(header: delivery.signature, body: delivery.body, secret: "another-secret-0123456789"))
        }
    }

    @Test(arguments: ServerBackend.allCases) func aDeliveryIsRetriedAfterTheReceiverAnswers500(_ backend: ServerBackend) async throws {
        let receiver = try await WebhookReceiver(secret: Self.secret, failFirst: 2)
        defer { receiver.stop() }
        try await TestServer.with(backend, configure: Self.fastRetries) { server in
            let id = try await Self.createHook(server, receiver.url)
            try await server.createFlag(#"{"key": "retried"}"#)
            #expect(try await eventually(timeout: .seconds(20)) { !receiver.delivered("flag.changed").isEmpty })
            #expect(receiver.received.count == 3)
            #expect(receiver.received.map(\.body).allSatisfy { $0 == receiver.received[0].body }, "every attempt sends the same bytes")
            // The receiver logs the request before the server has recorded its answer.
            #expect(try await eventually(timeout: .seconds(10)) {
                try await server.send("GET", "/api/v1/webhooks/\(id)/deliveries")["deliveries[0].status"] == .string("delivered")
            })
            let listed = try await server.send("GET", "/api/v1/webhooks/\(id)/deliveries")
            #expect(listed["deliveries[0].attempts"]?.arrayCount == 3)
            #expect(listed["deliveries[0].attempts[0].statusCode"] == .integer(500))
            #expect(listed["deliveries[0].attempts[2].statusCode"] == .integer(204))
        }
    }

    @Test func pendingDeliveriesSurviveARestart() async throws {
        let failing = try await WebhookReceiver(secret: Self.secret, failFirst: 1_000_000)
        let port = failing.port
        let first = try await TestServer.start(configure: Self.fastRetries)
        let directory = first.directory
        let id = try await Self.createHook(first, failing.url)
        try await first.createFlag(#"{"key": "durable"}"#)
        #expect(try await eventually(timeout: .seconds(15)) { !failing.received.isEmpty })
        try await first.stop(remove: false)
        failing.stop()
        let receiver = try await WebhookReceiver(secret: Self.secret, port: port)
        defer { receiver.stop() }
        let second = try await TestServer.start(directory: directory, configure: Self.fastRetries)
        do {
            #expect(try await eventually(timeout: .seconds(20)) { !receiver.delivered("flag.changed").isEmpty })
            #expect(receiver.delivered("flag.changed").first?.event?.at("data.flag") == .string("durable"))
            #expect(receiver.delivered("flag.changed").first?.verified == true)
            // The receiver answers before the dispatcher records the attempt: poll for the record.
            #expect(try await eventually(timeout: .seconds(20)) {
                try await second.send("GET", "/api/v1/webhooks/\(id)/deliveries")["deliveries[0].status"] == .string("delivered")
            })
        } catch {
            try? await second.stop()
            throw error
        }
        try await second.stop()
    }

    @Test func theSecretIsNeverShownAgain() async throws {
        try await TestServer.with { server in
            let created = try await server.send("POST", "/api/v1/webhooks", body: #"{"url": "https://hooks.example.com/x", "secret": "\#(Self.secret)"}"#)
            #expect(created.status == 201, "\(created.text)")
            #expect(!created.text.contains(Self.secret))
            #expect(created["secretHint"] == .string("…cdef"))
            #expect(created["events"]?.arrayCount == 13, "every event type by default, release.paused, flag.stale flag.blocked, flag.unblocked and the change_request ones included")
            let listed = try await server.send("GET", "/api/v1/webhooks")
            #expect(listed["webhooks"]?.arrayCount == 1)
            #expect(!listed.text.contains(Self.secret))
            let id = try #require(created["id"]?.stringValue)
            #expect(try await server.send("DELETE", "/api/v1/webhooks/\(id)").status == 204)
            #expect(try await server.send("DELETE", "/api/v1/webhooks/\(id)").status == 404)
            #expect(try await server.send("GET", "/api/v1/webhooks")["webhooks"]?.arrayCount == 0)
        }
    }

    @Test(arguments: [
        (#"{"url": "ftp://example.com/x", "secret": "0123456789abcdef"}"#, "url"),
        (#"{"url": "not a url", "secret": "0123456789abcdef"}"#, "url"),
        (#"{"url": "https://example.com/x", "secret": "short"}"#, "secret"),
        (#"{"url": "https://example.com/x", "secret": "0123456789abcdef", "events": ["flag.exploded"]}"#, "events[0]"),
        (#"{"url": "https://example.com/x", "secret": "0123456789abcdef", "events": []}"#, "events"),
    ] as [(String, String)])
    func badWebhooksAreRefusedNamingTheField(body: String, field: String) async throws {
        try await TestServer.with { server in
            let reply = try await server.send("POST", "/api/v1/webhooks", body: body)
            #expect(reply.status == 400, "\(reply.text)")
            #expect(reply.errorField == field, "\(reply.text)")
            #expect(try await server.send("GET", "/api/v1/webhooks")["webhooks"]?.arrayCount == 0)
        }
    }
}
