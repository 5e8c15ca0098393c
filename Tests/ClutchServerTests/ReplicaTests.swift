import ClutchCore
import ClutchServer
import Foundation
import PostgresTestSupport
import ServerTestSupport
import TestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Several servers on one PostgreSQL database (a real server, ``TestPostgres``): a change made
/// through one replica reaches the streams and credentials of the others, and a replica that
/// loses the database keeps evaluating from memory and refuses writes with 503. Serialized:
/// one test stops the database the others use.
@Suite("Replicas on PostgreSQL", .serialized, .timeLimit(.minutes(5)))
struct ReplicaTests {
    static func replica(_ url: String, poll: Duration = .seconds(60)) async throws -> TestServer {
        try await TestServer.start { configuration in
            configuration.databasePath = url
            configuration.replicaPollInterval = poll
        }
    }

    /// A flag change through A is an event on a stream held on B; a key created on A works on
    /// B, and once revoked on A is refused on B. B polls only once a minute here: the change
    /// arrives through LISTEN/NOTIFY.
    @Test func changesAndCredentialsReachTheOtherReplica() async throws {
        let url = try await TestPostgres.database()
        let a = try await Self.replica(url)
        let b = try await Self.replica(url)
        do {
            #expect(try await eventually { try await b.send("GET", "/readyz", as: .none).status == 200 })
            try await a.createFlag(#"{"key": "dark-mode", "environments": {"production": {"enabled": true}}}"#)
            let (id, key) = try await a.createKey("production")
            #expect(try await eventually(timeout: .seconds(20)) {
                try await b.send("GET", "/sdk/v1/flags", as: .bearer(key)).status == 200
            }, "the key created on A works on B")

            let stream = SSEClient(port: b.port, key: key)
            defer { stream.close() }
            #expect(try await stream.wait { $0.events.first?.name == "snapshot" })
            let snapshot = try JSONDecoder().decode(Snapshot.self, from: Data(try #require(stream.events.first).data.utf8))
            #expect(snapshot.flags.map(\.key) == ["dark-mode"], "B loaded the flag A created")

            let kill = try await a.send("POST", "/api/v1/flags/dark-mode/kill", body: #"{"environments": ["production"]}"#)
            #expect(kill.status == 200)
            #expect(try await stream.wait(timeout: .seconds(20)) { $0.events.contains { $0.name == "flag" } }, "A's change reached B's stream")
            let event = try #require(stream.events.first { $0.name == "flag" })
            let payload = try JSONDecoder().decode(Value.self, from: Data(event.data.utf8))
            #expect(payload.at("flag.key") == .string("dark-mode"))
            #expect(payload.at("flag.environments.production.enabled") == .bool(false))
            #expect(event.id == String(snapshot.version + 1))

            let revoke = try await a.send("DELETE", "/api/v1/keys/\(id)")
            #expect(revoke.status == 200 || revoke.status == 204, "\(revoke.status) \(revoke.text)")
            #expect(try await eventually(timeout: .seconds(20)) {
                try await b.send("GET", "/sdk/v1/flags", as: .bearer(key)).status == 401
            }, "the key revoked on A is refused on B")
        } catch {
            try? await a.stop()
            try? await b.stop()
            throw error
        }
        try await a.stop()
        try await b.stop()
    }

    /// OFREP evaluations on B follow a flag switched on through A (B also polls every 300 ms here).
    @Test func evaluationsOnOneReplicaFollowChangesOnAnother() async throws {
        let url = try await TestPostgres.database()
        let a = try await Self.replica(url)
        let b = try await Self.replica(url, poll: .milliseconds(300))
        do {
            try await a.createFlag(#"{"key": "banner", "environments": {"production": {"enabled": false}}}"#)
            let (_, key) = try await a.createKey("production")
            #expect(try await eventually(timeout: .seconds(20)) {
                let reply = try await b.send("POST", "/ofrep/v1/evaluate/flags/banner", body: #"{"context": {"targetingKey": "u1"}}"#, as: .bearer(key))
                return reply.status == 200 && reply["value"] == .bool(false)
            })
            try await a.send("POST", "/api/v1/flags/banner/environments/production/on")
            #expect(try await eventually(timeout: .seconds(20)) {
                let reply = try await b.send("POST", "/ofrep/v1/evaluate/flags/banner", body: #"{"context": {"targetingKey": "u1"}}"#, as: .bearer(key))
                return reply["value"] == .bool(true)
            }, "B evaluates A's change")
        } catch {
            try? await a.stop()
            try? await b.stop()
            throw error
        }
        try await a.stop()
        try await b.stop()
    }

    /// With PostgreSQL stopped, the replica is not ready, keeps answering evaluations from
    /// memory, refuses changes with 503 and changes nothing; once PostgreSQL is back it is ready
    /// again and takes changes.
    @Test func losingTheDatabaseKeepsEvaluatingAndRefusesWrites() async throws {
        // A server of its own: stopping the shared one would fail the other tests using it.
        let postgres = try await TestPostgres.isolated()
        let url = try await postgres.newDatabase()
        let server = try await Self.replica(url, poll: .milliseconds(500))
        var stopped = false
        do {
            try await server.createFlag(#"{"key": "dark-mode", "environments": {"production": {"enabled": true}}}"#)
            let (_, key) = try await server.createKey("production")
            // Ready once its LISTEN connection is up (it may still be connecting on a busy machine).
            #expect(try await eventually(timeout: .seconds(20)) { try await server.send("GET", "/readyz", as: .none).status == 200 })

            try await postgres.stop()
            stopped = true
            #expect(try await eventually(timeout: .seconds(20)) { try await server.send("GET", "/readyz", as: .none).status == 503 })
            let evaluation = try await server.send(
                "POST", "/ofrep/v1/evaluate/flags/dark-mode", body: #"{"context": {"targetingKey": "u1"}}"#, as: .bearer(key))
            #expect(evaluation.status == 200)
            #expect(evaluation["value"] == .bool(true))
            let refused = try await server.send("POST", "/api/v1/flags/dark-mode/kill", body: #"{"environments": ["production"]}"#)
            #expect(refused.status == 503, "\(refused.status) \(refused.text)")
            #expect(refused["error.code"] == .string("unavailable"))

            try await postgres.start()
            stopped = false
            #expect(try await eventually(timeout: .seconds(30)) { try await server.send("GET", "/readyz", as: .none).status == 200 })
            #expect(try await server.send("GET", "/api/v1/flags/dark-mode")["revision"] == .integer(1), "the refused kill changed nothing")
            let kill = try await server.send("POST", "/api/v1/flags/dark-mode/kill", body: #"{"environments": ["production"]}"#)
            #expect(kill.status == 200, "\(kill.status) \(kill.text)")
        } catch {
            if stopped { try? await postgres.start() }
            try? await server.stop()
            throw error
        }
        try await server.stop()
    }
}
