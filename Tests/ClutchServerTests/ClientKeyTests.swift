import ClutchCore
import ClutchServer
import Foundation
import ServerTestSupport
import TestSupport
import Testing

/// Issue 28: client keys (public, for apps on devices) and the client stream, against a real
/// server. A client key reaches answers for the context it sends, never definitions; the
/// stream pushes one context's answers and, after a change, only what changed for it.
@Suite("Client keys and the client stream")
struct ClientKeyTests {
    /// The issue's setup: a cohort `vip` with members `northwind-7, contoso-12`, a flag targeting
    /// `fabrikam-3`, a flag for the cohort and one for everyone.
    static func seed(_ server: TestServer) async throws {
        let cohort = try await server.send(
            "POST", "/api/v1/environments/production/cohorts",
            body: #"{"key": "vip", "attribute": "targetingKey", "members": ["northwind-7", "contoso-12"]}"#)
        guard cohort.status == 201 else { throw TestFailure("creating the cohort failed: \(cohort.status) \(cohort.text)") }
        try await server.createFlag(
            #"{"key": "vip-lounge", "environments": {"production": {"enabled": true, "rules": [{"clauses": [{"cohort": "vip"}], "serve": {"variant": "on"}}], "default": {"variant": "off"}}}}"#)
        try await server.createFlag(
            #"{"key": "checkout", "environments": {"production": {"enabled": true, "targets": [{"variant": "on", "values": ["fabrikam-3"]}], "default": {"variant": "off"}}}}"#)
        try await server.createFlag(#"{"key": "dark-mode", "environments": {"production": {"enabled": true}}}"#)
    }

    /// What no answer to another context may hold: the members, the target, and the definitions' words.
    static let secrets = ["northwind-7", "contoso-12", "fabrikam-3", "\"rules\"", "\"targets\"", "\"clauses\"", "\"members\""]

    static func clientStream(_ server: TestServer, key: String, targetingKey: String) -> SSEClient {
        SSEClient(
            port: server.port, path: "/sdk/v1/client/stream", headers: ["Authorization": "Bearer \(key)"],
            body: #"{"context": {"targetingKey": "\#(targetingKey)"}}"#)
    }

    /// An event's `flags` as key → item.
    static func items(_ event: SSEClient.Event) throws -> [String: Value] {
        let data = try JSONDecoder().decode(Value.self, from: Data(event.data.utf8))
        var items: [String: Value] = [:]
        for item in data.at("flags")?.arrayValue ?? [] {
            guard let key = item.at("key")?.stringValue else { throw TestFailure("an item without a key: \(event.data)") }
            items[key] = item
        }
        return items
    }

    static func removed(_ event: SSEClient.Event) throws -> [String]? {
        let data = try JSONDecoder().decode(Value.self, from: Data(event.data.utf8))
        return data.at("removed")?.arrayValue?.compactMap(\.stringValue)
    }

    @Test("a client stream sends its context's values first, then after each change only what changed for that context")
    func valuesThenOnlyWhatChanged() async throws {
        let validator = try SchemaValidator.served.get()
        try await TestServer.with { server in
            try await Self.seed(server)
            let (_, key) = try await server.createKey("production", name: "ios", kind: "client")
            let fabrikam = Self.clientStream(server, key: key, targetingKey: "fabrikam-3")
            let visitor = Self.clientStream(server, key: key, targetingKey: "visitor-1")
            defer {
                fabrikam.close()
                visitor.close()
            }
            #expect(try await fabrikam.wait { $0.events.count == 1 })
            #expect(try await visitor.wait { $0.events.count == 1 })
            #expect(fabrikam.status == 200)
            let first = try #require(fabrikam.events.first)
            #expect(first.name == "values")
            let version = try #require(first.id.flatMap { Int64($0) })
            let values = try Self.items(first)
            #expect(Set(values.keys) == ["vip-lounge", "checkout", "dark-mode"])
            #expect(values["checkout"]?.at("value") == .bool(true))
            #expect(values["checkout"]?.at("reason") == .string("TARGETING_MATCH"))
            #expect(try Self.items(try #require(visitor.events.first))["checkout"]?.at("value") == .bool(false))
            let document = try #require(validator.resolve("#/components/schemas/ClientValuesEvent"))
            #expect(validator.errors(try JSONDecoder().decode(Value.self, from: Data(first.data.utf8)), against: document) == [])

            // The visitor joins the cohort: only its own answer for the cohort's flag changes.
            let members = try await server.send(
                "POST", "/api/v1/environments/production/cohorts/vip/members", body: #"{"add": ["visitor-1"]}"#)
            #expect(members.status == 200, "\(members.text)")
            #expect(try await visitor.wait { $0.events.count == 2 })
            let joined = try #require(visitor.events.last)
            #expect(joined.name == "changed")
            #expect(joined.id == String(version + 1))
            #expect(try Self.items(joined).keys.sorted() == ["vip-lounge"])
            #expect(try Self.items(joined)["vip-lounge"]?.at("value") == .bool(true))
            #expect(try Self.removed(joined) == nil)
            let changedSchema = try #require(validator.resolve("#/components/schemas/ClientChangedEvent"))
            #expect(validator.errors(try JSONDecoder().decode(Value.self, from: Data(joined.data.utf8)), against: changedSchema) == [])

            // Checkout is turned off: both answers change. Fabrikam's next event is this one, so
            // the membership change sent it nothing.
            #expect(try await server.send("POST", "/api/v1/flags/checkout/environments/production/off").status == 200)
            #expect(try await fabrikam.wait { $0.events.count == 2 })
            let off = try #require(fabrikam.events.last)
            #expect(off.name == "changed")
            #expect(off.id == String(version + 2))
            #expect(try Self.items(off).keys.sorted() == ["checkout"])
            #expect(try Self.items(off)["checkout"]?.at("reason") == .string("DISABLED"))

            // A deleted flag is named in `removed`.
            #expect(try await server.send("DELETE", "/api/v1/flags/dark-mode?force=true").status == 204)
            #expect(try await fabrikam.wait { $0.events.count == 3 })
            let gone = try #require(fabrikam.events.last)
            #expect(try Self.removed(gone) == ["dark-mode"])
            #expect(try Self.items(gone).isEmpty)
        }
    }

    @Test("nothing a client key can read holds another context's data: rules, targets, cohort members, other answers")
    func clientKeyRoutesLeakNothing() async throws {
        try await TestServer.with { server in
            try await Self.seed(server)
            let (_, key) = try await server.createKey("production", name: "ios", kind: "client")
            let context = #"{"context": {"targetingKey": "visitor-1", "plan": "free"}}"#
            var answers: [(String, Reply)] = []
            for flag in ["vip-lounge", "checkout", "dark-mode", "missing"] {
                answers.append(("single \(flag)", try await server.send("POST", "/ofrep/v1/evaluate/flags/\(flag)", body: context, as: .bearer(key))))
            }
            let bulk = try await server.send("POST", "/ofrep/v1/evaluate/flags", body: context, as: .bearer(key))
            #expect(bulk.status == 200)
            answers.append(("bulk", bulk))
            answers.append(("bulk, bad context", try await server.send("POST", "/ofrep/v1/evaluate/flags", body: #"{"context": 5}"#, as: .bearer(key))))
            answers.append((
                "usage", try await server.send(
                    "POST", "/sdk/v1/usage", body: #"{"counts": [{"flag": "checkout", "variant": "on", "count": 0, "errors": 1}]}"#, as: .bearer(key))))
            // Refused routes answer without a byte of the environment either.
            for path in ["/sdk/v1/flags", "/sdk/v1/stream", "/api/v1/flags/checkout", "/api/v1/environments/production/cohorts/vip"] {
                let refused = try await server.send("GET", path, as: .bearer(key))
                #expect(refused.status == 403, "\(path): \(refused.status)")
                answers.append((path, refused))
            }
            for (route, reply) in answers {
                for secret in Self.secrets {
                    #expect(!reply.text.contains(secret), "\(route) shows \(secret): \(reply.text)")
                }
            }

            // The streams: OFREP's events and the client stream, through a change that changes
            // this context's answer.
            let events = SSEClient(port: server.port, path: "/ofrep/v1/events", headers: ["Authorization": "Bearer \(key)"])
            let stream = SSEClient(
                port: server.port, path: "/sdk/v1/client/stream", headers: ["Authorization": "Bearer \(key)"], body: context)
            defer {
                events.close()
                stream.close()
            }
            #expect(try await events.wait { $0.events.count == 1 })
            #expect(try await stream.wait { $0.events.count == 1 })
            #expect(try await server.send("POST", "/api/v1/flags/vip-lounge/environments/production/off").status == 200)
            #expect(try await events.wait { $0.events.count == 2 })
            #expect(try await stream.wait { $0.events.count == 2 })
            for (route, client) in [("/ofrep/v1/events", events), ("/sdk/v1/client/stream", stream)] {
                #expect(client.status == 200)
                for secret in Self.secrets {
                    #expect(!client.text.contains(secret), "\(route) shows \(secret): \(client.text)")
                }
            }
        }
    }

    /// The evaluations of `flag` in production stored so far, every variant together.
    static func evaluations(_ server: TestServer, _ flag: String) async throws -> Int64 {
        await server.application.flushUsage()
        let read = try await server.send("GET", "/api/v1/flags/\(flag)")
        return (read["usage.production.variants"]?.objectValue ?? [:]).values.reduce(0) { $0 + ($1.intValue ?? 0) }
    }

    @Test("a client key's usage reports carry errors only: it can neither mark a flag evaluated nor add volume, and the server counts what it serves once")
    func usageReportsCarryErrorsOnly() async throws {
        try await TestServer.with { server in
            try await Self.seed(server)
            try await server.createFlag(#"{"key": "untouched"}"#)
            let (_, key) = try await server.createKey("production", name: "ios", kind: "client")
            let claim = try await server.send(
                "POST", "/sdk/v1/usage", body: #"{"counts": [{"flag": "untouched", "variant": "on", "count": 5000, "rollout": true}]}"#,
                as: .bearer(key))
            #expect(claim.status == 400)
            #expect(claim.errorField == "counts[0].count", "\(claim.text)")
            // Never evaluated, so it is deleted without `force`: the claim marked nothing.
            #expect(try await Self.evaluations(server, "untouched") == 0)
            #expect(try await server.send("DELETE", "/api/v1/flags/untouched").status == 204)

            // What the server served the key is counted, by the server: three answers, three evaluations.
            for user in ["a", "b", "c"] {
                let answer = try await server.send(
                    "POST", "/ofrep/v1/evaluate/flags/checkout", body: #"{"context": {"targetingKey": "\#(user)"}}"#, as: .bearer(key))
                #expect(answer.status == 200)
            }
            let errors = try await server.send(
                "POST", "/sdk/v1/usage", body: #"{"counts": [{"flag": "checkout", "variant": "off", "count": 0, "errors": 1}]}"#,
                as: .bearer(key))
            #expect(errors.status == 202, "\(errors.text)")
            #expect(try await Self.evaluations(server, "checkout") == 3)

            // A client stream's first answers count once each.
            #expect(try await Self.evaluations(server, "dark-mode") == 0)
            let stream = Self.clientStream(server, key: key, targetingKey: "d")
            defer { stream.close() }
            #expect(try await stream.wait { $0.events.count == 1 })
            #expect(try await Self.evaluations(server, "dark-mode") == 1)
        }
    }

    @Test("a client key cannot swell a guarded release's volume: its counts are refused and the release weighs only what the server served it")
    func clientKeyCannotInflateAReleasesVolume() async throws {
        let clock = TestClock()
        try await TestServer.with(configure: TestServer.on(clock)) { server in
            try await server.createFlag(ReleaseTests.flag)
            let (_, key) = try await server.createKey("production", name: "ios", kind: "client")
            try await ReleaseTests.start(server, #"{"steps": [10, 50, 100], "stepDuration": 3600, "minSamples": 200}"#)
            // The server serves the key 20 answers of the flag under release, and counts them itself.
            for user in 0..<20 {
                let answer = try await server.send(
                    "POST", "/ofrep/v1/evaluate/flags/new-checkout",
                    body: #"{"context": {"targetingKey": "u\#(user)", "customerId": "c\#(user)"}}"#, as: .bearer(key))
                #expect(answer.status == 200)
            }
            let claim = try await ReleaseReporterTests.send(server, key: key, instance: "phone-1", new: (50_000, 0), other: (50_000, 0))
            #expect(claim.status == 400, "\(claim.text)")
            await server.application.flushUsage()
            try await server.releaseTurn()
            let status = try await ReleaseTests.status(server)
            let weighed = (status["total.new.evaluations"]?.intValue ?? 0) + (status["total.other.evaluations"]?.intValue ?? 0)
            #expect(weighed <= 20, "\(status.text)")
        }
    }

    @Test("the client stream takes a client key only, reads its context from the body or the URL and names a bad one")
    func clientStreamRequests() async throws {
        try await TestServer.with { server in
            try await Self.seed(server)
            let (_, client) = try await server.createKey("production", name: "web", kind: "client")
            let (_, secret) = try await server.createKey("production", name: "backend")
            let path = "/sdk/v1/client/stream"

            let serverKey = try await server.send("POST", path, body: #"{"context": {}}"#, as: .bearer(secret))
            #expect(serverKey.status == 403)
            #expect(serverKey.errorCode == "forbidden")
            #expect(serverKey.text.contains("server key"), "\(serverKey.text)")
            #expect(try await server.send("POST", path, body: #"{"context": {}}"#, as: .none).status == 401)
            let badContext = try await server.send("POST", path, body: #"{"context": 5}"#, as: .bearer(client))
            #expect(badContext.status == 400)
            #expect(badContext.errorField == "context", "\(badContext.text)")
            let badURL = try await server.send("GET", "\(path)?context=%25%25%25", as: .bearer(client))
            #expect(badURL.status == 400)
            #expect(badURL.errorField == "context", "\(badURL.text)")
            // A server key is not taken in the URL either.
            let serverKeyInURL = try await server.send("GET", "\(path)?key=\(secret)", as: .none)
            #expect(serverKeyInURL.status == 403, "\(serverKeyInURL.text)")

            // A browser's EventSource: GET, the key and the context in the URL.
            let body = Data(#"{"context": {"targetingKey": "fabrikam-3"}}"#.utf8).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
            let browser = SSEClient(port: server.port, path: "\(path)?key=\(client)&context=\(body)", headers: [:])
            defer { browser.close() }
            #expect(try await browser.wait { $0.events.count == 1 })
            let values = try #require(browser.events.first)
            #expect(values.name == "values")
            #expect(try Self.items(values)["checkout"]?.at("value") == .bool(true))
        }
    }

    /// The two limits on client streams: (server budget, per address, streams that fill one, what the 429 says).
    static let limits: [(total: Int, perAddress: Int, fill: Int, says: String)] = [
        (3, 10, 3, "client streams open"),
        (100, 2, 2, "this address"),
    ]

    @Test(
        "client keys have no per-key stream cap; the server's client stream budget and each address's answer 429 with Retry-After when full",
        arguments: 0..<2)
    func clientStreamLimits(_ which: Int) async throws {
        let limit = Self.limits[which]
        try await TestServer.with(configure: {
            $0.limits.maxStreamsPerKey = 1
            $0.limits.maxClientStreams = limit.total
            $0.limits.maxClientStreamsPerAddress = limit.perAddress
        }) { server in
            try await Self.seed(server)
            let (_, key) = try await server.createKey("production", name: "ios", kind: "client")
            let streams = (0..<limit.fill).map { Self.clientStream(server, key: key, targetingKey: "user-\($0)") }
            defer { for stream in streams { stream.close() } }
            for stream in streams { #expect(try await stream.wait { $0.events.count == 1 }) }
            #expect(streams.allSatisfy { $0.status == 200 }, "more streams than the per-key cap of 1")
            let full = try await server.send("POST", "/sdk/v1/client/stream", body: #"{"context": {}}"#, as: .bearer(key))
            #expect(full.status == 429)
            #expect(full.headers["retry-after"] != nil)
            #expect(full.text.contains(limit.says), "\(full.text)")
        }
    }

    /// Opens `count` streams with `open`, checks that every one is served, closes them all and
    /// waits until the server holds none. Returns how many were served.
    static func round(_ server: TestServer, count: Int, open: (Int) -> SSEClient) async throws -> Int {
        let streams = (0..<count).map(open)
        for stream in streams { _ = try await stream.wait { $0.status != nil } }
        let served = streams.count { $0.status == 200 }
        for stream in streams { stream.close() }
        _ = try await eventually(timeout: .seconds(10)) { server.application.openStreamCount == 0 }
        return served
    }

    @Test(
        "a stream whose client has gone is released at once: open N and close them, twice, and the third round still gets all N",
        arguments: ["sdk", "ofrep", "client"])
    func reconnectChurn(_ kind: String) async throws {
        let count = 12
        try await TestServer.with(configure: {
            // No heartbeat comes to find the closed connections: only their close can.
            $0.heartbeatInterval = .seconds(3600)
            $0.limits.maxStreamsPerKey = count
            $0.limits.maxClientStreams = count
            $0.limits.maxClientStreamsPerAddress = count
        }) { server in
            try await Self.seed(server)
            let (_, key) = try await server.createKey("production", name: kind, kind: kind == "client" ? "client" : nil)
            let open: (Int) -> SSEClient = { index in
                switch kind {
                case "sdk": SSEClient(port: server.port, key: key)
                case "ofrep": SSEClient(port: server.port, path: "/ofrep/v1/events", headers: ["Authorization": "Bearer \(key)"])
                default: Self.clientStream(server, key: key, targetingKey: "user-\(index)")
                }
            }
            for round in 1...3 {
                let served = try await Self.round(server, count: count, open: open)
                #expect(served == count, "round \(round): \(served) of \(count) streams served")
                #expect(server.application.openStreamCount == 0, "round \(round): streams still held after their clients closed")
            }
        }
    }
}

/// The client stream is served by its connection's pipeline once its head is written (issue 28:
/// no task per idle stream); what the stream task did before still happens.
@Suite("Client streams served by the connection")
struct ClientStreamChannelTests {
    /// A client stream's request as bytes, with `headers` (each ending in CRLF) added.
    static func request(key: String, targetingKey: String, headers: String = "") -> String {
        let body = #"{"context": {"targetingKey": "\#(targetingKey)"}}"#
        return "POST /sdk/v1/client/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(key)\r\n"
            + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\(headers)\r\n\(body)"
    }

    @Test("revoking a client key ends its client streams and leaves another key's open")
    func revokingAClientKeyEndsItsStreams() async throws {
        try await TestServer.with { server in
            try await ClientKeyTests.seed(server)
            let (id, key) = try await server.createKey("production", name: "revoked", kind: "client")
            let (_, other) = try await server.createKey("production", name: "kept", kind: "client")
            let revoked = ClientKeyTests.clientStream(server, key: key, targetingKey: "a")
            let kept = ClientKeyTests.clientStream(server, key: other, targetingKey: "b")
            defer {
                revoked.close()
                kept.close()
            }
            #expect(try await revoked.wait { !$0.events.isEmpty })
            #expect(try await kept.wait { !$0.events.isEmpty })
            #expect(server.application.openStreamCount == 2)
            #expect(try await server.send("DELETE", "/api/v1/keys/\(id)").status == 204)
            #expect(try await revoked.wait { $0.isFinished })
            #expect(!kept.isFinished)
            #expect(try await eventually { server.application.openStreamCount == 1 })
            #expect(try await eventually { try await server.metrics().text.contains("clutch_streams_connected 1") })
        }
    }

    @Test("a graceful stop ends every open client stream and does not wait for them")
    func shutdownEndsOpenClientStreams() async throws {
        let server = try await TestServer.start()
        try await ClientKeyTests.seed(server)
        let (_, key) = try await server.createKey("production", name: "devices", kind: "client")
        let streams = (0..<3).map { ClientKeyTests.clientStream(server, key: key, targetingKey: "user-\($0)") }
        defer { for stream in streams { stream.close() } }
        for stream in streams { #expect(try await stream.wait { !$0.events.isEmpty }) }
        #expect(try await server.stops(within: .seconds(15)), "the server did not stop within 15 s with 3 client streams open")
        for stream in streams { #expect(try await stream.wait(timeout: .seconds(5)) { $0.isFinished }) }
    }

    @Test("an idle client stream holds no task: its connection's task ends once the pipeline serves it, and changes and its close still arrive")
    func anIdleClientStreamHoldsNoTask() async throws {
        try await TestServer.with(configure: { $0.heartbeatInterval = .seconds(3600) }) { server in
            try await ClientKeyTests.seed(server)
            let (_, key) = try await server.createKey("production", name: "devices", kind: "client")
            let streams = (0..<3).map { ClientKeyTests.clientStream(server, key: key, targetingKey: "user-\($0)") }
            defer { for stream in streams { stream.close() } }
            for stream in streams { #expect(try await stream.wait { !$0.events.isEmpty }) }
            // The three streams' connections are the ones without a task (the test's admin client
            // keeps a connection of its own, waiting for its next request on its task).
            let app = server.application
            #expect(
                try await eventually { app.openConnectionCount - app.connectionTaskCount == 3 },
                "\(app.openConnectionCount) connections, \(app.connectionTaskCount) tasks")
            try await server.createFlag(#"{"key": "new-banner", "environments": {"production": {"enabled": true}}}"#)
            for stream in streams {
                #expect(try await stream.wait { $0.events.contains { $0.name == "changed" && $0.data.contains("new-banner") } })
            }
            #expect(server.application.openClientStreamCount == 3)
            // The client's close is still seen with no task reading: the place is given back at once
            // (no heartbeat comes within the test to find it).
            streams[0].close()
            #expect(try await eventually { server.application.openClientStreamCount == 2 })
        }
    }

    @Test("a client stream sent with Connection: close goes on: the server does not half-close it after the request")
    func connectionCloseDoesNotEndTheStream() async throws {
        try await TestServer.with { server in
            try await ClientKeyTests.seed(server)
            let (_, key) = try await server.createKey("production", name: "devices", kind: "client")
            let connection = try RawConnection(port: server.port)
            try connection.send(Self.request(key: key, targetingKey: "fabrikam-3", headers: "Connection: close\r\n"))
            let first = await connection.read(until: "event: values", timeout: .seconds(10))
            #expect(first.hasPrefix("HTTP/1.1 200"), "\(first)")
            #expect(first.contains("event: values"))
            try await server.createFlag(
                #"{"key": "new-banner", "environments": {"production": {"enabled": true}}}"#)
            let next = await connection.read(until: "new-banner", timeout: .seconds(10))
            #expect(next.contains("event: changed"), "\(next)")
            #expect(next.contains("new-banner"))
        }
    }
}
