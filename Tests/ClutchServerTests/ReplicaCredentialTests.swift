import ClutchCore
import ClutchServer
import Foundation
import PostgresTestSupport
import ServerTestSupport
import TestSupport
import Testing

/// Credentials across replicas on one PostgreSQL database: a key created through one replica
/// works on another at once (before the other hears of it), made-up keys cost a bounded number
/// of store reads however many arrive, and a revoked key stays refused.
@Suite("Credentials across replicas", .serialized, .timeLimit(.minutes(5)))
struct ReplicaCredentialTests {
    static let flag = #"{"key": "dark-mode", "environments": {"production": {"enabled": true}}}"#

    /// Two replicas polling once a minute (what B learns other than by asking comes by NOTIFY),
    /// both ready.
    static func withReplicas(_ body: (TestServer, TestServer) async throws -> Void) async throws {
        try await ReplicaAutomationTests.withReplicas { a, b in
            #expect(try await eventually { try await b.send("GET", "/readyz", as: .none).status == 200 })
            try await body(a, b)
        }
    }

    /// `clutch_unknown_credential_reloads_total` of `server`.
    static func unknownCredentialReloads(_ server: TestServer) async throws -> Int {
        let text = try await server.metrics().text
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("clutch_unknown_credential_reloads_total ") })
        return try #require(Double(line.split(separator: " ")[1]).map { Int($0) })
    }

    /// Each key is used on B the moment A has answered its creation: OFREP and the SDK snapshot
    /// answer 200 every time, never the 401 of a replica that has not heard of the key yet.
    @Test func aKeyCreatedOnOneReplicaWorksOnAnotherAtOnce() async throws {
        try await Self.withReplicas { a, b in
            try await a.createFlag(Self.flag)
            for round in 0..<25 {
                let (_, key) = try await a.createKey("production", name: "k\(round)")
                let ofrep = try await b.send("POST", "/ofrep/v1/evaluate/flags/dark-mode", body: #"{"context": {"targetingKey": "u"}}"#, as: .bearer(key))
                #expect(ofrep.status == 200, "round \(round): \(ofrep.status) \(ofrep.text)")
                let snapshot = try await b.send("GET", "/sdk/v1/flags", as: .bearer(key))
                #expect(snapshot.status == 200, "round \(round): \(snapshot.status) \(snapshot.text)")
            }
        }
    }

    /// A key revoked through A is refused by A at once and by B once it hears of it, and asking
    /// the store after a miss never brings it back.
    @Test func aRevokedKeyIsNotBroughtBackByTheLookup() async throws {
        try await Self.withReplicas { a, b in
            try await a.createFlag(Self.flag)
            let (id, key) = try await a.createKey("production")
            #expect(try await b.send("GET", "/sdk/v1/flags", as: .bearer(key)).status == 200)
            let revoke = try await a.send("DELETE", "/api/v1/keys/\(id)")
            #expect(revoke.status == 200 || revoke.status == 204, "\(revoke.status) \(revoke.text)")
            #expect(try await a.send("GET", "/sdk/v1/flags", as: .bearer(key)).status == 401, "refused at once where it was revoked")
            #expect(try await eventually(timeout: .seconds(20)) {
                try await b.send("GET", "/sdk/v1/flags", as: .bearer(key)).status == 401
            })
            // Misses on both replicas make them read the store; the key stays refused.
            for _ in 0..<5 {
                #expect(try await b.send("GET", "/sdk/v1/flags", as: .bearer("sdk_made_up_\(UUID().uuidString)")).status == 401)
                #expect(try await b.send("GET", "/sdk/v1/flags", as: .bearer(key)).status == 401)
                #expect(try await a.send("POST", "/ofrep/v1/evaluate/flags/dark-mode", body: "{}", as: .bearer(key)).status == 401)
            }
        }
    }

    /// Made-up keys sent as fast as clients can: every one is 401, valid requests meanwhile are
    /// all answered 200, and the store is read at most once per 100 ms for all of them together.
    @Test func aFloodOfMadeUpKeysCostsABoundedNumberOfStoreReads() async throws {
        try await Self.withReplicas { a, b in
            try await a.createFlag(Self.flag)
            let (_, key) = try await a.createKey("production")
            #expect(try await b.send("GET", "/sdk/v1/flags", as: .bearer(key)).status == 200)
            let before = try await Self.unknownCredentialReloads(b)
            let clock = ContinuousClock()
            let started = clock.now
            let (bogus, valid) = try await withThrowingTaskGroup(of: (bogus: [Int], valid: [Int]).self) { group in
                for worker in 0..<16 {
                    group.addTask {
                        var statuses: [Int] = []
                        for request in 0..<25 {
                            let path = request % 2 == 0 ? "/sdk/v1/flags" : "/ofrep/v1/evaluate/flags/dark-mode"
                            let method = request % 2 == 0 ? "GET" : "POST"
                            statuses.append(try await b.send(
                                method, path, body: method == "POST" ? "{}" : nil, as: .bearer("sdk_bogus_\(worker)_\(request)_\(UUID().uuidString)")).status)
                        }
                        return (statuses, [])
                    }
                }
                for _ in 0..<2 {
                    group.addTask {
                        var statuses: [Int] = []
                        for _ in 0..<40 { statuses.append(try await b.send("GET", "/sdk/v1/flags", as: .bearer(key)).status) }
                        return ([], statuses)
                    }
                }
                return try await group.reduce(into: ([Int](), [Int]())) { $0.0 += $1.bogus; $0.1 += $1.valid }
            }
            let elapsed = clock.now - started
            let reloads = try await Self.unknownCredentialReloads(b) - before
            #expect(bogus.count == 400 && bogus.allSatisfy { $0 == 401 }, "\(Set(bogus))")
            #expect(valid.count == 80 && valid.allSatisfy { $0 == 200 }, "\(Set(valid))")
            // One read per 100 ms at most (plus the one a miss may start at once): a bound from the
            // counter and the time the flood took, whatever the machine's speed.
            let bound = Int(Double(elapsed.components.seconds) * 10 + Double(elapsed.components.attoseconds) / 1e17) + 2
            #expect(reloads >= 1, "misses did read the store")
            #expect(reloads <= bound, "\(reloads) store reads for 400 unknown keys in \(elapsed)")
            #expect(reloads < 400 / 2, "misses share reads")
        }
    }
}
