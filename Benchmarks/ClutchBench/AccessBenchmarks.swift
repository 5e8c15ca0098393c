import ClutchAPI
import ClutchServer
import ClutchStore
import Foundation
import TestSupport

/// Issue 25's figures: the admin API's latency with authorization against the same request
/// without it, and the SDK paths, which authorization must leave as they were.
///
/// - `admin_api_*`: `GET /api/v1/flags/{key}`, sequential over loopback, with the bootstrap token
///   (a service token with role owner). The baseline, measured in the same run, is that round
///   trip less what the authorization step costs per request, measured in-process: what
///   ``AccessMiddleware`` does, which is the whole of what authorization adds to a request —
///   the caller's subject from its principal (``Principal/subject``) and the table's rule asked of
///   the policy (``AdminAccess/refusal(method:path:parameter:subject:)``).
/// - `sdk_paths_*`: OFREP's single-flag evaluation and the SDK's download (`GET /sdk/v1/flags`)
///   on two servers at once, one without people and one with 500 people and 500 tokens, the
///   requests alternating between them so that both see the same machine; the ratio of their
///   medians (1.00: unchanged). SDK keys are never judged by the policy.
enum AccessBenchmarks {
    static let rounds = 2_000
    static let checks = 1_000_000
    static let people = 500

    static func run() async {
        await BenchServer.withQuietServer(figure: "admin_api_authorization", adminAPI)
        await BenchServer.withQuietServer(figure: "sdk_paths_with_people") { empty in
            await BenchServer.withQuietServer(figure: "sdk_paths_with_people") { populated in
                do {
                    try await sdkPaths(empty: empty, populated: populated)
                } catch {
                    print("sdk_paths_with_people: failed (\(error))")
                }
            }
        }
    }

    private static func adminAPI(_ server: BenchServer) async throws {
        try await server.admin("POST", "api/v1/flags", #"{"key": "bench-access"}"#)
        for _ in 0..<100 { try await server.admin("GET", "api/v1/flags/bench-access") }  // warm up
        var samples: [Double] = []
        samples.reserveCapacity(rounds)
        for _ in 0..<rounds {
            let start = ContinuousClock.now
            try await server.admin("GET", "api/v1/flags/bench-access")
            samples.append(Bench.seconds(ContinuousClock.now - start) * 1_000_000)
        }
        let latency = Bench.percentile(samples, 0.5)

        // The bootstrap token as the credential middleware hands it on.
        let token = TokenRecord(
            id: "tok_bench", name: "admin", kind: .service, person: nil, role: .owner, environments: [], createdAt: Date(), expiresAt: nil,
            revokedAt: nil)
        let principal = Principal.serviceToken(TokenAccess(token: token, person: nil, grants: [AccessGrant(role: .owner)]))
        var refused = 0
        let start = ContinuousClock.now
        for _ in 0..<checks {
            guard let subject = principal.subject else { throw TestFailure("the token has no subject") }
            let refusal = try AdminAccess.refusal(method: "GET", path: "/api/v1/flags/{key}", parameter: { _ in "bench-access" }, subject: subject)
            if refusal != nil { refused += 1 }
        }
        let cost = Bench.seconds(ContinuousClock.now - start) * 1_000_000 / Double(checks)
        guard refused == 0 else { throw TestFailure("the owner was refused") }

        Bench.report("admin_api_get_flag_p50", latency, "us")
        Bench.report("admin_api_authorization_cost", cost * 1000, "ns")
        Bench.report("admin_api_get_flag_without_authorization_p50", latency - cost, "us")
        Bench.report("admin_api_authorized_vs_unauthorized_ratio", latency / (latency - cost), "x")
    }

    private static func sdkPaths(empty: BenchServer, populated: BenchServer) async throws {
        for index in 0..<people {
            try await populated.admin("POST", "api/v1/users", #"{"email": "person-\#(index)@example.com", "role": "editor"}"#)
            try await populated.admin("POST", "api/v1/tokens", #"{"name": "ci-\#(index)", "service": true, "role": "viewer"}"#)
        }
        var keys: [String] = []
        for server in [empty, populated] {
            try await server.admin(
                "POST", "api/v1/flags", #"{"key": "bench-access", "environments": {"production": {"enabled": true}}}"#)
            keys.append(try await server.sdkKey())
        }
        let servers = [(empty, keys[0]), (populated, keys[1])]
        let context = #"{"context": {"targetingKey": "user-4711"}}"#
        let paths: [(name: String, send: (BenchServer, String) async throws -> Void)] = [
            ("ofrep_single_flag", { try await $0.sdkPost("ofrep/v1/evaluate/flags/bench-access", context, key: $1) }),
            ("sdk_flags", { _ = try await $0.sdk("sdk/v1/flags", key: $1) }),
        ]
        for path in paths {
            for (server, key) in servers { for _ in 0..<100 { try await path.send(server, key) } }  // warm up
            var samples: [[Double]] = [[], []]
            for _ in 0..<rounds {
                for (index, (server, key)) in servers.enumerated() {
                    let start = ContinuousClock.now
                    try await path.send(server, key)
                    samples[index].append(Bench.seconds(ContinuousClock.now - start) * 1_000_000)
                }
            }
            let without = Bench.percentile(samples[0], 0.5)
            let with = Bench.percentile(samples[1], 0.5)
            Bench.report("sdk_paths_\(path.name)_p50", without, "us")
            Bench.report("sdk_paths_\(path.name)_with_\(people)_people_p50", with, "us")
            Bench.report("sdk_paths_\(path.name)_with_vs_without_people_ratio", with / without, "x")
        }
    }
}
