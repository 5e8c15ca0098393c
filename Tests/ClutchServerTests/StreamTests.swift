import ClutchCore
import ClutchServer
import Foundation
import ServerTestSupport
import TestSupport
import Testing

@Suite("SDK sync and streams")
struct StreamTests {
    @Test func snapshotWithETagAnd304() async throws {
        try await TestServer.with { server in
            try await OFREPFixtures.seed(server)
            try await server.send("POST", "/api/v1/flags/banner/archive")
            let (_, key) = try await server.createKey("production")
            let snapshot = try await server.send("GET", "/sdk/v1/flags", as: .bearer(key))
            #expect(snapshot.status == 200)
            #expect(snapshot["environment"] == .string("production"))
            // Archived flags are left out; every flag carries this environment's state only.
            #expect(snapshot["flags"]?.arrayCount == OFREPFixtures.flags.count - 1)
            #expect(snapshot["flags[0].environments.staging"] == nil)
            let version = try #require(snapshot["version"]?.intValue)
            let etag = try #require(snapshot.headers["etag"])
            #expect(etag == "\"production-\(version)\"")
            let again = try await server.send("GET", "/sdk/v1/flags", as: .bearer(key), headers: ["If-None-Match": etag])
            #expect(again.status == 304)
            try await server.send("POST", "/api/v1/flags/dark-mode/environments/production/off")
            let changed = try await server.send("GET", "/sdk/v1/flags", as: .bearer(key), headers: ["If-None-Match": etag])
            #expect(changed.status == 200)
            #expect(changed["version"]?.intValue == version + 1)
        }
    }

    @Test func streamReceivesEveryChange() async throws {
        try await TestServer.with { server in
            try await OFREPFixtures.seed(server)
            let (_, key) = try await server.createKey("production")
            let stream = SSEClient(port: server.port, key: key)
            defer { stream.close() }
            #expect(try await stream.wait { $0.events.first?.name == "snapshot" })
            #expect(stream.status == 200)
            let first = try #require(stream.events.first)
            let snapshot = try JSONDecoder().decode(Snapshot.self, from: Data(first.data.utf8))
            #expect(first.id == String(snapshot.version))
            #expect(snapshot.flags.count == OFREPFixtures.flags.count)

            let kill = try await server.send("POST", "/api/v1/flags/dark-mode/kill", body: #"{"environments": ["production"]}"#)
            #expect(kill["notifiedStreams"] == .integer(1))
            #expect(try await stream.wait { $0.events.contains { $0.name == "flag" } })
            let event = try #require(stream.events.first { $0.name == "flag" })
            #expect(event.id == String(snapshot.version + 1))
            let payload = try JSONDecoder().decode(Value.self, from: Data(event.data.utf8))
            #expect(payload.at("version") == .integer(snapshot.version + 1))
            #expect(payload.at("flag.key") == .string("dark-mode"))
            #expect(payload.at("flag.environments.production.enabled") == .bool(false))

            try await server.send("DELETE", "/api/v1/flags/banner?force=true")
            #expect(try await stream.wait { $0.events.contains { $0.name == "flag-deleted" } })
            let deleted = try #require(stream.events.first { $0.name == "flag-deleted" })
            #expect(deleted.data.contains(#""key":"banner""#))

            try await server.send("POST", "/api/v1/environments/production/cohorts", body: #"{"key": "beta", "members": ["acme"]}"#)
            #expect(try await stream.wait { $0.events.contains { $0.name == "cohort" } })
            // A membership change sends only the members it changed.
            try await server.send(
                "POST", "/api/v1/environments/production/cohorts/beta/members", body: #"{"add": ["globex"], "remove": ["acme"]}"#)
            #expect(try await stream.wait { $0.events.contains { $0.name == "cohort-members" } })
            let members = try #require(stream.events.first { $0.name == "cohort-members" })
            let change = try JSONDecoder().decode(Value.self, from: Data(members.data.utf8))
            #expect(change.at("cohort") == .string("beta"))
            #expect(change.at("added") == .array(["globex"]))
            #expect(change.at("removed") == .array(["acme"]))
            #expect(members.id == change.at("version")?.intValue.map(String.init))
            // The snapshot a new client gets has the members as changed.
            let fresh = try await server.send("GET", "/sdk/v1/flags", as: .bearer(key))
            #expect(fresh["cohorts"] == .array([["attribute": "customerId", "clauses": [], "description": "", "key": "beta", "members": ["globex"]]]))
            // A change in another environment sends nothing here.
            let count = stream.events.count
            try await server.send("POST", "/api/v1/flags/limit/environments/staging/on")
            // Heartbeats arrive while idle (every 300 ms in tests).
            #expect(try await stream.wait { $0.text.contains(": heartbeat") })
            #expect(stream.events.count == count)
        }
    }

    @Test func lastEventIDCatchesUpOrFallsBackToSnapshot() async throws {
        try await TestServer.with { server in
            try await OFREPFixtures.seed(server)
            let (_, key) = try await server.createKey("production")
            let version = try #require(try await server.send("GET", "/sdk/v1/flags", as: .bearer(key))["version"]?.intValue)
            // Changes made while the client was away.
            try await server.send("POST", "/api/v1/flags/dark-mode/environments/production/off")
            try await server.send("POST", "/api/v1/flags/limit/environments/production/off")
            let resumed = SSEClient(port: server.port, key: key, lastEventID: String(version))
            defer { resumed.close() }
            #expect(try await resumed.wait { $0.events.count >= 2 })
            let events = resumed.events
            #expect(events.map(\.name) == ["flag", "flag"])
            #expect(events.map(\.id) == [String(version + 1), String(version + 2)])
            #expect(events[0].data.contains(#""key":"dark-mode""#))

            // An id the server cannot account for gets the full snapshot.
            let unknown = SSEClient(port: server.port, key: key, lastEventID: "999999")
            defer { unknown.close() }
            #expect(try await unknown.wait { !$0.events.isEmpty })
            #expect(unknown.events.first?.name == "snapshot")
            #expect(unknown.events.first?.id == String(version + 2))
        }
    }

    @Test func revokingAKeyEndsItsStreams() async throws {
        try await TestServer.with { server in
            let (id, key) = try await server.createKey("production")
            let (_, other) = try await server.createKey("production", name: "other")
            let revoked = SSEClient(port: server.port, key: key)
            let kept = SSEClient(port: server.port, key: other)
            defer {
                revoked.close()
                kept.close()
            }
            #expect(try await revoked.wait { !$0.events.isEmpty })
            #expect(try await kept.wait { !$0.events.isEmpty })
            #expect(try await server.send("DELETE", "/api/v1/keys/\(id)").status == 204)
            #expect(try await revoked.wait { $0.isFinished })
            #expect(!kept.isFinished)
            let environments = try await server.send("GET", "/api/v1/environments")
            let production = environments["environments"].flatMap { value -> Value? in
                guard case .array(let items) = value else { return nil }
                return items.first { $0.at("key") == .string("production") }
            }
            #expect(try await eventually { try await server.send("GET", "/api/v1/status").text.contains(#""streams":1"#) })
            #expect(production?.at("streams") != nil)
            #expect(try await eventually { try await server.metrics().text.contains("clutch_streams_connected 1") })
        }
    }

    @Test func shutdownEndsOpenStreams() async throws {
        let server = try await TestServer.start()
        let (_, key) = try await server.createKey("production")
        let streams = (0..<3).map { _ in SSEClient(port: server.port, key: key) }
        defer { for stream in streams { stream.close() } }
        for stream in streams { #expect(try await stream.wait { !$0.events.isEmpty }) }
        #expect(try await server.stops(within: .seconds(15)), "the server did not stop within 15 s with 3 streams open")
        for stream in streams { #expect(try await stream.wait(timeout: .seconds(5)) { $0.isFinished }) }
    }
}

extension TestServer {
    /// Stops the server and says whether it stopped within `limit`: stop() waits for the server to
    /// finish, and this bound makes a hang fail instead of blocking.
    func stops(within limit: Duration) async throws -> Bool {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await self.stop()
                return true
            }
            group.addTask {
                try await Task.sleep(for: limit)
                return false
            }
            let first = try await group.next() ?? false
            group.cancelAll()
            return first
        }
    }
}
