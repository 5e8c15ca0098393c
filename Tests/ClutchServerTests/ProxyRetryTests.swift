import AsyncHTTPClient
import Foundation
import NIOHTTP1
import ReplicaDrillSupport
import Testing

/// What HAProxy, configured from `examples/replicas/haproxy.cfg`, does with a request whose
/// replica dies before answering it, rehearsed at exactly that instant: behind the proxy, one
/// stand-in replica reads each request whole and closes the connection without an answer, the
/// other answers. Reads — GET and OFREP evaluations, POSTs without side effects — are sent again
/// to the other replica and never fail; changes, which the dying replica may have applied, are
/// never sent again. The client is the drill's (AsyncHTTPClient), which writes a POST's body
/// after its headers on a reused connection: the case `option http-buffer-request` is for.
@Suite("HAProxy's retries (examples/replicas/haproxy.cfg)")
struct ProxyRetryTests {
    struct Route: Sendable, CustomStringConvertible {
        let method: HTTPMethod
        let path: String
        let body: String?
        var description: String { "\(method.rawValue) \(path)" }
    }

    static let context = #"{"context": {"targetingKey": "user-1"}}"#

    static let reads = [
        Route(method: .POST, path: "/ofrep/v1/evaluate/flags/checkout", body: context),
        Route(method: .POST, path: "/ofrep/v1/evaluate/flags", body: context),
        Route(method: .GET, path: "/sdk/v1/flags", body: nil),
        Route(method: .GET, path: "/api/v1/flags/checkout", body: nil),
    ]

    static let changes = [
        Route(method: .POST, path: "/api/v1/flags", body: #"{"key": "checkout"}"#),
        Route(method: .PUT, path: "/api/v1/flags/checkout", body: #"{"key": "checkout"}"#),
        Route(method: .POST, path: "/api/v1/flags/checkout/environments/production/changes", body: #"{"instructions": [{"kind": "turnFlagOn"}]}"#),
        Route(method: .POST, path: "/api/v1/environments/production/keys", body: #"{"name": "web"}"#),
        Route(method: .DELETE, path: "/api/v1/flags/checkout", body: nil),
        Route(method: .POST, path: "/sdk/v1/usage", body: #"{"entries": []}"#),
        Route(method: .POST, path: "/ui/flags/checkout/environments/production/toggle", body: nil),
    ]

    /// How many times each route is sent: the proxy spreads them over both stand-ins.
    static let attempts = 6

    @Test(arguments: reads)
    func aReadWhoseReplicaDiesIsAnsweredByAnother(route: Route) async throws {
        let outcome = try await Self.send(route)
        #expect(outcome.failures.isEmpty, "\(route): \(outcome.failures)")
        #expect(outcome.answered == Self.attempts)
        #expect(outcome.dying.contains(route.description), "no request reached the dying replica: the retry was not exercised")
        #expect(outcome.good.filter { $0 == route.description }.count == Self.attempts, "each read answered once by the live replica")
    }

    @Test(arguments: changes)
    func aChangeWhoseReplicaDiesIsNotSentAgain(route: Route) async throws {
        let outcome = try await Self.send(route)
        let reachedDying = outcome.dying.filter { $0 == route.description }.count
        let reachedGood = outcome.good.filter { $0 == route.description }.count
        #expect(reachedDying > 0, "no request reached the dying replica: the rule was not exercised")
        #expect(reachedDying + reachedGood == Self.attempts, "each change reaches one replica, once: dying \(reachedDying), live \(reachedGood)")
        #expect(outcome.failures.count == reachedDying, "the client learns of each change the dying replica took: \(outcome.failures)")
    }

    struct Outcome {
        var answered = 0
        var failures: [String] = []
        var dying: [String] = []
        var good: [String] = []
    }

    /// Sends `route` `attempts` times, one after another on the client's pooled connection,
    /// through HAProxy in front of a dying and a live stand-in replica.
    static func send(_ route: Route) async throws -> Outcome {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("clutch-proxy-retry-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let dying = try await StandInReplica(dies: true)
        let good = try await StandInReplica(dies: false)
        let client = DrillHTTP.makeClient(connections: 4)
        var outcome = Outcome()
        do {
            let proxy = try await HAProxyProcess(directory: directory, servers: [dying.port, good.port], client: client)
            do {
                try await proxy.wait(server: "clutch-1", state: "UP", client: client)
                try await proxy.wait(server: "clutch-2", state: "UP", client: client)
                for _ in 0..<attempts {
                    do {
                        let reply = try await DrillHTTP.call(
                            client, route.method, "http://127.0.0.1:\(proxy.port)\(route.path)", body: route.body, bearer: "token",
                            timeout: .seconds(20))
                        if reply.status == 200 { outcome.answered += 1 } else { outcome.failures.append("\(reply.status)") }
                    } catch {
                        outcome.failures.append("\(error)")
                    }
                }
            } catch {
                await proxy.stop()
                throw error
            }
            await proxy.stop()
        } catch {
            try? await client.shutdown()
            await dying.stop()
            await good.stop()
            throw error
        }
        try? await client.shutdown()
        await dying.stop()
        await good.stop()
        outcome.dying = dying.requests
        outcome.good = good.requests
        return outcome
    }
}
